"""Module 1 end to end: notebooks/01_zentrale_funktionen.ipynb runs for two regions (a
kreisfreie Stadt and a city inside a Landkreis) and writes tables with official values."""

from __future__ import annotations

import pytest
from conftest import execute_for_regions, read_output_table

from regiopol.core.paths import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "01_zentrale_funktionen.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed for Trier and Paderborn (once for all tests of this file)."""
    out = tmp_path_factory.mktemp("module1")
    return out, execute_for_regions(NOTEBOOK, ("trier", "paderborn"), out)


@pytest.mark.parametrize("slug", ["trier", "paderborn"])
def test_runs_without_errors_and_writes_every_part(executed, slug):
    out, notebooks = executed
    outputs = [o for c in notebooks[slug]["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    markdown = "".join("".join(o["data"].get("text/markdown", "")) for o in outputs if "data" in o)
    assert f"# Zentrale Funktionen: {slug.capitalize()}" in markdown
    # the areas without official Kreis data are named plainly
    assert "Für Energie liegen in den eingebundenen amtlichen Daten keine Kreisindikatoren vor" in markdown
    assert "indicators.toml" not in markdown  # no instructions to edit configuration in a report
    assert "Für Digitalisierung liegen in den eingebundenen amtlichen Daten keine Kreisindikatoren vor" in markdown
    for name in ("01_profil_gesundheit.svg", "01_profil_gesundheit_trend.svg", "01_bedeutungsueberschuss.svg",
                 "01_huff_betten.png", "01_huff_studierende.png", "01_2sfca_betten.png"):
        assert (out / slug / "figures" / name).is_file(), name
    for name in ("01_bereiche", "01_bedeutungsueberschuss", "01_arbeitsplatzzentralitaet", "01_anteile_kern",
                 "01_einzugsbereich", "01_huff_betten", "01_huff_sensitivitaet_betten", "01_2sfca_betten",
                 "01_checkliste", "01_checkliste_vergleich"):
        assert (out / slug / "tables" / f"{name}.csv").is_file(), name


def test_trier_tables_hold_official_values(executed):
    out, _ = executed
    health = read_output_table(out, "trier", "01_profil_gesundheit").set_index("Indikator")
    beds = health.loc["Krankenhausbetten"]
    assert beds["Jahr"] == "2021"
    assert beds["Trier"] == pytest.approx(13.45)  # INKAR q_betten_bev, Trier 07211, 2021
    assert beds["Deutschland"] == pytest.approx(5.81)  # INKAR q_betten_bev, Bund, 2021
    assert 0 <= beds["Perzentilrang unter allen Kreisen (100 = günstigster)"] <= 100
    education = read_output_table(out, "trier", "01_profil_bildung").set_index("Indikator")
    assert education.loc["Studierende", "Trier"] == pytest.approx(149.24)  # INKAR q_stud 2021
    checklist = read_output_table(out, "trier", "01_checkliste").set_index("Kriterium")
    assert checklist.loc["Fernverkehrsbahnhof", "Erfüllt"] == "ja"
    assert "Trier Hbf" in checklist.loc["Fernverkehrsbahnhof", "Beleg"]
    assert checklist.loc["Oberzentrum laut Landesplanung", "Erfüllt"] == "ja"
    jobs = read_output_table(out, "trier", "01_arbeitsplatzzentralitaet").set_index("Gebiet")
    # 13111-07-05-4: 55.277 employees at place of work 30.06.2020; population 31.12.2020 110.674
    assert jobs.loc["Trier, kreisfreie Stadt", "Beschäftigte am Arbeitsort 2020"] == 55_277
    assert jobs.loc["Trier, kreisfreie Stadt", "Beschäftigte je 1.000 EW"] == pytest.approx(
        1000 * 55_277 / 110_674, abs=0.05)


def test_paderborn_is_measured_as_its_landkreis(executed):
    out, notebooks = executed
    health = read_output_table(out, "paderborn", "01_profil_gesundheit").set_index("Indikator")
    assert health.loc["Krankenhausbetten", "Kreis Paderborn"] == pytest.approx(5.75)  # INKAR 05774, 2021
    markdown = "".join("".join(o["data"].get("text/markdown", "")) for c in notebooks["paderborn"]["cells"]
                       if c["cell_type"] == "code" for o in c["outputs"] if "data" in o)
    assert "kreisangehörige Stadt" in markdown
    # the lead area Digitalisierung has no official data here: the report says so
    assert "Für Digitalisierung enthalten die eingebundenen amtlichen Daten keine Kreisindikatoren" in markdown
