"""The embedded data set: build from the raw files, provenance, invariants, loading."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from regiopol import data
from regiopol.core.errors import MissingInputError
from regiopol.core.paths import DATA_DIR
from regiopol.data import build, check
from regiopol.methods import indicators


@pytest.fixture(scope="session")
def fresh_build(raw_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    shutil.copy(DATA_DIR / "regions.toml", out / "regions.toml")
    return build.build(raw_dir, out, selection=indicators.inkar_selection())


def test_committed_data_passes_check():
    report = check.run()
    assert report.ok, report.summary()


def test_build_reproduces_the_committed_tables(fresh_build):
    committed = data.provenance()["tables"]
    for name, entry in fresh_build.provenance["tables"].items():
        assert entry["rows"] == committed[name]["rows"], name
        fresh = data.load(name, fresh_build.out)
        pd.testing.assert_frame_equal(fresh, data.load(name), check_like=False, obj=name)


def test_build_is_deterministic(raw_dir, fresh_build, tmp_path):
    again = build.build(raw_dir, tmp_path, selection=indicators.inkar_selection())
    first = {n: e["sha256"] for n, e in fresh_build.provenance["tables"].items()}
    assert first == {n: e["sha256"] for n, e in again.provenance["tables"].items()}


def test_provenance_names_source_and_licence():
    tables = data.provenance()["tables"]
    assert set(tables) == set(data.TABLES)
    by_age = tables["population_by_age"]
    assert by_age["sources"][0]["table"] == "12411-0018"
    assert "dl-de/by-2-0" in by_age["sources"][0]["licence"]
    assert by_age["sources"][0]["stand"].startswith("17.08.2021")
    for name, entry in tables.items():
        assert entry["sources"], f"{name} has no source"
        assert entry["sha256"].startswith("sha256:")


def test_committed_data_is_small():
    size = sum(p.stat().st_size for p in DATA_DIR.iterdir() if p.is_file())
    assert size <= 25 * 1024**2


def test_real_values_in_the_embedded_tables():
    by_age = data.load("population_by_age")
    assert by_age.query("year == 2020")["population"].sum() == 83_155_031
    assert by_age.query("year == 2020 and ags == '05711'")["population"].sum() == 333_509
    series = data.load("population_series").set_index(["ags", "year"])["population"]
    # Eisenach (16056) merged into the Wartburgkreis on 01.07.2021: 16063 carries both.
    raw_2020 = {"16056": 41_970, "16063": 117_967}  # 12411-0018, 31.12.2020 (m + w)
    assert series.loc[("16063", 2020)] == sum(raw_2020.values())
    assert ("16056", 2020) not in series.index
    kreise = data.load("kreise")
    assert len(kreise) == 400 and kreise["ags"].is_unique


def test_germany_reference_values():
    germany = data.load("inkar_germany")
    assert list(germany.columns) == ["year", "indicator", "value"]
    assert germany["year"].dtype == "int64" and germany["value"].dtype == "float64"
    value = germany.set_index(["indicator", "year"])["value"]
    assert value["q_betten_bev", 2019] == pytest.approx(5.99)  # beds per 1,000 inhabitants
    assert value["q_betten_bev", 2020] == pytest.approx(5.87)
    assert value["q_ärzte_bev", 2020] == pytest.approx(14.63)  # doctors per 10,000 inhabitants
    assert set(germany["indicator"]) == set(data.load("inkar_catalogue")["indicator"])
    [licence] = {s["licence"] for s in data.provenance()["tables"]["inkar_germany"]["sources"]}
    assert "dl-de/by-2-0" in licence


def test_central_places_of_the_regiopolen():
    places = data.load("central_places")
    assert list(places.columns) == ["gemeinde_ags", "ags", "name", "level"]
    assert places["level"].value_counts().to_dict() == {"Grundzentrum": 2513, "Mittelzentrum": 960, "Oberzentrum": 152}
    assert places["gemeinde_ags"].is_unique
    assert set(places["gemeinde_ags"]) <= set(data.load("gemeinden")["gemeinde_ags"])
    assert set(places["ags"]) <= set(data.load("kreise")["ags"])
    assert (places["gemeinde_ags"].str[:5] == places["ags"]).all()
    cores = {"05711000": "Bielefeld", "16051000": "Erfurt", "07111000": "Koblenz", "05774032": "Paderborn",
             "13003000": "Rostock", "05970040": "Siegen", "07211000": "Trier", "09663000": "Würzburg"}
    level = places.set_index("gemeinde_ags")["level"]
    assert {code: level[code] for code in cores} == dict.fromkeys(cores, "Oberzentrum")
    assert data.provenance()["tables"]["central_places"]["warnings"] == []


def test_check_detects_a_tampered_table(tmp_path):
    _copy_data(tmp_path)
    table = pd.read_parquet(tmp_path / "population_by_age.parquet")
    bielefeld_2020 = table.index[(table["ags"] == "05711") & (table["year"] == 2020)][0]
    table.loc[bielefeld_2020, "population"] += 1
    table.to_parquet(tmp_path / "population_by_age.parquet", index=False)
    report = check.run(tmp_path)
    assert not report.ok
    failed = {name for name, ok, _ in report.results if not ok}
    assert failed == {"Provenienz", "Summen", "Geschlechter"}
    assert "Germany 31.12.2020 = 83.155.032, expected 83.155.031" in report.summary()


def _without_years(target, years):
    """The committed tables in ``target``, the population tables without ``years``."""
    _copy_data(target)
    for name in ("population_by_age", "population_series"):
        table = pd.read_parquet(target / f"{name}.parquet")
        table[~table["year"].isin(years)].to_parquet(target / f"{name}.parquet", index=False)
    return {name: (ok, detail) for name, ok, detail in check.run(target).results}


def test_check_reads_the_years_from_the_tables(tmp_path):
    results = _without_years(tmp_path, [2020])
    assert results["Vollständigkeit"] == (True, "Zeitreihe 1990–2019 und Altersgruppen 2015–2019 je 400 Kreise")
    ok, detail = results["Summen"]
    assert ok and detail.startswith("12411-0018 ohne 31.12.2020: Kontrollsummen dieses Jahres entfallen")


def test_check_finds_a_missing_year(tmp_path):
    ok, detail = _without_years(tmp_path, [2017])["Vollständigkeit"]
    assert not ok and "population_series has gaps: years 2017 missing" in detail


def test_check_reports_a_missing_table(tmp_path):
    for path in DATA_DIR.iterdir():
        if path.is_file() and path.name != "kreise.parquet":
            shutil.copy(path, tmp_path / path.name)
    report = check.run(tmp_path)
    assert not report.ok
    assert "kreise.parquet" in report.summary()


def test_build_from_a_missing_raw_dir(tmp_path):
    from regiopol.core.paths import raw_dir

    with pytest.raises(MissingInputError, match=r"raw data directory does not exist.*--raw"):
        raw_dir(tmp_path / "nowhere")


def test_build_names_a_missing_raw_file(raw_dir, tmp_path):
    partial = tmp_path / "raw"
    shutil.copytree(raw_dir, partial)
    (partial / "destatis" / "12411-0018.csv").unlink()
    with pytest.raises(MissingInputError, match=r"12411-0018\.csv.*official raw file is missing"):
        build.build(partial, tmp_path / "out", selection=indicators.inkar_selection())
    assert not (tmp_path / "out" / "provenance.json").exists()


def _copy_data(target):
    for path in DATA_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)


def test_check_survives_a_corrupt_provenance_file(tmp_path):
    _copy_data(tmp_path)
    (tmp_path / "provenance.json").write_text("{ not json", encoding="utf-8")
    report = check.run(tmp_path)
    assert not report.ok
    assert "provenance file is not valid JSON" in report.summary()


def test_check_reports_a_table_without_its_columns(tmp_path):
    _copy_data(tmp_path)
    kreise = pd.read_parquet(tmp_path / "kreise.parquet").drop(columns="label")
    kreise.to_parquet(tmp_path / "kreise.parquet", index=False)
    report = check.run(tmp_path)
    assert ("Kreise", False) in {(name, ok) for name, ok, _ in report.results}
    assert "unexpected table layout" in report.summary()


def test_facilities_are_placed_in_kreise():
    stations = data.load("rail_stations")
    long_distance = stations[stations["long_distance"]]
    assert long_distance["ags"].notna().all()
    hbf = long_distance.set_index("name")["ags"]
    assert (hbf["Würzburg Hbf"], hbf["Trier Hbf"], hbf["Eisenach"]) == ("09663", "07211", "16063")
    assert set(stations["gemeinde_ags"].dropna()) <= set(data.load("gemeinden")["gemeinde_ags"])
    hospitals = data.load("hospitals")
    assert hospitals["ags"].notna().all()
    uni_wuerzburg = hospitals.query("year == 2019 and university_clinic and ags == '09663'")
    assert uni_wuerzburg["beds"].max() == 1_438


def test_reader_warnings_reach_the_provenance():
    warnings = data.provenance()["tables"]["hospitals"]["warnings"]
    assert any("is reported more than once" in w for w in warnings), warnings[:3]
    assert not any("/" in w.split(",")[0] for w in warnings), "warnings must name files, not machine paths"


def test_unknown_table():
    with pytest.raises(MissingInputError, match="unknown table 'bevoelkerung'"):
        data.load("bevoelkerung")


def test_population_wide_is_the_series_as_a_kreis_by_year_table():
    from regiopol.data import frames

    wide = frames.population_wide()
    assert wide.shape[0] == 400 and wide.loc["05711", 2020] == 333_509  # Bielefeld, 12411-0018
    wide.loc["05711", 2020] = 0
    assert frames.population_wide().loc["05711", 2020] == 333_509  # callers get a copy
def test_vintage_is_read_from_the_tables():
    assert data.vintage() == data.Vintage(base_year=2020, latest_year=2020, census_breaks=(2011,))


def test_a_newer_release_moves_the_vintage(tmp_path):
    """Drop a year 2021 into the tables: base year, latest year follow; 2022 is no break yet."""
    for path in [*DATA_DIR.glob("*.toml"), DATA_DIR / "provenance.json"]:
        shutil.copy(path, tmp_path / path.name)
    for name in ("population_by_age", "population_series"):
        table = data.load(name)
        table = pd.concat([table, table[table["year"] == 2020].assign(year=2021)], ignore_index=True)
        table.attrs = {}  # the sources live in provenance.json
        table.to_parquet(tmp_path / f"{name}.parquet")
    assert data.vintage(tmp_path) == data.Vintage(base_year=2021, latest_year=2021, census_breaks=(2011,))
