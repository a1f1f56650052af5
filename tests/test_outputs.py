"""regiopol.core.outputs: where tables and figures go, atomic writes, REGIOPOL_OUTPUT_DIR."""

from __future__ import annotations

import pandas as pd
import pytest

from regiopol.core import outputs
from regiopol.core.paths import PROJECT_ROOT
from regiopol.report import style


def _figure():
    fig = style.figure((3, 2))
    fig.subplots().plot([0, 1, 2], [1, 3, 2])
    return fig


def test_default_root_is_project_outputs(monkeypatch):
    monkeypatch.delenv(outputs.OUTPUTS_ENV, raising=False)
    assert outputs.output_root() == PROJECT_ROOT / "outputs"
    assert outputs.region_dir("trier") == PROJECT_ROOT / "outputs" / "trier"


def test_env_overrides_root(tmp_path, monkeypatch):
    monkeypatch.setenv(outputs.OUTPUTS_ENV, str(tmp_path))
    assert outputs.region_dir("trier") == tmp_path / "trier"


def test_save_table_writes_csv_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv(outputs.OUTPUTS_ENV, str(tmp_path))
    table = pd.DataFrame({"Gebiet": ["Trier-Saarburg", "Trier"], "Einwohner 2020": [150_533, 110_674],
                          "Anteil 65+ (%)": [22.5, 20.25]})
    path = outputs.save_table(table, "trier", "kennzahlen")
    assert path == tmp_path / "trier" / "tables" / "kennzahlen.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: spreadsheet programs detect UTF-8
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "Gebiet;Einwohner 2020;Anteil 65+ (%)", "Trier-Saarburg;150533;22,5", "Trier;110674;20,25"]
    outputs.save_table(table.iloc[:1], "trier", "kennzahlen")  # overwrite in place
    assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 2
    assert sorted(p.name for p in path.parent.iterdir()) == ["kennzahlen.csv"]  # no temp files left


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_save_figure(tmp_path, monkeypatch, fmt):
    monkeypatch.setenv(outputs.OUTPUTS_ENV, str(tmp_path))
    first = outputs.save_figure(_figure(), "erfurt", "linie", fmt=fmt).read_bytes()
    path = outputs.save_figure(_figure(), "erfurt", "linie", fmt=fmt)
    assert path == tmp_path / "erfurt" / "figures" / f"linie.{fmt}"
    assert path.read_bytes() == first  # deterministic: no date, fixed hash salt
    assert sorted(p.name for p in path.parent.iterdir()) == [f"linie.{fmt}"]
    if fmt == "svg":
        assert b"<dc:date>" not in first


def test_failed_figure_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv(outputs.OUTPUTS_ENV, str(tmp_path))

    class Broken:
        def savefig(self, *args, **kwargs):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        outputs.save_figure(Broken(), "rostock", "kaputt")
    assert list((tmp_path / "rostock" / "figures").iterdir()) == []
