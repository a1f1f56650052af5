"""The batch runner: discovery, task lists, continue on error, incremental skip, atomic writes,
retry on kernel start failures – with papermill mocked – and one small end-to-end run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import kernel_installed

from regiopol.core.errors import ConfigError
from regiopol.report import html as html_report
from regiopol.run import cli, runner

FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


class FakeExecutionError(Exception):
    """Stands in for papermill's PapermillExecutionError (a cell raised)."""


class FakeEngine:
    """Replacement for :func:`regiopol.run.runner.execute_notebook`: writes an 'executed' notebook
    (parameters injected, a stream output per code cell) without a kernel."""

    def __init__(self, fail_modules=(), errors=None):
        self.calls: list[tuple[str, dict]] = []
        self.fail_modules = set(fail_modules)
        self.errors = list(errors or [])  # raised one after the other before succeeding

    def __call__(self, input_path, output_path, parameters, *, kernel_name, timeout, cwd):
        self.calls.append((Path(input_path).stem, dict(parameters)))
        if self.errors:
            raise self.errors.pop(0)
        nb = nbformat.read(str(input_path), as_version=4)
        injected = nbformat.v4.new_code_cell(
            "\n".join(f"{k} = {v!r}" for k, v in parameters.items()), metadata={"tags": ["injected-parameters"]})
        nb.cells.insert(1, injected)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"Region {parameters['region']}\n")]
        nbformat.write(nb, str(output_path))
        if Path(input_path).stem in self.fail_modules:
            raise FakeExecutionError(f"absichtlicher Fehler in {Path(input_path).stem} für {parameters['region']}")

    def modules(self):
        return [name for name, _ in self.calls]


@pytest.fixture(autouse=True)
def pinned_library(tmp_path, monkeypatch) -> Path:
    """A stand-in library directory, so that colleagues editing regiopol/*.py while the tests
    run do not change the library hash between two runs of a test."""
    library = tmp_path / "lib"
    library.mkdir()
    (library / "modul.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(runner, "LIBRARY_DIR", library)
    return library


@pytest.fixture
def notebooks(tmp_path) -> Path:
    directory = tmp_path / "notebooks"
    directory.mkdir()
    shutil.copy(FIXTURE_NOTEBOOKS / "00_probe.ipynb", directory / "00_probe.ipynb")
    shutil.copy(FIXTURE_NOTEBOOKS / "00_probe.ipynb", directory / "01_zweites.ipynb")
    return directory


@pytest.fixture
def engine(monkeypatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(runner, "execute_notebook", fake)
    monkeypatch.setattr(runner, "RETRY_DELAY", 0)
    return fake


def _run(notebooks, out, **kwargs):
    kwargs.setdefault("regions", ["trier", "rostock"])
    kwargs.setdefault("jobs", 1)
    kwargs.setdefault("progress", False)
    kwargs.setdefault("html", False)
    return runner.run(notebooks_dir=notebooks, output=out, **kwargs)


def _statuses(result):
    return {(r.region, r.module): r.status for r in result.results}


def _temp_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if ".tmp" in p.name]


# ----------------------------------------------------------------------------- discovery

def test_discover_orders_notebooks_and_ignores_other_files(tmp_path):
    for name in ["10_later.ipynb", "02_first.ipynb", "README.md", "1_bad.ipynb", "03_Upper.ipynb",
                 "04_ok.ipynb.bak", "05_draft.txt"]:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    shutil.copy(FIXTURE_NOTEBOOKS / "00_probe.ipynb", tmp_path / "00_probe.ipynb")
    modules = runner.discover(tmp_path)
    assert [m.name for m in modules] == ["00_probe", "02_first", "10_later"]
    assert [m.number for m in modules] == ["00", "02", "10"]
    assert modules[0].slug == "probe"
    assert modules[0].title == "Probe"  # first Markdown heading
    assert modules[1].title == "First"  # fallback: the slug


def test_discover_missing_directory_names_it(tmp_path):
    with pytest.raises(Exception) as info:
        runner.discover(tmp_path / "fehlt")
    assert "fehlt" in str(info.value)


def test_select_tasks_filters_regions_and_modules(notebooks):
    modules = runner.discover(notebooks)
    regions = [("trier", "Trier"), ("rostock", "Rostock"), ("siegen", "Siegen")]
    everything = runner.select_tasks(modules, regions)
    assert [t.key for t in everything] == [
        "trier/00_probe", "trier/01_zweites", "rostock/00_probe", "rostock/01_zweites",
        "siegen/00_probe", "siegen/01_zweites"]
    assert everything[0].parameters == {"region": "trier"}
    assert everything[0].title == "Probe – Trier"

    some = runner.select_tasks(modules, regions, region_filter=["siegen", "trier"], module_filter=["01"],
                               parameters={"horizont": 2040})
    assert [t.key for t in some] == ["trier/01_zweites", "siegen/01_zweites"]
    assert some[0].parameters == {"region": "trier", "horizont": 2040}
    for selector in ("00", "probe", "00_probe", "00_probe.ipynb"):
        assert [t.module.name for t in runner.select_tasks(modules, regions[:1], module_filter=[selector])] == [
            "00_probe"]

    with pytest.raises(ConfigError, match="unknown region 'berlin'"):
        runner.select_tasks(modules, regions, region_filter=["berlin"])
    with pytest.raises(ConfigError, match="unknown module '07'"):
        runner.select_tasks(modules, regions, module_filter=["07"])


def test_run_default_regions_are_the_whole_registry(notebooks, tmp_path, engine):
    from regiopol import regions

    result = _run(notebooks, tmp_path / "out", regions=None, modules=["00"])
    assert [r.region for r in result.results] == regions.load().slugs
    assert result.exit_code == 0


# ------------------------------------------------------------------------ plan and task specs

def _options(notebooks, out, **changes):
    options = dict(notebooks_dir=notebooks.resolve(), output=out.resolve(), regions=("trier",), modules=(), jobs=1,
                   force=False, html=False, timeout=30, parameters={}, kernel_name="regiopol", progress=False,
                   scheduler=None)
    return runner.RunOptions(**{**options, **changes})


def test_plan_lists_pending_specs_then_skips_what_is_current(notebooks, tmp_path, engine):
    out = tmp_path / "out"
    plan = runner.plan_run(_options(notebooks, out))
    assert [t.key for t in plan.tasks] == ["trier/00_probe", "trier/01_zweites"] and plan.skipped == []
    spec = plan.pending[0]
    assert spec.key == "trier/00_probe" and spec.execute and spec.parameters == {"region": "trier"}
    assert spec.notebook_out == out.resolve() / "trier" / "00_probe.ipynb"
    assert spec.html_out.name == "00_probe.html" and spec.failed_out.name == "00_probe.failed.ipynb"
    assert plan.hashes[spec.key].library == plan.library_hash

    _run(notebooks, out, regions=["trier"])
    again = runner.plan_run(_options(notebooks, out))
    assert [t.key for t in again.skipped] == ["trier/00_probe", "trier/01_zweites"] and again.pending == []
    export_only = runner.plan_run(_options(notebooks, out, html=True))
    assert [s.execute for s in export_only.pending] == [False, False]
    assert len(runner.plan_run(_options(notebooks, out, force=True)).pending) == 2


def test_task_spec_and_outcome_round_trip_through_json(notebooks, tmp_path):
    spec = runner.plan_run(_options(notebooks, tmp_path / "out", parameters={"faktor": 2})).pending[0]
    assert runner.TaskSpec.from_json(spec.to_json()) == spec
    outcome = runner.TaskOutcome("trier/00_probe", "ok", 1.5, None, 1, 2048)
    assert runner.TaskOutcome.from_json(outcome.to_json()) == outcome
    values = json.loads(spec.to_json())
    del values["cwd"]
    with pytest.raises(ConfigError, match="task spec lacks cwd and has unknown fields extra"):
        runner.TaskSpec.from_json(json.dumps({**values, "extra": 1}))


def test_task_main_runs_a_spec_file_and_refuses_an_incomplete_one(notebooks, tmp_path, engine, capsys):
    spec = runner.plan_run(_options(notebooks, tmp_path / "out")).pending[0]
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(spec.to_json(), encoding="utf-8")
    assert runner._task_main(["--task", str(spec_file)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    outcome = runner.TaskOutcome.from_json(printed.removeprefix("REGIOPOL-TASK-RESULT "))
    assert outcome.key == "trier/00_probe" and outcome.status == "ok" and outcome.attempts == 1
    assert spec.notebook_out.is_file()

    spec_file.write_text('{"region": "trier"}', encoding="utf-8")
    assert runner._task_main(["--task", str(spec_file)]) == 1
    assert "Fehler: " in capsys.readouterr().err
    assert runner._task_main([]) == 2


# ------------------------------------------------------------------------ continue on error

def test_failure_is_recorded_and_the_rest_still_runs(notebooks, tmp_path, monkeypatch):
    fake = FakeEngine(fail_modules={"00_probe"})
    monkeypatch.setattr(runner, "execute_notebook", fake)
    out = tmp_path / "out"
    result = _run(notebooks, out, html=True)

    assert _statuses(result) == {
        ("trier", "00_probe"): "failed", ("trier", "01_zweites"): "ok",
        ("rostock", "00_probe"): "failed", ("rostock", "01_zweites"): "ok"}
    assert result.exit_code == 1
    assert len(fake.calls) == 4

    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    failed = manifest["results"]["trier/00_probe"]
    assert failed["status"] == "failed"
    assert "FakeExecutionError: absichtlicher Fehler in 00_probe für trier" in failed["error"]
    assert failed["html"] is None
    assert manifest["results"]["trier/01_zweites"]["status"] == "ok"
    assert manifest["results"]["trier/01_zweites"]["html"] == "trier/01_zweites.html"
    assert manifest["summary"] == {"ok": 2, "failed": 2, "skipped": 0}
    for package in ("python", "pandas", "papermill", "nbconvert", "regiopol"):
        assert manifest["versions"][package]
    assert manifest["hashes"]["library"].startswith("sha256:")
    assert manifest["data_vintage"].startswith("Bevölkerung am 31.12.2020")
    assert manifest["run_date"]

    # the executed notebook of the failed run is kept for debugging, never as the report
    assert (out / "trier" / "00_probe.failed.ipynb").is_file()
    assert not (out / "trier" / "00_probe.ipynb").exists()
    assert not (out / "trier" / "00_probe.html").exists()
    assert (out / "trier" / "01_zweites.html").is_file()

    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in index
    assert "fehlgeschlagen" in index
    assert "absichtlicher Fehler in 00_probe für trier" in index
    assert 'href="trier/01_zweites.html"' in index
    assert 'href="trier/00_probe.html"' not in index
    # key figures of the regions (Trier 2020: 535,000 inhabitants in round numbers) and all regions listed
    assert "Bevölkerung 2020" in index and "Leitthema" in index and "Würzburg" in index
    assert "Gesundheit (abgeleitet)" in index and "Energie (bestätigt)" in index
    assert "Lauf vom" in index and "Datenstand" in index
    assert html_report.external_references(index, include_links=True) == []

    summary = result.summary()
    assert "failed" in summary and "ok" in summary and "FEHLER trier/00_probe" in summary

    # the next run retries the failed ones only
    monkeypatch.setattr(runner, "execute_notebook", FakeEngine())
    again = _run(notebooks, out, html=True)
    assert _statuses(again) == {
        ("trier", "00_probe"): "ok", ("trier", "01_zweites"): "skipped",
        ("rostock", "00_probe"): "ok", ("rostock", "01_zweites"): "skipped"}
    assert again.exit_code == 0
    assert not (out / "trier" / "00_probe.failed.ipynb").exists()
    assert 'href="trier/00_probe.html"' in (out / "index.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ incremental

def test_second_run_skips_everything_and_changes_rerun(notebooks, tmp_path, engine, pinned_library):
    out = tmp_path / "out"
    library = pinned_library

    first = _run(notebooks, out)
    assert set(_statuses(first).values()) == {"ok"} and len(engine.calls) == 4

    second = _run(notebooks, out)
    assert set(_statuses(second).values()) == {"skipped"}
    assert len(engine.calls) == 4
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["summary"]["skipped"] == 4

    # a changed notebook reruns that module for every region
    nb = nbformat.read(str(notebooks / "01_zweites.ipynb"), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("## Neu"))
    nbformat.write(nb, str(notebooks / "01_zweites.ipynb"))
    third = _run(notebooks, out)
    assert engine.modules()[4:] == ["01_zweites", "01_zweites"]
    assert _statuses(third)[("trier", "00_probe")] == "skipped"

    # changed parameters rerun everything they apply to
    _run(notebooks, out, parameters={"faktor": 2})
    assert len(engine.calls) == 10
    assert engine.calls[-1][1] == {"region": "trier", "faktor": 2}
    _run(notebooks, out, parameters={"faktor": 2})
    assert len(engine.calls) == 10

    # a changed library file reruns everything
    (library / "modul.py").write_text("X = 2\n", encoding="utf-8")
    _run(notebooks, out, parameters={"faktor": 2})
    assert len(engine.calls) == 14

    # --force reruns; a filter runs the selection only
    _run(notebooks, out, parameters={"faktor": 2}, force=True, regions=["trier"], modules=["00_probe"])
    assert len(engine.calls) == 15

    # a deleted output is made again
    (out / "rostock" / "00_probe.ipynb").unlink()
    result = _run(notebooks, out, parameters={"faktor": 2})
    assert _statuses(result)[("rostock", "00_probe")] == "ok" and len(engine.calls) == 16


def test_html_added_later_without_executing_again(notebooks, tmp_path, engine):
    out = tmp_path / "out"
    _run(notebooks, out, regions=["trier"], html=False)
    assert len(engine.calls) == 2 and not (out / "trier" / "00_probe.html").exists()
    result = _run(notebooks, out, regions=["trier"], html=True)
    assert len(engine.calls) == 2  # export only
    assert set(_statuses(result).values()) == {"ok"}
    page = (out / "trier" / "00_probe.html").read_text(encoding="utf-8")
    assert "<title>Probe – Trier</title>" in page
    assert set(_statuses(_run(notebooks, out, regions=["trier"], html=True)).values()) == {"skipped"}


def test_noop_rerun_is_fast_and_starts_nothing(notebooks, tmp_path, engine, monkeypatch):
    import time

    out = tmp_path / "out"
    _run(notebooks, out, html=True, regions=None)

    def no_kernel(*args, **kwargs):
        raise AssertionError("nothing should execute")

    monkeypatch.setattr(runner, "execute_notebook", no_kernel)
    start = time.monotonic()
    result = _run(notebooks, out, html=True, regions=None, jobs=4)
    assert time.monotonic() - start < 3
    assert set(_statuses(result).values()) == {"skipped"} and len(result.results) == 16


# ---------------------------------------------------------------------------- atomic writes

def test_interrupted_run_keeps_old_outputs_and_leaves_no_temp_files(notebooks, tmp_path, engine, monkeypatch):
    out = tmp_path / "out"
    _run(notebooks, out, regions=["trier"], html=True)
    html = out / "trier" / "00_probe.html"
    executed = out / "trier" / "00_probe.ipynb"
    old_html, old_nb = html.read_bytes(), executed.read_bytes()

    nb = nbformat.read(str(notebooks / "00_probe.ipynb"), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("## Geändert"))
    nbformat.write(nb, str(notebooks / "00_probe.ipynb"))

    # 1. Ctrl-C while papermill writes the executed notebook
    def interrupted(input_path, output_path, parameters, **kwargs):
        Path(output_path).write_text('{"cells": [', encoding="utf-8")  # half a notebook
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(notebooks, out, regions=["trier"], html=True)
    assert html.read_bytes() == old_html and executed.read_bytes() == old_nb
    assert _temp_files(out) == []
    assert not (out / "trier" / "00_probe.failed.ipynb").exists()

    # 2. Ctrl-C while the HTML page is written
    monkeypatch.setattr(runner, "execute_notebook", engine)
    real_write = html_report.write_text_atomic

    def interrupted_write(path, text):
        def half(tmp):
            Path(tmp).write_text(text[: len(text) // 2], encoding="utf-8")
            raise KeyboardInterrupt

        from regiopol.core.files import write_atomic
        return write_atomic(path, half)

    monkeypatch.setattr(html_report, "write_text_atomic", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        _run(notebooks, out, regions=["trier"], html=True)
    assert html.read_bytes() == old_html
    assert _temp_files(out) == []
    json.loads((out / "run.json").read_text(encoding="utf-8"))  # the manifest is whole

    # 3. the next run completes the job
    monkeypatch.setattr(html_report, "write_text_atomic", real_write)
    result = _run(notebooks, out, regions=["trier"], html=True)
    assert _statuses(result)[("trier", "00_probe")] == "ok"
    assert "Geändert" in html.read_text(encoding="utf-8")
    assert _temp_files(out) == []


# -------------------------------------------------------------------------------- retries

def test_one_retry_when_the_kernel_fails_to_start(notebooks, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "RETRY_DELAY", 0)
    fake = FakeEngine(errors=[RuntimeError("Kernel died before replying to kernel_info")])
    monkeypatch.setattr(runner, "execute_notebook", fake)
    result = _run(notebooks, tmp_path / "out", regions=["trier"], modules=["00"])
    assert _statuses(result) == {("trier", "00_probe"): "ok"}
    assert result.results[0].attempts == 2 and len(fake.calls) == 2
    manifest = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert manifest["results"]["trier/00_probe"]["attempts"] == 2


def test_only_one_retry_and_no_retry_for_cell_errors(notebooks, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "RETRY_DELAY", 0)

    class ZMQError(Exception):
        pass

    fake = FakeEngine(errors=[ZMQError("Address already in use"), RuntimeError("Kernel died before replying")])
    monkeypatch.setattr(runner, "execute_notebook", fake)
    result = _run(notebooks, tmp_path / "out", regions=["trier"], modules=["00"])
    assert result.results[0].status == "failed" and len(fake.calls) == 2
    assert "Kernel died before replying" in result.results[0].error

    fake = FakeEngine(fail_modules={"00_probe"})
    monkeypatch.setattr(runner, "execute_notebook", fake)
    result = _run(notebooks, tmp_path / "out2", regions=["trier"], modules=["00"])
    assert result.results[0].status == "failed" and len(fake.calls) == 1


def test_library_hash_covers_the_real_source():
    real = runner.library_hash(Path(runner.__file__).parent)
    assert real.startswith("sha256:") and real == runner.library_hash(Path(runner.__file__).parent)


def test_library_hash_covers_the_index_template(tmp_path):
    library = tmp_path / "regiopol"
    shutil.copytree(Path(html_report.TEMPLATES_DIR), library / "report" / "templates")
    before = runner.library_hash(library)
    template = library / "report" / "templates" / html_report.INDEX_TEMPLATE
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert runner.library_hash(library) != before


def test_kernel_start_failure_classification():
    assert runner.is_kernel_start_failure(RuntimeError("Kernel died before replying to kernel_info"))
    assert runner.is_kernel_start_failure(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not runner.is_kernel_start_failure(ValueError("absichtlicher Fehler"))


# ------------------------------------------------------------------------------------ CLI

def test_cli_run_exit_codes_and_options(notebooks, tmp_path, monkeypatch, capsys):
    fake = FakeEngine(fail_modules={"01_zweites"})
    monkeypatch.setattr(runner, "execute_notebook", fake)
    out = tmp_path / "out"
    code = cli.main(["run", "--notebooks", str(notebooks), "--output", str(out), "--region", "trier",
                     "--region", "siegen", "--jobs", "1", "--no-html", "--no-progress", "--timeout", "30",
                     "--param", "faktor=3", "--param", "name=Text"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "trier" in printed and "siegen" in printed and "failed" in printed
    assert fake.calls[0] == ("00_probe", {"region": "siegen", "faktor": 3, "name": "Text"})  # registry order
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["options"]["timeout"] == 30 and manifest["options"]["html"] is False

    monkeypatch.setattr(runner, "execute_notebook", FakeEngine())
    assert cli.main(["run", "--notebooks", str(notebooks), "--output", str(out), "--region", "trier",
                     "--module", "01", "--jobs", "1", "--no-html", "--no-progress",
                     "--param", "faktor=3", "--param", "name=Text"]) == 0
    assert cli.main(["run", "--notebooks", str(notebooks), "--output", str(out), "--region", "berlin"]) == 1
    assert "unknown region 'berlin'" in capsys.readouterr().err


# --------------------------------------------------------------------- end to end (a kernel)

@pytest.mark.skipif(not kernel_installed("regiopol"),
                    reason="Jupyter kernel 'regiopol' not installed (make install registers it)")
def test_end_to_end_with_papermill_and_html(tmp_path):
    out = tmp_path / "out"
    result = runner.run(notebooks_dir=FIXTURE_NOTEBOOKS, output=out, regions=["trier"], jobs=2, timeout=120,
                        progress=False)
    assert _statuses(result) == {("trier", "00_probe"): "ok", ("trier", "01_fails"): "failed"}
    assert result.exit_code == 1
    assert "ValueError: absichtlicher Fehler für trier" in result.results[1].error

    page = (out / "trier" / "00_probe.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in page
    assert "<title>Probe – Trier</title>" in page
    assert "Region: trier, Faktor: 1" in page  # the output of the print, with the injected region
    assert f"Ausgabe: {out.resolve()}" in page  # REGIOPOL_OUTPUT_DIR reaches the kernel
    assert 'region = "x"' not in page and "print(" not in page  # no input code
    assert '<script src="http' not in page
    assert html_report.external_references(page, include_links=True) == []
    assert 'class="rp-toc"' in page and 'href="#Ergebnis"' in page
    assert "Datenstand" in page and "Erstellt am" in page
    assert len(page.encode()) < html_report.MAX_REPORT_BYTES

    executed = nbformat.read(str(out / "trier" / "00_probe.ipynb"), as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)

    index = (out / "index.html").read_text(encoding="utf-8")
    assert "fehlgeschlagen" in index and "absichtlicher Fehler für trier" in index
    assert 'href="trier/00_probe.html"' in index
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["results"]["trier/01_fails"]["status"] == "failed"
    assert manifest["results"]["trier/00_probe"]["status"] == "ok"
    assert _temp_files(out) == []

    # the same executed notebook exported twice gives the same page
    again = html_report.render_report(out / "trier" / "00_probe.ipynb", title="Probe – Trier", run_date="1.1.2030",
                                 data_vintage="v")
    assert again == html_report.render_report(out / "trier" / "00_probe.ipynb", title="Probe – Trier",
                                         run_date="1.1.2030", data_vintage="v")


def test_kernel_transport_is_ipc_with_unique_absolute_sockets(monkeypatch):
    monkeypatch.delenv("REGIOPOL_KERNEL_TRANSPORT", raising=False)
    if runner.os.name == "posix":
        assert runner.kernel_transport() == "ipc"
    first = runner._transport_config("ipc")["config"]["KernelManager"]
    second = runner._transport_config("ipc")["config"]["KernelManager"]
    assert first["transport"] == "ipc" and Path(first["ip"]).is_absolute() and first["ip"] != second["ip"]
    assert runner._transport_config("tcp") == {}
    monkeypatch.setenv("REGIOPOL_KERNEL_TRANSPORT", "tcp")
    assert runner.kernel_transport() == "tcp"


def test_region_cannot_be_overridden_by_a_parameter(notebooks, tmp_path, engine):
    with pytest.raises(ConfigError, match="'region' cannot be passed as a module parameter.*--region"):
        _run(notebooks, tmp_path / "out", parameters={"region": "bielefeld"})


def test_one_run_at_a_time_per_output_directory(notebooks, tmp_path, engine):
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with open(out / runner.LOCK_NAME, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds the directory
        with pytest.raises(ConfigError, match="another `regiopol run` is writing to this output directory"):
            _run(notebooks, out)
    assert _run(notebooks, out).ok  # released: the next run goes ahead
