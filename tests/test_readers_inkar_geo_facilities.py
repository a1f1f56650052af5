"""Readers for INKAR, Kreis geometries and facility lists; assigning facilities to Kreise."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regiopol.core.errors import InputFormatError, MissingInputError, RegiopolError
from regiopol.data import build
from regiopol.data.locate import assign_kreis_by_place, assign_kreis_by_point
from regiopol.data.readers.facilities import read_hochschulen, read_hospitals, read_rail_stations
from regiopol.data.readers.geo import read_kreis_geometries
from regiopol.data.readers.gvisys import read_gv_isys
from regiopol.data.readers.inkar import read_central_places, read_inkar_catalogue, read_inkar_regions, read_inkar_values

FACILITIES = Path(__file__).parent / "fixtures" / "facilities"


def assert_names(err: pytest.ExceptionInfo, file, *, line: int | None = None, field: str | None = None):
    """The message names the file, the line and/or field, and a fix."""
    message = str(err.value)
    assert str(file) in message
    if line is not None:
        assert f"line {line}" in message
    if field is not None:
        assert f"field '{field}'" in message
    assert "Fix:" in message


def copy_with(tmp_path: Path, name: str, replace: tuple[str, str]) -> Path:
    text = (FACILITIES / name).read_text(encoding="utf-8")
    assert replace[0] in text
    target = tmp_path / name
    target.write_text(text.replace(replace[0], replace[1], 1), encoding="utf-8")
    return target


# ---------------------------------------------------------------- INKAR (fixtures)

@pytest.fixture()
def inkar_dir(tmp_path: Path) -> Path:
    """A tiny INKAR download: catalogue, regions (with Germany and central places) and one topic file."""
    pd.DataFrame({
        "merk_id": [1, 2, 3], "m_id": [1, 2, 3], "rubrik": ["Raumbeobachtung DE"] * 2 + ["SDG"],
        "bereich": ["Medizinische und soziale Versorgung"] * 2 + ["SDG-Indikatoren für Kommunen"],
        "kuerzel": ["q_betten_bev", "q_ärzte_bev", "q_betten_bev"],
        "kurzname": ["Krankenhausbetten", "Ärzte", "Krankenhausversorgung"],
        "name": ["Krankenhausbetten je 1.000 Einwohner", "Ärzte je 10.000 Einwohner", "Betten je 1000 EW"],
        "algorithmus": ["Betten / E x 1.000", "Ärzte / E x 10.000", None],
        "anmerkungen": [None, None, None], "statistische_grundlagen": ["Krankenhausstatistik", "KBV", None],
    }).to_parquet(tmp_path / "_indikatoren.parquet")
    zo = "zentralörtliche Funktion - "
    pd.DataFrame([
        ("Kreise", "09663000", "Würzburg, Stadt"), ("Gemeinden", "09663000", "Würzburg"),
        ("Bund", "111", "Bundesrepublik Deutschland"),
        (zo + "Oberzentrum", "09663000", "Würzburg"), (zo + "Oberzentrum", "05774032", "Paderborn, Stadt"),
        (zo + "Oberzentrum", "99999999", "kein Oberzentrum"),
        (zo + "Mittelzentrum", "09679142", "Ochsenfurt, St"), (zo + "Mittelzentrum", "05774032", "Paderborn, Stadt"),
        (zo + "Grundzentrum", "5774004", "Bad Lippspringe, Stadt"),  # leading zero lost
        (zo + "keine", "09679111", "Eibelstadt, St"), (zo + "keine", "99999999", "zentralörtliche Funktion"),
    ], columns=["raumbezug", "kennziffer", "name"]).to_parquet(tmp_path / "_regionen.parquet")
    pd.DataFrame({
        "raumbezug": ["Kreise", "Kreise", "Kreise", "Gemeinden", "Bund", "Bund"],
        "kennziffer": ["09663000", "09663000", "07211000", "09663000", "111", "111"],
        "name": ["Würzburg, Stadt", "Würzburg, Stadt", "Trier, kreisfreie Stadt", "Würzburg",
                 "Bundesrepublik Deutschland", "Bundesrepublik Deutschland"],
        "zeitbezug": ["2020", "2021", "2021", "2021", "2021", "2020"],
        "q_betten_bev": [18.85, 18.90, 13.45, np.nan, 5.85, 5.87],
        "q_ärzte_bev": [29.68, np.nan, 22.52, 31.0, np.nan, 14.63],
    }).to_parquet(tmp_path / "medizinische_und_soziale_versorgung.parquet")
    return tmp_path


def test_inkar_values_fixture(inkar_dir):
    values = read_inkar_values(inkar_dir / "medizinische_und_soziale_versorgung.parquet")
    assert list(values.columns) == ["ags", "region_name", "year", "indicator", "value"]
    assert len(values) == 5  # NaN dropped, Gemeinde row filtered out
    beds = values[(values["ags"] == "09663") & (values["indicator"] == "q_betten_bev")]
    assert beds["year"].tolist() == [2020, 2021] and beds["value"].tolist() == [18.85, 18.90]
    assert values["year"].dtype.kind == "i" and values["value"].dtype == float
    source = values.attrs["source"]
    assert (source.table, source.title) == ("INKAR 2024", "Medizinische und soziale Versorgung")
    assert source.file == "medizinische_und_soziale_versorgung.parquet"
    assert "BBSR" in source.publisher and "dl-de/by-2-0" in source.licence


def test_inkar_values_other_raumbezug_and_selection(inkar_dir):
    values = read_inkar_values(inkar_dir / "medizinische_und_soziale_versorgung.parquet",
                               raumbezug="Gemeinden", indicators=["q_ärzte_bev"])
    assert values[["ags", "year", "indicator", "value"]].values.tolist() == [["09663000", 2021, "q_ärzte_bev", 31.0]]


def test_inkar_catalogue_and_regions_fixture(inkar_dir):
    catalogue = read_inkar_catalogue(inkar_dir / "_indikatoren.parquet")
    assert list(catalogue.columns) == ["indicator", "short_name", "name", "algorithm", "notes", "basis", "area",
                                       "rubric"]
    assert catalogue["indicator"].tolist().count("q_betten_bev") == 2  # listed under two areas
    regions = read_inkar_regions(inkar_dir / "_regionen.parquet")
    assert list(regions.columns) == ["raumbezug", "kennziffer", "name"] and len(regions) == 11


def test_central_places_fixture(inkar_dir):
    places = read_central_places(inkar_dir / "_regionen.parquet")
    assert list(places.columns) == ["gemeinde_ags", "ags", "name", "level"]
    assert places.values.tolist() == [
        ["05774004", "05774", "Bad Lippspringe, Stadt", "Grundzentrum"],  # 8 digits restored
        ["05774032", "05774", "Paderborn, Stadt", "Oberzentrum"],  # listed twice: the higher level kept
        ["09663000", "09663", "Würzburg", "Oberzentrum"],
        ["09679142", "09679", "Ochsenfurt, St", "Mittelzentrum"],
    ]  # "keine" and the aggregate rows 99999999 ("kein Oberzentrum") dropped
    assert places.attrs["warnings"] == [
        "_regionen.parquet, field 'raumbezug': Gemeinde 05774032 (Paderborn, Stadt) is listed as "
        "Oberzentrum and Mittelzentrum; kept Oberzentrum"]
    source = places.attrs["source"]
    assert (source.file, source.table, source.title) == ("_regionen.parquet", "INKAR 2024", "Raumbezüge")
    assert "dl-de/by-2-0" in source.licence


@pytest.mark.parametrize(("row", "field", "message"), [
    (("zentralörtliche Funktion - Mittelzentrum", "0967914", "X"), "kennziffer", "'0967914' is not a Gemeinde code"),
    (("zentralörtliche Funktion - Mittelzentrum", "096791420", "X"), "kennziffer", "'096791420' is not a Gemeinde"),
    (("zentralörtliche Funktion - Mittelzentrum", "0967914a", "X"), "kennziffer", "'0967914a' is not an area code"),
    (("zentralörtliche Funktion - mögliches Oberzentrum", "09679142", "X"), "raumbezug",
     "unknown central-place level 'zentralörtliche Funktion - mögliches Oberzentrum'"),
])
def test_central_places_bad_input(inkar_dir, row, field, message):
    path = inkar_dir / "_regionen.parquet"
    regions = pd.read_parquet(path)
    pd.concat([regions, pd.DataFrame([row], columns=regions.columns)], ignore_index=True).to_parquet(path)
    with pytest.raises(InputFormatError, match=message) as err:
        read_central_places(path)
    assert_names(err, path, field=field)


def test_central_places_missing_in_regions_file(inkar_dir):
    path = inkar_dir / "_regionen.parquet"
    regions = pd.read_parquet(path)
    regions[~regions["raumbezug"].str.startswith("zentral")].to_parquet(path)
    with pytest.raises(InputFormatError, match="no rows of raumbezug 'zentralörtliche Funktion - Oberzentrum'") as err:
        read_central_places(path)
    assert_names(err, path, field="raumbezug")


def _fixture_inputs(inkar_dir: Path, selection: pd.DataFrame | None = None) -> build.RawInputs:
    """Build inputs for the INKAR derivations: the fixture download and a small directory."""
    inputs = build.RawInputs.__new__(build.RawInputs)
    inputs.path = {"inkar_dir": inkar_dir, "inkar_regions": inkar_dir / "_regionen.parquet"}
    inputs.gemeinden = pd.DataFrame({"gemeinde_ags": ["05774004", "05774032", "09663000"],
                                     "ags": ["05774", "09663", "09663"]})  # Paderborn misfiled on purpose
    inputs.kreise = pd.DataFrame({"ags": ["05774", "09663"]})
    inputs.selection = selection
    return inputs


@pytest.fixture()
def selection():
    """Embed q_betten_bev and q_ärzte_bev (not the list in data/indicators.toml)."""
    chosen = pd.DataFrame({"indicator": ["q_betten_bev", "q_ärzte_bev"],
                           "topic": ["medizinische_und_soziale_versorgung"] * 2, "area": ["gesundheit"] * 2,
                           "label": ["Krankenhausbetten", "Ärzte"],
                           "unit": ["je 1.000 Einwohner", "je 10.000 Einwohner"]})
    return chosen


def test_derive_inkar_germany_fixture(inkar_dir, selection):
    germany = build._inkar_germany(_fixture_inputs(inkar_dir, selection))
    assert list(germany.columns) == ["year", "indicator", "value"]
    assert germany.values.tolist() == [[2020, "q_betten_bev", 5.87], [2021, "q_betten_bev", 5.85],
                                       [2020, "q_ärzte_bev", 14.63]]  # empty cell dropped
    assert germany["year"].dtype == "int64" and germany["value"].dtype == "float64"
    assert germany.attrs["warnings"] == []
    [source] = germany.attrs["sources"]
    assert (source.table, source.file) == ("INKAR 2024", "medizinische_und_soziale_versorgung.parquet")
    assert "BBSR" in source.publisher and "dl-de/by-2-0" in source.licence


def test_derive_inkar_germany_needs_one_area(inkar_dir, selection):
    path = inkar_dir / "medizinische_und_soziale_versorgung.parquet"
    values = pd.read_parquet(path)
    values.loc[values.index[-1], "kennziffer"] = "112"
    values.to_parquet(path)
    with pytest.raises(InputFormatError, match="raumbezug 'Bund' holds 2 areas instead of one") as err:
        build._inkar_germany(_fixture_inputs(inkar_dir, selection))
    assert_names(err, path, field="kennziffer")


def test_derive_central_places_fixture(inkar_dir):
    places = build._central_places(_fixture_inputs(inkar_dir))
    assert places["gemeinde_ags"].tolist() == ["05774004", "05774032", "09663000", "09679142"]
    warnings = places.attrs["warnings"]
    assert len(warnings) == 4 and "kept Oberzentrum" in warnings[0]
    assert warnings[1:] == [
        "_regionen.parquet: 1 of 4 central places are not in the Gemeinde directory GV100AD: 09679142 (Ochsenfurt, St)",
        "_regionen.parquet: 1 of 4 central places lie in no Kreis of the directory (first five digits): "
        "09679142 (Ochsenfurt, St)",
        "_regionen.parquet: 1 of 4 central places lie in another Kreis in the Gemeinde directory: "
        "05774032 (Paderborn, Stadt)",
    ]
    assert [s.file for s in places.attrs["sources"]] == ["_regionen.parquet"]


def test_inkar_unknown_indicator(inkar_dir):
    path = inkar_dir / "medizinische_und_soziale_versorgung.parquet"
    with pytest.raises(InputFormatError) as err:
        read_inkar_values(path, indicators=["q_betten"])
    assert_names(err, path, field="q_betten")
    assert "q_betten_bev" in str(err.value) and "catalogue" in str(err.value)


@pytest.mark.parametrize("cell", ["1e3", "+18.9", "inf", "18,9"])
def test_inkar_text_values_are_plain_numbers(inkar_dir, cell):
    path = inkar_dir / "bildung.parquet"
    pd.DataFrame({"raumbezug": ["Kreise"] * 2, "kennziffer": ["09663000", "07211000"], "name": ["W", "T"],
                  "zeitbezug": ["2021", "2021"], "q_schule": ["18.85", cell]}).to_parquet(path)
    with pytest.raises(InputFormatError, match=cell.replace("+", r"\+")) as err:
        read_inkar_values(path)
    assert_names(err, path, field="q_schule")


def test_inkar_duplicate_region_and_year(inkar_dir):
    path = inkar_dir / "bildung.parquet"
    pd.DataFrame({"raumbezug": ["Kreise"] * 2, "kennziffer": ["09663000"] * 2, "name": ["W", "W"],
                  "zeitbezug": ["2021", "2021"], "q_schule": [1.0, 2.0]}).to_parquet(path)
    with pytest.raises(InputFormatError, match="kennziffer 09663000, zeitbezug 2021 occurs twice") as err:
        read_inkar_values(path)
    assert_names(err, path, field="kennziffer")


def test_inkar_unknown_raumbezug(inkar_dir):
    path = inkar_dir / "medizinische_und_soziale_versorgung.parquet"
    with pytest.raises(InputFormatError) as err:
        read_inkar_values(path, raumbezug="Landkreise")
    assert_names(err, path, field="raumbezug")
    assert "Kreise" in str(err.value)


# ---------------------------------------------------------------- INKAR (real files)

def test_inkar_real_values(raw_dir):
    values = read_inkar_values(raw_dir / "inkar" / "medizinische_und_soziale_versorgung.parquet",
                               indicators=["q_betten_bev", "q_ärzte_bev"])
    value = values.set_index(["ags", "indicator", "year"])["value"]
    assert value["09663", "q_betten_bev", 2021] == pytest.approx(18.90)  # Würzburg, beds per 1,000
    assert value["07211", "q_ärzte_bev", 2022] == pytest.approx(22.19)  # Trier, doctors per 10,000
    assert values["ags"].nunique() == 400 and "16056" not in set(values["ags"])  # Kreise as of 2021
    assert values["year"].min() == 2004 and values["year"].max() == 2022


def test_inkar_real_catalogue_and_regions(raw_dir):
    catalogue = read_inkar_catalogue(raw_dir / "inkar" / "_indikatoren.parquet")
    assert len(catalogue) == 644
    beds = catalogue[catalogue["indicator"] == "q_betten_bev"].iloc[0]
    assert beds["name"] == "Krankenhausbetten je 1.000 Einwohner"
    regions = read_inkar_regions(raw_dir / "inkar" / "_regionen.parquet")
    assert (regions["raumbezug"] == "Kreise").sum() == 400


def test_central_places_real(raw_dir):
    path = raw_dir / "inkar" / "_regionen.parquet"
    places = read_central_places(path)
    assert places["level"].value_counts().to_dict() == {"Grundzentrum": 2513, "Mittelzentrum": 960, "Oberzentrum": 152}
    assert places["gemeinde_ags"].is_unique and places.attrs["warnings"] == []
    # Gemeinde codes, not Gemeindeverband codes: all are INKAR Gemeinden, with the same names
    regions = read_inkar_regions(path)
    gemeinden = regions[regions["raumbezug"] == "Gemeinden"].set_index("kennziffer")["name"]
    assert gemeinden.reindex(places["gemeinde_ags"]).tolist() == places["name"].tolist()
    verbaende = regions.loc[regions["raumbezug"].str.startswith("Gemeindeverbände"), "kennziffer"]
    assert verbaende.str.len().eq(9).all()
    level = places.set_index("gemeinde_ags")["level"]
    assert (level["05774032"], level["05970040"], level["05711000"]) == ("Oberzentrum",) * 3  # Paderborn, Siegen


# ---------------------------------------------------------------- Kreis geometries

def test_kreis_geometries_fixture():
    kreise = read_kreis_geometries(FACILITIES / "kreise.geojson")
    assert list(kreise.columns) == ["ags", "name", "kind", "nuts", "population_2018", "geometry"]
    assert kreise.crs.to_epsg() == 4326 and kreise["ags"].tolist()[:2] == ["09663", "09679"]
    assert kreise["population_2018"].tolist()[0] == 127880
    assert "GeoBasis-DE / BKG" in kreise.attrs["source"].publisher
    assert kreise.attrs["source"].file == "kreise.geojson"


def test_kreis_geometries_real(raw_dir):
    kreise = read_kreis_geometries(raw_dir / "bkg" / "landkreise_simplify200.geojson")
    assert len(kreise) == 400 and kreise["ags"].is_unique
    assert kreise.set_index("ags").loc["09663", "name"] == "Würzburg"
    assert kreise.is_valid.all()


def test_geojson_duplicate_ags(tmp_path):
    data = json.loads((FACILITIES / "kreise.geojson").read_text(encoding="utf-8"))
    data["features"][2]["properties"]["AGS"] = "09663"
    path = tmp_path / "kreise.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputFormatError) as err:
        read_kreis_geometries(path)
    assert_names(err, path, field="features[2].properties.AGS")
    assert "09663" in str(err.value)


@pytest.mark.parametrize("population", [1e300, -5, 2.5, "abc", True, [1]])
def test_geojson_population_not_a_count(tmp_path, population):
    data = json.loads((FACILITIES / "kreise.geojson").read_text(encoding="utf-8"))
    data["features"][1]["properties"]["destatis"]["population"] = population
    path = tmp_path / "kreise.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputFormatError) as err:
        read_kreis_geometries(path)
    assert_names(err, path, field="features[1].properties.destatis.population")


def test_geojson_missing_ags(tmp_path):
    data = json.loads((FACILITIES / "kreise.geojson").read_text(encoding="utf-8"))
    del data["features"][1]["properties"]["AGS"]
    path = tmp_path / "kreise.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputFormatError) as err:
        read_kreis_geometries(path)
    assert_names(err, path, field="features[1].properties.AGS")


# ---------------------------------------------------------------- facility readers (fixtures)

def test_hospitals_fixture():
    hospitals = read_hospitals(FACILITIES / "hospitals.csv")
    assert list(hospitals.columns) == [
        "year", "site_id", "ik_number", "name", "operator", "operator_type", "university_clinic", "beds",
        "cases_inpatient", "cases_partial", "cases_outpatient", "doctors", "nurses", "street", "postcode", "city",
        "lat", "lon"]
    ukw = hospitals.iloc[0]
    assert (ukw["year"], ukw["beds"], ukw["university_clinic"], ukw["street"]) == (
        2019, 1400, True, "Josef-Schneider-Str. 2")
    assert ukw["doctors"] == pytest.approx(900.5)
    assert hospitals["operator_type"].iloc[3] == "Ab 01.01.2019 neuer Träger, mit Zeilenumbruch"
    warnings = hospitals.attrs["warnings"]
    # swapped coordinates (line 8, after a record spanning lines 5–6) → NaN with a warning
    assert np.isnan(hospitals["lat"].iloc[5]) and any("line 8" in w and "outside Germany" in w for w in warnings)
    assert sum("reported more than once" in w for w in warnings) == 2  # site 260720010-02 twice in 2019
    assert all(w.startswith("hospitals.csv, line ") for w in warnings)  # the file's name, no machine path
    assert hospitals.attrs["source"].licence == "Nachnutzung mit Quellenangabe"
    assert hospitals.attrs["source"].file == "hospitals.csv"


def test_rail_stations_fixture():
    stations = read_rail_stations(FACILITIES / "stations.csv")
    assert list(stations.columns) == ["station_no", "name", "ds100", "category", "long_distance", "regional",
                                      "state", "postcode", "city", "street", "transport_authority"]
    row = stations.set_index("name")
    assert row.loc["Würzburg Hbf", "category"] == 2 and row.loc["Würzburg Hbf", "long_distance"]
    assert not row.loc["Siegen", "long_distance"]
    assert row.loc["Heidingsfeld Ost", "postcode"] == "97084"  # trailing blank in the file
    assert pd.isna(row.loc["Kasseler Tor", "street"])
    assert "CC BY 4.0" in stations.attrs["source"].licence
    assert stations.attrs["source"].file == "stations.csv"


@pytest.mark.parametrize("name", ["hochschulen.txt", "hochschulen_koordinaten.csv"])
def test_hochschulen_fixture(name):
    hochschulen = read_hochschulen(FACILITIES / name)
    assert list(hochschulen.columns) == ["hs_no", "short_name", "name", "type", "sponsor", "state", "students",
                                         "founded", "doctorate", "street", "postcode", "city", "lat", "lon"]
    assert hochschulen.attrs["source"].file == name
    trier = hochschulen.iloc[0]
    assert (trier["hs_no"], trier["students"], trier["founded"], trier["doctorate"]) == (101, 11000, 1970, True)
    assert pd.isna(hochschulen["students"].iloc[2])
    if name.endswith(".txt"):
        assert hochschulen[["lat", "lon"]].isna().all().all() and hochschulen.attrs["warnings"] == []
    else:
        assert trier["lat"] == pytest.approx(49.7458)
        assert np.isnan(hochschulen["lat"].iloc[2])  # latitude 149.79: geocoding error → NaN
        assert len(hochschulen.attrs["warnings"]) == 1 and "line 4" in hochschulen.attrs["warnings"][0]


# ---------------------------------------------------------------- bad input, one test each

BAD_INPUT = [  # reader, fixture, text, replaced by, part of the message, line, field
    (read_hospitals, "hospitals.csv", ",0,1,1400,65000,", ",0,1,Betten,65000,", "Betten", 2, "quantityBeds"),
    *[(read_hospitals, "hospitals.csv", ",0,1,1400,65000,", f",0,1,{beds},65000,", beds, 2, "quantityBeds")
      for beds in ["1.4e3", "+1400", "inf", "1400.0e0"]],
    (read_hospitals, "hospitals.csv", "Klinikum Mutterhaus Trier", "Klinikum Mutterhaus, Trier", "fields", 4, None),
    (read_rail_stations, "stations.csv", "Rheinland-Pfalz Nord;;ja;", "Rheinland-Pfalz Nord;;teils;", "teils", 3,
     "Fernverkehr"),
    (read_rail_stations, "stations.csv", ";NWH;2;", ";NWH;9;", "9", 2, "Kat. Vst"),
    (read_hochschulen, "hochschulen.txt", "\tAnzahl Studierende\t", "\tStudierende\t", "column missing", 1,
     "Anzahl Studierende"),
]


@pytest.mark.parametrize(("reader", "name", "old", "new", "message", "line", "field"), BAD_INPUT,
                         ids=[f"{row[1]}-{row[3].strip()[:20]}" for row in BAD_INPUT])
def test_bad_input(tmp_path, reader, name, old, new, message, line, field):
    path = copy_with(tmp_path, name, (old, new))
    with pytest.raises(InputFormatError) as err:
        reader(path)
    assert message in err.value.problem
    assert_names(err, path, line=line, field=field)


@pytest.mark.parametrize(("reader", "name"), [
    (read_inkar_values, "bevoelkerung.parquet"), (read_kreis_geometries, "landkreise_simplify200.geojson"),
    (read_rail_stations, "db_stationsdaten_2016.csv"),
])
def test_file_missing(tmp_path, reader, name):
    with pytest.raises(MissingInputError, match="does not exist") as err:
        reader(tmp_path / name)
    assert_names(err, tmp_path / name)


@pytest.mark.parametrize(("reader", "name", "content", "message", "line"), [
    (read_inkar_values, "bildung.parquet", "raumbezug;kennziffer\n", "not a Parquet file", None),
    (read_kreis_geometries, "kreise.geojson", '{"type": "FeatureCollection",\n "features": [\n {"type": "Feature",,}]}',
     "not valid JSON", 3),
    (read_kreis_geometries, "kreise.geojson", '{"features": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested", None),
])
def test_file_not_in_its_format(tmp_path, reader, name, content, message, line):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFormatError, match=message) as err:
        reader(path)
    assert_names(err, path, line=line)


# ---------------------------------------------------------------- fuzz: mutated CSVs parse or raise RegiopolError

TOKENS = [b",", b";", b"\t", b"\n", b'"', b"", b"-", b".", b"x", b"1e999", b"ja", b"nein", b"\xff", b"\x00", b"abc",
          b"12345", b"-5", b"0.5", "ä".encode()]


@pytest.mark.parametrize("name, reader", [
    ("hospitals.csv", read_hospitals), ("stations.csv", read_rail_stations),
    ("hochschulen_koordinaten.csv", read_hochschulen),
])
def test_fuzz_facility_readers(name, reader):
    original = (FACILITIES / name).read_bytes()
    directory = Path(tempfile.mkdtemp())
    target = directory / name

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(start=st.integers(0, len(original)), length=st.integers(0, 12),
           insert=st.lists(st.sampled_from(TOKENS) | st.binary(max_size=3), max_size=3))
    def check(start, length, insert):
        target.write_bytes(original[:start] + b"".join(insert) + original[start + length:])
        try:
            reader(target)
        except RegiopolError:
            pass

    try:
        check()
    finally:
        shutil.rmtree(directory)


# ---------------------------------------------------------------- facility readers (real files)

def test_hospitals_real(raw_dir):
    hospitals = read_hospitals(raw_dir / "facilities" / "gba_qualitaetsberichte_krankenhaeuser_2015_2019.csv")
    assert hospitals.groupby("year").size().to_dict() == {2015: 2209, 2016: 2267, 2017: 2285, 2018: 2277, 2019: 2288}
    assert hospitals[["lat", "lon"]].notna().all().all()
    assert hospitals["postcode"].str.fullmatch(r"\d{5}").all()
    assert sum("reported more than once" in w for w in hospitals.attrs["warnings"]) == 24  # 12 (year, site) pairs
    ukw = hospitals[(hospitals["site_id"] == "260960079-00") & (hospitals["year"] == 2019)].iloc[0]
    assert ukw["university_clinic"] and ukw["beds"] == 1438


def test_rail_stations_real(raw_dir):
    stations = read_rail_stations(raw_dir / "facilities" / "db_stationsdaten_2016.csv")
    assert len(stations) == 5372 and stations["long_distance"].sum() == 306
    assert set(stations["category"]) == set(range(1, 8))
    row = stations.set_index("name")
    assert not row.loc["Siegen", "long_distance"]  # Siegen (Hbf) had no long-distance stop in 2016
    assert row.loc["Würzburg Hbf", "long_distance"] and row.loc["Würzburg Hbf", "category"] == 2


def test_hochschulen_real(raw_dir):
    plain = read_hochschulen(raw_dir / "facilities" / "hochschulkompass_hs_liste.txt")
    geocoded = read_hochschulen(raw_dir / "facilities" / "hochschulkompass_hs_liste_koordinaten.csv")
    assert len(plain) == len(geocoded) == 426
    assert plain["lat"].isna().all() and geocoded[["lat", "lon"]].notna().all().all()
    assert geocoded.attrs["warnings"] == []
    assert plain.drop(columns=["lat", "lon"]).equals(geocoded.drop(columns=["lat", "lon"]))
    assert plain["students"].isna().sum() == 7


# ---------------------------------------------------------------- assigning Kreise

def test_assign_by_point_fixture():
    kreise = read_kreis_geometries(FACILITIES / "kreise.geojson")
    points = pd.DataFrame({
        "lat": [49.802, 49.75, 49.75, 49.75, np.nan, 49.80],
        "lon": [9.957, 6.76, 7.50, 10.047, 9.9, 10.20],
    }, index=list("abcdef"))
    assigned = assign_kreis_by_point(points, kreise)
    assert assigned.index.tolist() == list("abcdef")
    assert assigned["ags"].tolist() == ["09663", "07211", pd.NA, "09679", pd.NA, "09679"]
    assert assigned["assigned_by"].tolist() == ["within", "nearest", pd.NA, "within", pd.NA, "within"]
    warnings = " ".join(assigned.attrs["warnings"])
    assert "1 of 6 points have no coordinates" in warnings and "1 of 6 points lie more than" in warnings
    assert "1 points lie where simplified Kreis boundaries overlap" in warnings


def test_assign_by_place_fixture():
    stations = read_rail_stations(FACILITIES / "stations.csv")
    gemeinden = pd.read_csv(FACILITIES / "gemeinden.csv", dtype=str)
    assigned = assign_kreis_by_place(stations, gemeinden).set_index("name")
    expected = {
        "Würzburg Hbf": ("09663", "city"), "Trier Hbf": ("07211", "city"), "Siegen": ("05970", "city"),
        "Frankfurt (Main) Hbf": ("06412", "city"), "Halle (Saale) Hbf": ("15002", "city"),
        "Heidingsfeld Ost": ("09663", "city_part"), "Kreiensen": ("03155", "former_gemeinde"),
        "Kasseler Tor": ("05774", "postcode"), "Feldhaltepunkt": ("09679", "postcode_range"),
    }
    for name, (kreis, how) in expected.items():
        assert (assigned.loc[name, "ags"], assigned.loc[name, "assigned_by"]) == (kreis, how), name
    assert assigned.loc["Würzburg Hbf", "gemeinde_ags"] == "09663000"
    assert pd.isna(assigned.loc["Irgendwo", "ags"])
    assert pd.isna(assigned.loc["Feldhaltepunkt", "gemeinde_ags"])
    assert "kreis_ags" not in assigned.columns
    assert assigned.attrs["warnings"] == ["1 of 10 stations (10.0%) matched no Gemeinde and have no Kreis: Irgendwo"]


def test_assign_by_place_needs_the_renamed_columns():
    stations = read_rail_stations(FACILITIES / "stations.csv")
    old = pd.read_csv(FACILITIES / "gemeinden.csv", dtype=str).rename(
        columns={"ags": "kreis_ags", "gemeinde_ags": "ags"})
    with pytest.raises(InputFormatError) as err:
        assign_kreis_by_place(stations, old)
    assert err.value.field == "gemeinde_ags" and "Fix:" in str(err.value)


def test_assign_real(raw_dir):
    facilities = raw_dir / "facilities"
    kreise = read_kreis_geometries(raw_dir / "bkg" / "landkreise_simplify200.geojson")
    hospitals = assign_kreis_by_point(
        read_hospitals(facilities / "gba_qualitaetsberichte_krankenhaeuser_2015_2019.csv"), kreise)
    assert hospitals["ags"].notna().all()
    assert set(hospitals.loc[hospitals["site_id"] == "260960079-00", "ags"]) == {"09663"}  # Uniklinik Würzburg
    hochschulen = assign_kreis_by_point(
        read_hochschulen(facilities / "hochschulkompass_hs_liste_koordinaten.csv"), kreise).set_index("name")
    assert hochschulen.loc["Universität Trier", "ags"] == "07211"
    assert hochschulen.loc["Universität Paderborn", "ags"] == "05774"

    stations = assign_kreis_by_place(read_rail_stations(facilities / "db_stationsdaten_2016.csv"),
                                     read_gv_isys(raw_dir / "destatis" / "AuszugGV4QAktuell.csv"))
    kreis = stations.set_index("name")["ags"]
    expected = {"Würzburg Hbf": "09663", "Bielefeld Hbf": "05711", "Trier Hbf": "07211", "Koblenz Hbf": "07111",
                "Erfurt Hbf": "16051", "Rostock Hbf": "13003", "Paderborn Hbf": "05774"}
    assert {name: kreis[name] for name in expected} == expected
    assert stations.loc[stations["long_distance"], "ags"].notna().all()
    assert stations["ags"].notna().mean() > 0.97
