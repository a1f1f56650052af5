"""The import rule of the package: core <- data <- regions <- methods <- report <- run.

A layer imports only layers to its left; a report module never imports another report
module (shared pieces live in report.common, report.style, report.fmt, report.html)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "regiopol"
LAYERS = ("core", "data", "regions", "methods", "report", "run")
REPORT_SHARED = {"common", "style", "fmt", "html", "__init__"}


def _layer(module: str) -> str | None:
    """Layer of a dotted module ``regiopol.x.y`` (None for the package root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _module_of(path: Path, package: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "regiopol" or node.module.count(".") == 1:
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name == "regiopol" or name.startswith("regiopol.")]


def violations(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        module = _module_of(path, package)
        own = _layer(module)
        if own is None:  # regiopol/__init__.py, __main__.py: the façade may reach every layer
            continue
        for line, target in _imports(path):
            other = _layer(target)
            if other is None:
                continue
            where = f"{path.relative_to(package.parent)}:{line} imports {target}"
            if LAYERS.index(other) > LAYERS.index(own):
                found.append(f"{where} ({own} may not import {other})")
            elif own == other == "report":
                mine, theirs = module.split(".")[2:3], target.split(".")[2:3]
                if theirs and theirs[0] not in REPORT_SHARED and mine and mine != theirs:
                    found.append(f"{where} (a report module imports another report module)")
    return found


def test_every_library_file_keeps_the_layer_order():
    assert violations() == []


def test_methods_never_import_ipython_or_matplotlib_pyplot():
    for path in (PACKAGE / "methods").rglob("*.py"):
        for line, name in [(n.lineno, a.name) for n in ast.walk(ast.parse(path.read_text()))
                           if isinstance(n, ast.Import) for a in n.names]:
            assert not name.startswith("IPython"), f"{path.name}:{line}"


@pytest.mark.parametrize("source, expected", [
    ("from regiopol.report import common\n", "methods may not import report"),
    ("from regiopol import run\n", "methods may not import run"),
])
def test_the_layer_check_catches_a_wrong_arrow(tmp_path, source, expected):
    package = tmp_path / "regiopol"
    (package / "methods").mkdir(parents=True)
    (package / "methods" / "bad.py").write_text(source)
    assert any(expected in v for v in violations(package))


def test_the_layer_check_catches_one_report_module_importing_another(tmp_path):
    package = tmp_path / "regiopol"
    (package / "report").mkdir(parents=True)
    (package / "report" / "ziele.py").write_text("from regiopol.report import vorausschaetzung, common\n")
    found = violations(package)
    assert len(found) == 1 and "another report module" in found[0]
