"""Module 1 – the German report layer (regiopol.report.zentrale_funktionen): settings and their checks, the
centrality and catchment tables recomputed from the committed tables, the Oberzentrum
checklist against its source tables, the lead area, and the figures' source notes."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from regiopol import clear_caches, data, regions
from regiopol.core.errors import ConfigError
from regiopol.core.paths import DATA_DIR
from regiopol.methods import catchment, centrality, checklist, profile
from regiopol.report import common, zentrale_funktionen

SETTINGS_TOML = (DATA_DIR / "zentrale_funktionen.toml").read_text(encoding="utf-8")
TRIER_KREISE = ["07211", "07231", "07232", "07233", "07235"]
NAMES = ["Bielefeld", "Erfurt", "Koblenz", "Paderborn", "Rostock", "Siegen", "Trier", "Würzburg"]


@pytest.fixture
def settings_file(tmp_path, monkeypatch):
    """Point checklist.settings() at a copy of the settings file in tmp_path; returns its path."""
    path = tmp_path / checklist.SETTINGS_FILE
    path.write_text(SETTINGS_TOML, encoding="utf-8")
    monkeypatch.setattr(checklist, "data_dir", lambda: tmp_path)
    clear_caches()
    yield path
    monkeypatch.undo()
    clear_caches()


def _kreis_population_2020() -> pd.Series:
    return data.load("kreise").set_index("ags")["population"].astype("float64")


# --------------------------------------------------------------------------- settings

def test_settings_defaults():
    s = checklist.settings()
    assert (s["huff"]["alpha"], s["huff"]["beta"]) == (1.0, 2.0)
    assert s["two_step_fca"]["threshold_km"] == 30
    assert s["two_step_fca"]["thresholds_km"] == [20, 30, 45, 60]
    assert s["huff"]["alphas"] == [0.5, 1.0, 1.5] and s["huff"]["betas"] == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert s["huff"]["min_probability"] == 0.05
    assert (s["oberzentrum"]["schwerpunkt_beds"], s["oberzentrum"]["catchment_population"]) == (500, 200_000)
    assert s["huff"]["source"].startswith("Huff, D. L. (1963)")


def _without_line(text: str, section: str, key: str) -> str:
    """``text`` without the line ``key = …`` of ``[section]``."""
    head, rest = text.split(f"[{section}]", 1)
    rest = re.sub(rf"(?m)^{key} = .*\n", "", rest, count=1)
    return f"{head}[{section}]{rest}"


def _without_section(text: str, section: str) -> str:
    return re.sub(rf"(?ms)^\[{section}\]\n.*?(?=^\[|\Z)", "", text)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (SETTINGS_TOML.replace("beta = 2.0", "beta = -2.0"), "huff.beta", "beta -2.0 must be at least 0"),
        (_without_line(SETTINGS_TOML, "huff", "source"), "huff.source", "required field 'source' is missing"),
        (re.sub(r"(?m)^schwerpunkt_source = .*$", 'schwerpunkt_source = "  "', SETTINGS_TOML),
         "oberzentrum.schwerpunkt_source", "required field 'schwerpunkt_source' is missing or empty"),
        (SETTINGS_TOML.replace("threshold_km = 30", 'threshold_km = "30"'), "two_step_fca.threshold_km",
         "threshold_km '30' is not a finite number"),
        (SETTINGS_TOML.replace("threshold_km = 30", "threshold_km = 0"), "two_step_fca.threshold_km",
         "threshold_km 0 must be greater than 0 (km)"),
        (SETTINGS_TOML.replace("alpha = 1.0", "alpha = true"), "huff.alpha", "alpha True is not a finite number"),
        (SETTINGS_TOML.replace("alphas = [0.5, 1.0, 1.5]", "alphas = []"), "huff.alphas",
         "required field 'alphas' is missing or empty"),
        (SETTINGS_TOML.replace("betas = [1.0, 1.5, 2.0, 2.5, 3.0]", 'betas = [1.0, "2"]'), "huff.betas[1]",
         "betas[1] '2' is not a finite number"),
        (SETTINGS_TOML.replace("min_probability = 0.05", "min_probability = nan"), "huff.min_probability",
         "min_probability nan is not a finite number"),
        (_without_section(SETTINGS_TOML, "oberzentrum"), "oberzentrum", "required field 'oberzentrum' is missing"),
        (SETTINGS_TOML.replace("catchment_population = 200000", "catchment_population = -1"),
         "oberzentrum.catchment_population", "catchment_population -1 must be at least 0 (Einwohner)"),
    ],
)
def test_settings_bad_values_name_the_field(settings_file, text, field, message):
    settings_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        checklist.settings()
    assert err.value.field == field
    assert err.value.file == str(settings_file)
    assert f"field '{field}'" in str(err.value)


def test_settings_test_helpers_change_what_they_should():
    assert "source = \"Huff" not in _without_line(SETTINGS_TOML, "huff", "source")
    assert "source = \"Luo" in _without_line(SETTINGS_TOML, "huff", "source")
    stripped = _without_section(SETTINGS_TOML, "oberzentrum")
    assert "[oberzentrum]" not in stripped and "schwerpunkt_beds" not in stripped and "[two_step_fca]" in stripped


def test_settings_broken_or_missing_file(settings_file):
    settings_file.write_text(SETTINGS_TOML.replace("beta = 2.0", "beta = 2,0"), encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        checklist.settings()
    clear_caches()
    settings_file.unlink()
    with pytest.raises(ConfigError, match="module-1 settings does not exist") as err:
        checklist.settings()
    assert "restore data/zentrale_funktionen.toml" in err.value.fix


def test_settings_section_that_is_not_a_table(settings_file):
    text = "two_step_fca = 30\n" + SETTINGS_TOML.replace("[two_step_fca]", "[two_step]")
    settings_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        checklist.settings()
    assert err.value.field.startswith("two_step_fca")


@pytest.mark.parametrize(("old", "new", "field"), [
    ("thresholds_km = [20, 30, 45, 60]", "thresholds_km = [0, 30]", "two_step_fca.thresholds_km[0]"),
    ("threshold_km = 30", "threshold_km = inf", "two_step_fca.threshold_km"),
])
def test_settings_rejects_thresholds_2sfca_cannot_use(settings_file, old, new, field):
    settings_file.write_text(SETTINGS_TOML.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        checklist.settings()
    assert err.value.field == field


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A full copy of data/ in tmp_path, used through REGIOPOL_DATA_DIR."""
    for pattern in ("*.parquet", "*.toml", "provenance.json"):
        for path in DATA_DIR.glob(pattern):
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("REGIOPOL_DATA_DIR", str(tmp_path))
    clear_caches()
    yield tmp_path
    monkeypatch.undo()
    clear_caches()


def test_settings_drive_the_huff_model(data_copy):
    # the default data give the population served for α = 1, β = 3 in the sensitivity table …
    with pytest.MonkeyPatch.context() as m:
        m.delenv("REGIOPOL_DATA_DIR")
        clear_caches()
        grid = zentrale_funktionen.huff_sensitivity_table("trier", "beds").set_index("α")
        default = zentrale_funktionen.catchment_summary("trier").set_index("Merkmal").loc["Krankenhausbetten"]
    clear_caches()
    # … and a copy of data/ with beta = 3 gives that as the catchment
    settings = data_copy / checklist.SETTINGS_FILE
    settings.write_text(SETTINGS_TOML.replace("beta = 2.0", "beta = 3.0"), encoding="utf-8")
    assert checklist.settings()["huff"]["beta"] == 3.0
    summary = zentrale_funktionen.catchment_summary("trier").set_index("Merkmal").loc["Krankenhausbetten"]
    assert summary["Versorgte Einwohner"] == pytest.approx(1000 * grid.loc[1.0, "Tsd. Einwohner bei β = 3,0"], abs=1)
    assert summary["Versorgte Einwohner"] != default["Versorgte Einwohner"]
    assert "β = 3,0" in zentrale_funktionen.catchment_note()
    assert zentrale_funktionen.huff_table("trier", "beds")["Versorgte Einwohner"].iloc[-1] == summary["Versorgte Einwohner"]


# --------------------------------------------------------------------------- profile table

def test_profile_table_trier_health():
    table = zentrale_funktionen.profile_table("trier", "gesundheit")
    raw = profile.profile("trier", zentrale_funktionen._area_codes("gesundheit"))
    assert list(table["Indikator"]) == ["Ärzte", "Hausärzte", "Allgemeinärzte", "Internisten", "Kinderärzte",
                                        "Krankenhausbetten"]
    assert list(table.columns[:7]) == ["Indikator", "Einheit", "Jahr", "Trier", "Umland", "Region Trier",
                                       "Deutschland"]
    beds = table.set_index("Indikator").loc["Krankenhausbetten"]
    assert (beds["Jahr"], beds["Trier"], beds["Deutschland"]) == ("2021", 13.45, 5.81)
    assert table["Perzentilrang unter allen Kreisen (100 = günstigster)"].to_numpy() == pytest.approx(
        raw["favour_kreise"].to_numpy(), nan_ok=True)
    assert str(table["Rang der Region (von 8, 1 = günstigster Wert)"].dtype) == "Int64"
    assert set(table["Richtung"]) == {"↑"}
    assert zentrale_funktionen.core_label("paderborn") == "Kreis Paderborn"
    assert "Kreis Paderborn" in zentrale_funktionen.profile_table("paderborn", "gesundheit").columns


# --------------------------------------------------------------------------- centrality tables

def test_surplus_table_wuerzburg_beds():
    hospitals = data.load("hospitals")
    beds = hospitals[(hospitals["year"] == 2019) & (hospitals["ags"] == "09663")]["beds"].sum()
    assert beds == 2473
    series = data.load("population_series")
    population_2019 = series[series["year"] == 2019].set_index("ags")["population"].astype("float64")
    all_beds = hospitals[hospitals["year"] == 2019]["beds"].sum()
    rate = 1000 * all_beds / population_2019.sum()  # beds per 1,000 in Germany, 2019

    table = zentrale_funktionen.surplus_table("wuerzburg")
    rows = table[table["Merkmal"] == "Krankenhausbetten"]
    core = rows.iloc[0]
    assert (core["Gebiet"], core[common.COL_ROLE]) == ("Würzburg (Kreisfreie Stadt)", common.ROLE_CORE)
    assert core["Angebot"] == beds
    assert core["Einwohner"] == population_2019["09663"] == 127_934
    assert core["Bund je 1.000 EW"] == pytest.approx(rate, rel=1e-12)
    expected = core["Einwohner"] * core["Bund je 1.000 EW"] / 1000
    assert core["Standortquotient"] == pytest.approx(beds / expected, abs=1e-6)
    assert core["Standortquotient"] == pytest.approx(3.127142, abs=1e-6)
    assert core["Überschuss"] == round(beds - expected)
    assert core["Zusätzlich versorgte EW"] == round((beds - expected) / (rate / 1000))
    region = rows.iloc[-1]
    assert region["Gebiet"] == "Region Würzburg"
    assert region["Angebot"] == rows.iloc[:-1]["Angebot"].sum() == 6795
    assert len(table) == 4 * (9 + 1)  # four measures × (nine Kreise + region)


def test_job_centrality_table_wuerzburg():
    table = zentrale_funktionen.job_centrality_table("wuerzburg")
    core, germany = table.iloc[0], table.iloc[-1]
    assert core["Gebiet"] == "Würzburg (Kreisfreie Stadt)" and germany["Gebiet"] == "Deutschland"
    assert (core["Beschäftigte am Arbeitsort 2020"], core["Einwohner 2020"]) == (91_645, 126_954)
    assert core["Beschäftigte je 1.000 EW"] == pytest.approx(91_645 / 126_954 * 1000)
    employment = data.load("employment")
    jobs = employment[(employment["sector"] == "Insgesamt") & (employment["year"] == 2020)]["employees"].sum()
    assert germany["Beschäftigte am Arbeitsort 2020"] == jobs
    assert germany["Beschäftigte je 1.000 EW"] == pytest.approx(1000 * jobs / 83_155_031)
    assert core["Index 2020"] == pytest.approx(core["Beschäftigte je 1.000 EW"] / germany["Beschäftigte je 1.000 EW"])
    assert (table["Index 2020"].iloc[-1], table["Index 2015"].iloc[-1]) == (pytest.approx(1.0), pytest.approx(1.0))
    # the rows are labelled consistently: each row's ratio belongs to its own Kreis
    assert table.iloc[1]["Beschäftigte je 1.000 EW"] == pytest.approx(
        1000 * table.iloc[1]["Beschäftigte am Arbeitsort 2020"] / table.iloc[1]["Einwohner 2020"])


def test_core_shares_table_wuerzburg_beds():
    table = zentrale_funktionen.core_shares_table("wuerzburg").set_index("Merkmal")
    beds = table.loc["Krankenhausbetten"]
    assert (beds["Würzburg"], beds["Region Würzburg"]) == (2473, 6795)
    assert beds["Anteil des Kerns (%)"] == pytest.approx(100 * 2473 / 6795)
    assert beds["Bevölkerungsanteil des Kerns (%)"] == pytest.approx(100 * 127_934 / 943_674)
    assert beds["Verhältnis"] == pytest.approx((2473 / 6795) / (127_934 / 943_674))


# --------------------------------------------------------------------------- Huff

def _huff_trier(measure: str, alpha: float = 1.0, beta: float = 2.0) -> pd.Series:
    p = catchment.huff(centrality.supply()[measure], catchment.kreis_distances(), alpha, beta)
    return p["07211"]


def test_huff_table_trier_beds():
    p = _huff_trier("beds")
    population = _kreis_population_2020()
    table = zentrale_funktionen.huff_table("trier", "beds")
    kreise, total = table.iloc[:-1], table.iloc[-1]
    probability = kreise["Wahrscheinlichkeit (%)"]
    assert ((probability > 0) & (probability <= 100)).all()
    assert probability.is_monotonic_decreasing
    assert probability.to_numpy() == pytest.approx(100 * p[kreise["AGS"]].to_numpy())
    # listed: every Kreis with P ≥ 5 % plus the whole region
    assert set(kreise["AGS"]) == set(p.index[p >= 0.05]) | set(TRIER_KREISE)
    assert "10042" in set(kreise["AGS"])  # Merzig-Wadern (Saarland), outside the region
    by_ags = kreise.set_index("AGS")
    assert by_ags.loc["07235", "In der Region"] == "ja" and by_ags.loc["10042", "In der Region"] == "nein"
    assert by_ags.loc["07235", "Kreis"] == "Trier-Saarburg"
    assert by_ags.loc["07235", "Versorgte Einwohner"] == round(p["07235"] * population["07235"])
    assert total["Kreis"] == "Alle 400 Kreise zusammen" and pd.isna(total["Wahrscheinlichkeit (%)"])
    assert total["Versorgte Einwohner"] == round(float((p * population[p.index]).sum()))
    assert total["Versorgte Einwohner"] == 298_545


def test_huff_sensitivity_table_trier():
    table = zentrale_funktionen.huff_sensitivity_table("trier", "beds")
    assert list(table.columns) == ["α"] + [f"Tsd. Einwohner bei β = {b}" for b in ("1,0", "1,5", "2,0", "2,5", "3,0")]
    assert list(table["α"]) == [0.5, 1.0, 1.5]
    grid = table.set_index("α")
    summary = zentrale_funktionen.catchment_summary("trier").set_index("Merkmal")
    served = summary.loc["Krankenhausbetten", "Versorgte Einwohner"]
    assert 1000 * grid.loc[1.0, "Tsd. Einwohner bei β = 2,0"] == pytest.approx(served,
                                                               abs=1)
    population = _kreis_population_2020()
    p = _huff_trier("beds", alpha=0.5, beta=1.0)
    assert 1000 * grid.loc[0.5, "Tsd. Einwohner bei β = 1,0"] == pytest.approx(float((p * population[p.index]).sum()))
    students = zentrale_funktionen.huff_sensitivity_table("trier", "students").set_index("α")
    assert 1000 * students.loc[1.0, "Tsd. Einwohner bei β = 2,0"] == pytest.approx(
        summary.loc["Studierende", "Versorgte Einwohner"], abs=1)


def test_catchment_summary_trier_adds_up():
    summary = zentrale_funktionen.catchment_summary("trier").set_index("Merkmal")
    assert list(summary.index) == ["Krankenhausbetten", "Studierende"]
    for _, row in summary.iterrows():
        parts = row["davon im Kernkreis"] + row["davon im Umland der Region"] + row["davon außerhalb der Region"]
        assert abs(parts - row["Versorgte Einwohner"]) <= 2  # each part rounded on its own
        assert row["Einwohner des Kernkreises"] == 110_674
        assert row["Verhältnis zur eigenen Bevölkerung"] == pytest.approx(row["Versorgte Einwohner"] / 110_674,
                                                                          abs=1e-5)
    p = _huff_trier("students")
    assert summary.loc["Studierende", "davon im Kernkreis"] == round(p["07211"] * 110_674)


# --------------------------------------------------------------------------- 2SFCA

def _haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def test_fca_table_trier():
    table = zentrale_funktionen.fca_table("trier")
    columns = [f"Betten je 1.000 EW ≤ {t} km" for t in (20, 30, 45, 60)]
    assert list(table.columns) == ["AGS", "Gebiet", common.COL_ROLE, *columns]
    assert list(table["AGS"][:5]) == TRIER_KREISE

    # Germany: Σ_i A_i·P_i equals the beds of all sites with someone within reach (supply is
    # conserved), so the population-weighted German mean is Σ beds 2019 / Σ population 2020,
    # the same for every threshold. It could fall slightly below that at the smallest
    # threshold (20 km) if some hospital site had no Gemeinde centroid within 20 km – its beds
    # would reach no one. In the 2019 data every site has one, so all four are equal.
    # (The surplus table's 6.1815 differs: it divides by the population of 2019, not 2020.)
    hospitals = data.load("hospitals")
    beds = hospitals.loc[hospitals["year"] == 2019, "beds"].sum()
    gemeinden = data.load("gemeinden").dropna(subset=["lat", "lon"])
    germany = table[table["Gebiet"] == "Deutschland"].iloc[0]
    assert beds == 514_091 and gemeinden["population"].sum() == 83_155_031
    for column in columns:
        assert germany[column] == pytest.approx(1000 * beds / 83_155_031, rel=1e-9)
    assert germany[columns[1]] == pytest.approx(6.18232, abs=1e-5)

    # the region: population-weighted mean of its Kreise
    population = _kreis_population_2020()[TRIER_KREISE].to_numpy()
    region = table[table["Gebiet"] == "Region Trier"].iloc[0]
    for column in columns:
        assert region[column] == pytest.approx(np.average(table[column][:5], weights=population))

    # the core (Trier is one Gemeinde) at 30 km, by brute force: A = Σ_j S_j / P(within 30 km of j)
    sites = hospitals[(hospitals["year"] == 2019) & (hospitals["beds"] > 0)]
    trier = gemeinden.set_index("gemeinde_ags").loc["07211000"]
    near = sites[_haversine(trier["lat"], trier["lon"], sites["lat"].to_numpy(), sites["lon"].to_numpy()) <= 30]
    assert len(near) > 3
    people = gemeinden["population"].astype("float64").to_numpy()
    accessibility = sum(
        site["beds"] / people[_haversine(site["lat"], site["lon"], gemeinden["lat"].to_numpy(),
                                         gemeinden["lon"].to_numpy()) <= 30].sum()
        for _, site in near.iterrows())
    assert table.iloc[0][columns[1]] == pytest.approx(1000 * accessibility, rel=1e-9)


# --------------------------------------------------------------------------- checklist

def _checklist(region) -> pd.Series:
    return zentrale_funktionen.checklist(region).set_index("Kriterium")


def test_checklist_trier():
    table = zentrale_funktionen.checklist("trier")
    assert list(table.columns) == ["Kriterium", "Erfüllt", "Beleg", "Quelle"]
    assert set(table["Erfüllt"]) <= {"ja", "nein", zentrale_funktionen.CHECK_NOT_TESTED}
    rows = table.set_index("Kriterium")
    assert rows.loc["Fernverkehrsbahnhof", "Erfüllt"] == "ja"
    assert "Trier Hbf" in rows.loc["Fernverkehrsbahnhof", "Beleg"]
    assert rows.loc["Universität", "Erfüllt"] == "ja" and "Universität Trier" in rows.loc["Universität", "Beleg"]
    served = zentrale_funktionen.catchment_summary("trier").set_index("Merkmal").loc["Krankenhausbetten", "Versorgte Einwohner"]
    catchment_row = rows.loc[[k for k in rows.index if k.startswith("Einzugsbereich")][0]]
    assert catchment_row["Erfüllt"] == ("ja" if served >= 200_000 else "nein") == "ja"
    assert "298.545" in catchment_row["Beleg"]


def test_checklist_siegen_has_no_long_distance_station():
    stations = data.load("rail_stations")
    siegen = stations[stations["gemeinde_ags"] == "05970040"].set_index("name")
    # DB 2016: five stations in the city, none with Fernverkehr = ja (also not "Siegen", category 3)
    assert len(siegen) == 5 and not siegen["long_distance"].any()
    assert siegen.loc["Siegen", "category"] == 3
    rows = _checklist("siegen")
    assert rows.loc["Fernverkehrsbahnhof", "Erfüllt"] == "nein"
    assert rows.loc["Fernverkehrsbahnhof", "Beleg"] == "keiner"


def test_checklist_wuerzburg_university_and_hospital():
    universities = data.load("universities")
    jmu = universities[universities["name"].str.contains("Julius-Maximilians")]
    assert len(jmu) == 1 and jmu.iloc[0]["ags"] == "09663" and jmu.iloc[0]["type"] == "Universitäten"
    rows = _checklist("wuerzburg")
    assert rows.loc["Universität", "Erfüllt"] == "ja"
    assert "Julius-Maximilians-Universität Würzburg" in rows.loc["Universität", "Beleg"]
    assert f"{jmu.iloc[0]['students']:,}".replace(",", ".") + " Studierende" in rows.loc["Universität", "Beleg"]
    hospital = rows.loc[[k for k in rows.index if k.startswith("Schwerpunktkrankenhaus")][0]]
    assert hospital["Erfüllt"] == "ja" and "Universitätsklinikum Würzburg, 1.438 Betten" in hospital["Beleg"]


def test_checklist_oberzentrum_follows_central_places(monkeypatch):
    places = data.load("central_places").set_index("gemeinde_ags")
    for r in regions.load():
        code = r.core_gemeinde or f"{r.core_kreis}000"
        row = _checklist(r).loc["Oberzentrum laut Landesplanung"]
        assert row["Erfüllt"] == ("ja" if places.loc[code, "level"] == "Oberzentrum" else "nein")
        assert row["Beleg"] == f"{places.loc[code, 'name']}: {places.loc[code, 'level']}"
    # downgrade Trier in the table: the checklist follows
    load = data.load

    def downgraded(name, *args, **kwargs):
        table = load(name, *args, **kwargs)
        if name == "central_places":
            table.loc[table["gemeinde_ags"] == "07211000", "level"] = "Mittelzentrum"
        return table

    monkeypatch.setattr(data, "load", downgraded)
    row = _checklist("trier").loc["Oberzentrum laut Landesplanung"]
    assert (row["Erfüllt"], row["Beleg"]) == ("nein", "Trier, Stadt: Mittelzentrum")


def test_checklist_comparison():
    table = zentrale_funktionen.checklist_comparison()
    assert list(table.columns) == ["Kriterium", *NAMES]
    assert len(table.columns) == 9
    assert list(table["Kriterium"]) == list(zentrale_funktionen.checklist("trier")["Kriterium"])
    rows = table.set_index("Kriterium")
    assert rows.loc["Fernverkehrsbahnhof"].to_dict() == {n: ("nein" if n == "Siegen" else "ja") for n in NAMES}
    assert list(rows["Trier"]) == list(zentrale_funktionen.checklist("trier")["Erfüllt"])
    assert (rows.iloc[-1] == zentrale_funktionen.CHECK_NOT_TESTED).all()


# --------------------------------------------------------------------------- lead area

def test_lead_area_published():
    assert profile.lead_area("trier") == ("gesundheit", True)
    assert profile.lead_area("wuerzburg") == ("wirtschaft", True)


def test_lead_area_unpublished_is_the_strongest_area():
    assert regions.get("erfurt").lead_area == "unknown"
    strongest = profile.strongest_area("erfurt")
    assert profile.lead_area("erfurt") == (strongest, False)
    assert strongest in zentrale_funktionen.areas_with_data()
    # independently: mean percentile rank among the Regiopolen, "lower is better" reversed
    table = profile.profile("erfurt")
    assert profile.area_scores("erfurt").index[0] == strongest
    table = table[table["direction"] != "neutral"]
    score = np.where(table["direction"] == "lower", 100 - table["rank_regiopolen"], table["rank_regiopolen"])
    means = pd.Series(score, index=table.index).groupby(table["area"]).mean()
    assert strongest == means.idxmax()
    assert means[strongest] > means.drop(strongest).max()  # a clear winner, no tie


# --------------------------------------------------------------------------- figures

def test_figures_have_a_source_note():
    figures = {
        "plot_profile": zentrale_funktionen.plot_profile("trier", "gesundheit"),
        "plot_trend": zentrale_funktionen.plot_trend("trier", "gesundheit"),
        "plot_surplus": zentrale_funktionen.plot_surplus("trier"),
        "plot_job_centrality": zentrale_funktionen.plot_job_centrality("trier"),
        "plot_huff_map": zentrale_funktionen.plot_huff_map("trier", "beds"),
        "plot_fca_map": zentrale_funktionen.plot_fca_map("trier"),
    }
    for name, fig in figures.items():
        assert isinstance(fig, Figure), name
        assert fig.axes, name
        notes = [t.get_text() for t in fig.texts if t.get_text().startswith("Quelle")]
        assert notes, f"{name}: no source note"
        assert "eigene Berechnung (regiopol)" in notes[0], name
    assert "G-BA" in " ".join(t.get_text() for t in figures["plot_huff_map"].texts)


def test_checklist_leaves_out_distance_learning_providers():
    # IU Internationale Hochschule has its seat in Erfurt but teaches at a distance (108.364 students)
    universities = data.load("universities")
    assert (universities["name"].str.startswith("IU Internationale") & (universities["ags"] == "16051")).any()
    evidence = " ".join(zentrale_funktionen.checklist("erfurt")["Beleg"])
    assert "IU Internationale" not in evidence
    assert "Universität Erfurt" in evidence


def test_checklist_facts_in_numbers():
    threshold = checklist.settings()["oberzentrum"]["catchment_population"]
    siegen = checklist.check("siegen", served=threshold).frame().set_index("criterion")["met"]
    assert list(siegen.index) == list(checklist.CRITERIA)
    assert not siegen["long_distance_station"]  # DB 2016: no ICE/IC stop
    assert bool(siegen["catchment"]) and pd.isna(siegen["culture"])  # served = threshold counts as met
    below = checklist.check("siegen", served=threshold - 1).frame().set_index("criterion")["met"]
    assert not below["catchment"]
    wuerzburg = checklist.check("wuerzburg", served=0)
    assert wuerzburg.hospitals["beds"].max() >= 1438 and bool(wuerzburg.frame().set_index("criterion").loc[
        "schwerpunkt_hospital", "met"])
    assert repr(wuerzburg).startswith("Checklist(wuerzburg:")
