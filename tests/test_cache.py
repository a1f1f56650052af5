"""The library's one cache: registered in-process caches and the disk cache."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import regiopol
from regiopol.core import cache
from regiopol.core.paths import DATA_DIR, PROJECT_ROOT, RATES_ENV, rates_dir

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


# --------------------------------------------------------------------------- disk cache

CALLS: list = []


@cache.disk(rates=("life_table_destatis_12621-0001.csv",))
def _counted(x, table=None):
    CALLS.append(x)
    return {"x": x, "rows": None if table is None else len(table)}


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """``_counted`` with a fresh cache directory, copies of data/ and the rates directory."""
    data = tmp_path / "data"
    data.mkdir()
    for path in [*DATA_DIR.glob("*.toml"), DATA_DIR / "provenance.json"]:
        shutil.copy(path, data / path.name)
    rates = tmp_path / "rates"
    shutil.copytree(rates_dir(), rates)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("REGIOPOL_DATA_DIR", str(data))
    monkeypatch.setenv(RATES_ENV, str(rates))
    CALLS.clear()
    regiopol.clear_caches()
    yield SimpleNamespace(data=data, rates=rates, cache=tmp_path / "cache", calls=CALLS)
    regiopol.clear_caches()


def _again(x, **kwargs):
    """A call in a new process, as far as the caches are concerned."""
    regiopol.clear_caches()
    return _counted(x, **kwargs)


def test_disk_cache_hit_and_miss(counted):
    assert _counted(1) == {"x": 1, "rows": None}
    assert _again(1) == {"x": 1, "rows": None}
    assert counted.calls == [1]
    _again(2)
    table = pd.DataFrame({"a": [1, 2, 3]})
    _again(3, table=table)
    _again(3, table=table.copy())
    _again(3, table=table.iloc[:2])
    assert counted.calls == [1, 2, 3, 3]
    entries = list(counted.cache.rglob("*.pickle"))
    assert len(entries) == 4 and all(p.parent.name == "test_cache._counted" for p in entries)
    assert _counted.entry(1).is_file()


def test_disk_cache_key_follows_the_data(counted):
    _counted(1)
    (counted.data / "regions.toml").write_text((counted.data / "regions.toml").read_text() + "\n# edited\n")
    _again(1)
    assert counted.calls == [1, 1]
    assert len(list(counted.cache.rglob("*.pickle"))) == 1  # the entry of the old key is gone
    provenance = json.loads((counted.data / "provenance.json").read_text())
    provenance["tables"]["population_series"]["sha256"] = "rebuilt"
    (counted.data / "provenance.json").write_text(json.dumps(provenance))
    _again(1)
    assert counted.calls == [1, 1, 1]


def test_disk_cache_key_follows_the_rate_files_read(counted):
    _counted(1)
    (counted.rates / "discount_rates.csv").write_text("edited\n")  # not read by _counted
    _again(1)
    assert counted.calls == [1]
    with open(counted.rates / "life_table_destatis_12621-0001.csv", "a") as stream:
        stream.write("# edited\n")
    _again(1)
    assert counted.calls == [1, 1]


def test_disk_cache_key_follows_the_library_but_not_the_reports(counted, tmp_path, monkeypatch):
    package = tmp_path / "regiopol"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    _again(1)
    with open(package / "report" / "vorausschaetzung.py", "a") as stream:
        stream.write("\n# a report change\n")
    _again(1)
    assert counted.calls == [1]
    with open(package / "data" / "harmonise.py", "a") as stream:
        stream.write("\n# a harmonisation change\n")
    _again(1)
    assert counted.calls == [1, 1]


def test_unreadable_entry_is_computed_again(counted):
    _counted(1)
    _counted.entry(1).write_bytes(b"not a pickle")
    assert _again(1) == {"x": 1, "rows": None}
    assert counted.calls == [1, 1]
    assert _again(1) == {"x": 1, "rows": None} and counted.calls == [1, 1]


def test_arguments_without_a_key_are_computed_without_cache(counted):
    assert _counted(lambda: 0)["rows"] is None
    assert not counted.cache.exists()


def test_cache_directory_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    assert cache.cache_dir() == PROJECT_ROOT / ".cache" / "regiopol"
    assert ".cache/" in (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert cache.cache_dir() == tmp_path


def test_back_test_kept_in_the_cache_not_in_outputs(tmp_path, monkeypatch):
    """The report's back-test comes from the disk cache, whatever the output directory."""
    from regiopol.methods import backtest
    from regiopol.report import vorausschaetzung

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    runs = []
    real = backtest.backtest
    monkeypatch.setattr(backtest, "backtest", lambda *a, **k: runs.append(1) or real(*a, **k))
    first = None
    for output in ("first", "second"):
        monkeypatch.setenv("REGIOPOL_OUTPUT_DIR", str(tmp_path / output))
        regiopol.clear_caches()
        table = vorausschaetzung.extended_results()
        first = table if first is None else first
        assert not (tmp_path / output).exists()
    assert runs == [1]
    pd.testing.assert_frame_equal(table, first)
    assert backtest._extended_results.__wrapped__.entry(str(DATA_DIR), backtest.DEFAULT_JOBS).is_file()
    regiopol.clear_caches()


# --------------------------------------------------------------------------- once per batch

def test_shared_results_by_module():
    from regiopol.methods import shared

    assert shared.steps(["00_ueberblick", "02_vorausschaetzung", "01_zentrale_funktionen"]) == [
        "indicators", "catchment", "projections", "backtest", "extended_backtest"]
    assert shared.steps(["vorausschaetzung"]) == ["projections", "backtest", "extended_backtest"]
    assert shared.steps(["00_probe"]) == [] and shared.steps(None) == list(shared.STEPS)
    assert shared.warm(["00_ueberblick"]) is True  # nothing to share: no process started


def test_warm_fills_the_disk_cache_in_other_processes(tmp_path, monkeypatch):
    from regiopol.methods import catchment, indicators, shared

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert shared.warm(["01_zentrale_funktionen"]) is True
    regiopol.clear_caches()
    assert catchment._kreis_distances.__wrapped__.entry(str(DATA_DIR)).is_file()
    assert indicators._values.__wrapped__.entry().is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "regiopol.methods.catchment._default_centroids", "regiopol.methods.catchment._kreis_distances",
        "regiopol.methods.indicators._values"]


def test_runner_warms_once_before_the_notebooks_and_not_on_a_no_op(tmp_path, monkeypatch):
    from regiopol.methods import shared
    from regiopol.run import runner

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "notebooks" / "00_probe.ipynb",
                notebooks / "02_vorausschaetzung.ipynb")
    events = []
    monkeypatch.setattr(shared, "warm", lambda modules: events.append(("warm", sorted(modules))))
    monkeypatch.setattr(runner, "execute_notebook",
                        lambda source, target, parameters, **_: events.append(("run", parameters["region"]))
                        or shutil.copy(source, target))
    for _ in range(2):
        runner.run(notebooks_dir=notebooks, output=tmp_path / "out", regions=["trier", "siegen"], jobs=1,
                   progress=False, html=False)
    assert events[0] == ("warm", ["02_vorausschaetzung"]) and events[3] == ("warm", [])
    assert sorted(events[1:3]) == [("run", "siegen"), ("run", "trier")] and len(events) == 4
