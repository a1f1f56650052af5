"""Module 0 (region overview): real values from the committed tables, deterministic figures,
and a smoke run of notebooks/00_ueberblick.ipynb."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from regiopol import data, regions
from regiopol.core.paths import PROJECT_ROOT
from regiopol.report import common, style, ueberblick

NOTEBOOK = PROJECT_ROOT / "notebooks" / "00_ueberblick.ipynb"


@pytest.fixture
def out(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIOPOL_OUTPUT_DIR", str(tmp_path))
    return tmp_path


def test_key_facts_bielefeld_real_values():
    facts = ueberblick.key_facts("bielefeld")
    kreise = data.load("kreise").set_index("ags")
    assert list(facts["AGS"][:4]) == ["05711", "05754", "05758", "05766"]
    core = facts.iloc[0]
    assert core["Rolle"] == ueberblick.ROLE_CORE
    assert core["Einwohner 2020"] == 333_509
    area = kreise.loc["05711", "area_km2"]
    assert area == pytest.approx(258.8, abs=0.1)
    assert core["Fläche (km²)"] == area
    assert core["Dichte (EW/km²)"] == pytest.approx(333_509 / area)
    germany = facts[facts["Gebiet"] == "Deutschland"].iloc[0]
    assert germany["Einwohner 2020"] == 83_155_031
    assert germany["Fläche (km²)"] == pytest.approx(kreise["area_km2"].sum())
    region = facts[facts["Rolle"] == ueberblick.ROLE_REGION].iloc[0]
    assert region["Einwohner 2020"] == facts["Einwohner 2020"][:4].sum()
    assert list(facts.columns) == ["AGS", "Gebiet", "Rolle", "Fläche (km²)", "Einwohner 2020", "Dichte (EW/km²)",
                                   "Veränderung 2015–2020 (%)", "Anteil unter 18 (%)", "Anteil 65+ (%)"]


def test_age_shares_hand_computed():
    ages = data.load("population_by_age")
    lippe = ages[(ages["ags"] == "05766") & (ages["year"] == 2020)]
    total = lippe["population"].sum()
    old = lippe[lippe["age_group"].isin(["65 bis unter 75 Jahre", "75 Jahre und mehr"])]["population"].sum()
    young = lippe[lippe["age_from"] < 18]["population"].sum()
    facts = ueberblick.key_facts("bielefeld").set_index("AGS")
    assert facts.loc["05766", "Anteil 65+ (%)"] == pytest.approx(100 * old / total)
    assert facts.loc["05766", "Anteil unter 18 (%)"] == pytest.approx(100 * young / total)
    assert 15 < facts.loc["05766", "Anteil 65+ (%)"] < 30


def test_change_2015_2020_from_population_series():
    series = data.load("population_series").set_index(["ags", "year"])["population"]
    facts = ueberblick.key_facts("trier").set_index("AGS")
    expected = 100 * (series["07233", 2020] / series["07233", 2015] - 1)
    assert facts.loc["07233", "Veränderung 2015–2020 (%)"] == pytest.approx(expected)


def test_gemeinde_core_row_for_paderborn():
    facts = ueberblick.key_facts("paderborn")
    assert facts.iloc[0]["Rolle"] == ueberblick.ROLE_CORE_KREIS
    city = facts.iloc[1]
    assert city["AGS"] == "05774032" and city["Rolle"] == ueberblick.ROLE_CORE
    gemeinden = data.load("gemeinden").set_index("gemeinde_ags")
    assert city["Einwohner 2020"] == gemeinden.loc["05774032", "population"]
    # the city row is not part of the region total
    region = facts[facts["Rolle"] == ueberblick.ROLE_REGION].iloc[0]
    assert region["Einwohner 2020"] == facts.iloc[[0, 2]]["Einwohner 2020"].sum()


def test_trend_table_equals_population_series():
    trend = ueberblick.population_trend("trier")
    series = data.load("population_series")
    s2020 = series[series["year"] == 2020].set_index("ags")["population"]
    kreise = trend.iloc[:-1]
    assert list(kreise["AGS"]) == ["07211", "07231", "07232", "07233", "07235"]
    assert list(kreise["2020"]) == [int(s2020[a]) for a in kreise["AGS"]]
    assert trend.iloc[-1]["2020"] == sum(int(s2020[a]) for a in kreise["AGS"])
    assert [c for c in trend.columns if c.isdigit()] == [str(y) for y in range(1995, 2021)]
    index = ueberblick.trend_index("trier")
    assert (index.loc[1995] == 100).all()


def test_trend_text_uses_the_actual_change():
    text = ueberblick.trend_text("trier").data
    trend = ueberblick.population_trend("trier").iloc[-1]
    change = trend["2020"] / trend["1995"] - 1
    from regiopol.core import fmt

    assert fmt.signed_percent(change) in text
    assert fmt.number(trend["2020"]) in text


def test_age_structure_sums_to_100():
    table = ueberblick.age_structure("rostock")
    assert len(table) == 17
    region = table["Männer Region (%)"].sum() + table["Frauen Region (%)"].sum()
    germany = table["Männer Deutschland (%)"].sum() + table["Frauen Deutschland (%)"].sum()
    assert region == pytest.approx(100) and germany == pytest.approx(100)
    row = table[table["von"] == 20].iloc[0]  # 20 to under 25: width 5
    assert row["Frauen Region (% je Altersjahr)"] == pytest.approx(row["Frauen Region (%)"] / 5)


def test_core_city_points():
    gemeinden = data.load("gemeinden").set_index("gemeinde_ags")
    assert regions.get("siegen").core_point() == (gemeinden.loc["05970040", "lon"], gemeinden.loc["05970040", "lat"])
    lon, lat = regions.get("trier").core_point()
    assert 49.6 < lat < 49.9 and 6.5 < lon < 6.8


def test_sources_table():
    table = ueberblick.sources("trier")
    assert list(table.columns) == ["Quelle", "Tabelle", "Stand", "Lizenz"]
    assert any("12411-0018" in t for t in table["Tabelle"])
    assert any("GeoBasis-DE" in q for q in table["Quelle"])


def test_show_formats_german():
    html = common.show(ueberblick.key_facts("bielefeld")).to_html()
    assert "333.509" in html and "83.155.031" in html
    assert html == common.show(ueberblick.key_facts("bielefeld")).to_html()  # stable ids


def test_intro_names_the_region():
    text = ueberblick.intro("wuerzburg").data
    assert text.startswith("# Regionsüberblick: Würzburg")


def test_figures_saved_and_deterministic(out):
    from regiopol.core import outputs

    svgs = []
    for _ in range(2):
        path = outputs.save_figure(ueberblick.plot_age_pyramid("trier"), "trier", "pyramide")
        svgs.append(path.read_bytes())
    assert svgs[0] == svgs[1]
    text = svgs[0].decode("utf-8")
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", text) and "<dc:date>" not in text
    trend = outputs.save_figure(ueberblick.plot_population_trend("trier"), "trier", "trend")
    assert trend.read_bytes() == outputs.save_figure(ueberblick.plot_population_trend("trier"), "trier", "trend").read_bytes()
    png = common.save(ueberblick.plot_region_map("trier"), "trier", "karte", fmt="png")
    path = out / "trier" / "figures" / "karte.png"
    assert path.is_file() and path.read_bytes()[:4] == b"\x89PNG"
    assert path.stat().st_size < 600_000
    assert png.data[:4] == b"\x89PNG"
    assert (out / "trier" / "figures" / "pyramide.svg").is_file()


def test_german_tick_formatter():
    formatter = style.german_formatter(1)
    assert formatter(1234.5) == "1.234,5"
    assert style.german_formatter(2, absolute=True)(-0.25) == "0,25"


def _kernel_name() -> str:
    result = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
                            capture_output=True, text=True, check=True)
    return "regiopol" if "regiopol" in json.loads(result.stdout)["kernelspecs"] else "python3"


@pytest.mark.parametrize("slug", ["siegen"])
def test_notebook_runs(slug, out):
    import papermill

    executed = out / f"00_ueberblick_{slug}.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(executed), parameters={"region": slug},
                               kernel_name=_kernel_name(), cwd=str(out), progress_bar=False)
    nb = json.loads(executed.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    markdown = "".join("".join(o["data"].get("text/markdown", "")) for o in outputs if "data" in o)
    assert "# Regionsüberblick: Siegen" in markdown
    for name in ("00_karte.png", "00_bevoelkerungsentwicklung.svg", "00_alterspyramide.svg"):
        assert (out / slug / "figures" / name).is_file()
    kennzahlen = pd.read_csv(out / slug / "tables" / "00_kennzahlen.csv", sep=";", decimal=",",
                             encoding="utf-8-sig", dtype={"AGS": str}).set_index("AGS")
    assert kennzahlen.index[0] == "05970"
    assert kennzahlen.loc["05970040", "Einwohner 2020"] == 101_943  # Siegen, GV100AD 31.12.2020
    assert kennzahlen.loc["05966", "Einwohner 2020"] == 133_362  # Olpe, 12411-0018 31.12.2020


def test_a_city_and_its_landkreis_of_the_same_name_stay_apart():
    import dataclasses

    kassel = dataclasses.replace(regions.get("trier"), slug="kassel", name="Kassel", core_kreis="06611",
                                 kreise=("06611", "06633"))
    index = ueberblick.trend_index(kassel)
    assert list(index.columns) == ["Kassel, Stadt", "Landkreis Kassel", "Region Kassel", "Deutschland"]
    series = data.load("population_series").set_index(["ags", "year"])["population"]
    assert index.loc[2020, "Landkreis Kassel"] == pytest.approx(100 * series[("06633", 2020)] / series[("06633", 1995)])
    text = ueberblick.trend_text(kassel).data
    assert "Landkreis Kassel" in text and "Kassel, Stadt" in text
