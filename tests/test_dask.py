"""``regiopol run --scheduler``: the same batch on a Dask distributed cluster (a LocalCluster
with two worker processes), each notebook in a subprocess on a worker."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import kernel_installed

from regiopol.run import runner

distributed = pytest.importorskip("distributed")

FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


pytestmark = pytest.mark.skipif(not kernel_installed("regiopol"),
                                reason="Jupyter kernel 'regiopol' not installed (make install registers it)")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster:
        yield cluster


def test_run_on_a_dask_cluster_isolates_failures(cluster, tmp_path, capsys):
    out = tmp_path / "out"
    result = runner.run(notebooks_dir=FIXTURE_NOTEBOOKS, output=out, regions=["trier"], timeout=120,
                        progress=False, scheduler=cluster.scheduler_address)

    statuses = {(r.region, r.module): r.status for r in result.results}
    assert statuses == {("trier", "00_probe"): "ok", ("trier", "01_fails"): "failed"}
    assert result.exit_code == 1
    failed = result.results[1]
    assert "ValueError: absichtlicher Fehler für trier" in failed.error

    page = (out / "trier" / "00_probe.html").read_text(encoding="utf-8")
    assert "Region: trier, Faktor: 1" in page
    assert f"Ausgabe: {out.resolve()}" in page  # the output directory reaches the kernel on the worker
    assert (out / "trier" / "00_probe.ipynb").is_file()
    assert (out / "trier" / "01_fails.failed.ipynb").is_file()
    assert not (out / "trier" / "01_fails.html").exists()
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["options"]["scheduler"] == cluster.scheduler_address
    assert manifest["results"]["trier/00_probe"]["status"] == "ok"
    assert manifest["results"]["trier/01_fails"]["status"] == "failed"
    assert "fehlgeschlagen" in (out / "index.html").read_text(encoding="utf-8")
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]
    assert "without encryption" not in capsys.readouterr().err

    # incremental on the client side: the good notebook is skipped, only the failing one is resubmitted
    again = runner.run(notebooks_dir=FIXTURE_NOTEBOOKS, output=out, regions=["trier"], timeout=120,
                       progress=False, scheduler=cluster.scheduler_address)
    assert {(r.region, r.module): r.status for r in again.results} == {
        ("trier", "00_probe"): "skipped", ("trier", "01_fails"): "failed"}


def test_a_crashing_task_process_does_not_take_down_the_worker(cluster, tmp_path):
    class Truncated(runner.TaskSpec):
        """A spec whose JSON lacks fields: the task process stops before it can report."""

        def to_json(self):
            return json.dumps({"region": self.region, "module": self.module})

    spec = Truncated(region="trier", module="00_probe", title="Probe – Trier", notebook=Path("/nonexistent"),
                     parameters={"region": "trier"}, output_dir=tmp_path / "out", cwd=tmp_path, kernel_name="regiopol",
                     timeout=10, execute=True, html=False, run_date="d", data_vintage="v")
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        outcome = client.submit(runner.run_task_in_subprocess, spec, pure=False).result(timeout=60)
        assert outcome.key == "trier/00_probe" and outcome.status == "failed"
        assert "Aufgabenprozess abgebrochen (Exit-Code 1)" in outcome.error
        assert "task spec lacks cwd" in outcome.error
        assert len(client.scheduler_info()["workers"]) == 2


def test_unreachable_scheduler_is_a_config_error(tmp_path, monkeypatch):
    from regiopol.core.errors import ConfigError

    monkeypatch.setattr(runner, "SCHEDULER_TIMEOUT", 1.0)
    with pytest.raises(ConfigError, match="Dask scheduler"):
        runner.run(notebooks_dir=FIXTURE_NOTEBOOKS, output=tmp_path / "out", regions=["trier"], progress=False,
                   scheduler="tcp://127.0.0.1:9")
