"""The library's one cache: registered in-process caches and the disk cache."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


import regiopol
from regiopol.core import cache

PACKAGE = Path(regiopol.__file__).resolve().parent


def test_memo_registers_and_clear_caches_empties_every_cache():
    calls = []

    @cache.memo
    def square(x):
        calls.append(x)
        return x * x

    @cache.memo(maxsize=2)
    def double(x):
        calls.append(-x)
        return 2 * x

    assert (square(3), square(3), double(3), double(3)) == (9, 9, 6, 6)
    assert calls == [3, -3]
    regiopol.clear_caches()
    assert (square(3), double(3)) == (9, 6)
    assert calls == [3, -3, 3, -3]
    assert square.cache_info().maxsize is None and double.cache_info().maxsize == 2


def test_clear_caches_reaches_the_library_caches():
    from regiopol import data, regions

    data.load("kreise")
    regions.registry()
    assert data._read.cache_info().currsize and regions._registry.cache_info().currsize
    regiopol.clear_caches()
    assert data._read.cache_info().currsize == 0 and regions._registry.cache_info().currsize == 0


def test_no_lru_cache_and_no_clear_cache_left_in_the_library():
    for path in PACKAGE.rglob("*.py"):
        if path.name == "cache.py" and path.parent.name == "core":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.attr if isinstance(n, ast.Attribute) else n.id for n in ast.walk(tree)
                 if isinstance(n, (ast.Name, ast.Attribute))}
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert not names & {"lru_cache", "cache_clear"}, path
        assert "clear_cache" not in defined, path


def test_import_regiopol_stays_light():
    code = "import sys, regiopol; print('regiopol.core.cache' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
    code = "import sys, regiopol; regiopol.clear_caches(); print('pandas' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
