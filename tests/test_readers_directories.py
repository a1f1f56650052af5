"""Readers of the municipality directories (GV100AD, GV-ISys), DemandRegio and the BBSR keys."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from regiopol.core.errors import InputFormatError, MissingInputError, RegiopolError
from regiopol.data.readers.bbsr import read_bbsr_keys
from regiopol.data.readers.demandregio import read_demandregio_nuts3, read_demandregio_population
from regiopol.data.readers.gv100 import read_gv100ad, read_gv100ad_kreise, read_gv100ad_laender
from regiopol.data.readers.gvisys import read_gv_isys

DIR = Path(__file__).parent / "fixtures" / "directories"
GV100 = DIR / "gv100ad_small.ASC"
GVISYS = DIR / "gv_isys_small.csv"
DR_POPULATION = DIR / "demandregio_population_small.csv"
DR_NUTS3 = DIR / "demandregio_nuts3_small.csv"


def _edit(source: Path, target: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    return target


def _assert_names(err: RegiopolError, *, file: Path, field: str | None = None, line: int | None = None) -> None:
    """The message names file, line/field and a fix."""
    message = str(err)
    assert str(file) in message and "Fix:" in message
    if field is not None:
        assert err.field is not None and field in err.field
    if line is not None:
        assert err.line == line


# --------------------------------------------------------------------------- BBSR workbook builder

HEADER_8 = ["Kreise\n 31.12.{y}", "Kreisname {y}", "flächen-\nproportionaler\nUmsteige-schlüssel",
            "bevölkerungs- \nproportionaler \nUmsteige- \nschlüssel", "Fläche am 31.12.{y} in km²",
            "Bevölkerung am 31.12.{y} in 1000", "Kreise\n 31.12.2020", "Kreisname 2020"]
HEADER_10 = HEADER_8[:4] + ["beschäftigten- \nproportionaler \nUmsteige- \nschlüssel"] + HEADER_8[4:6] + [
    "sozialvers.pflichtig Beschäftigte am Arbeitsort am 30.6.{y} in 1000"] + HEADER_8[6:]
# 2018: old Kreis 16063 split over two Kreise, area and population per part (old layout);
# 2019: the same split with the total repeated on both rows (later layout) and employment.
SHEETS = {
    2018: (HEADER_8, [
        [1001000, "KS Flensburg", 1, 1, 56.38, 87.8, 1001000, "Flensburg, Stadt"],
        [16063000, "Wartburgkreis", 0.75, 0.8, 300.0, 80.0, 16063000, "Wartburgkreis"],
        [16063000, "Wartburgkreis", 0.25, 0.2, 100.0, 20.0, 16066000, "Schmalkalden-Meiningen"],
        [16066000, "Schmalkalden-Meiningen", 1, 1, 1200.0, 120.0, 16066000, "Schmalkalden-Meiningen"],
        [1099000, "Altkreis", 0.4, 0.5004, 10.0, 17.5, 1001000, "Flensburg, Stadt"],  # equal parts
        [1099000, "Altkreis", 0.6, 0.4996, 15.0, 17.5, 1002000, "Kiel, Stadt"],
        [None] * 8,
        ["Quelle: BBSR, Laufende Raumbeobachtung", None, None, None, None, None, None, None],
    ]),
    2019: (HEADER_10, [
        [1001000, "KS Flensburg", 1, 1, 1, 56.38, 88.0, 40.1, 1001000, "Flensburg, Stadt"],
        [16063000, "Wartburgkreis", 0.75, 0.8, 0.9, 400.0, 100.0, 30.0, 16063000, "Wartburgkreis"],
        [16063000, "Wartburgkreis", 0.25, 0.2, 0.1, 400.0, 100.0, 30.0, 16066000, "Schmalkalden-Meiningen"],
        [16066000, "Schmalkalden-Meiningen", 1, 1, 1, 1200.0, 119.0, 50.0, 16066000, "Schmalkalden-Meiningen"],
    ]),
}


def write_bbsr(path: Path, sheets=SHEETS, *, drop_header: str | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for year, (header, rows) in sheets.items():
        sheet = book.create_sheet(f"{year}-2020")
        names = [h.format(y=year) for h in header]
        keep = [i for i, name in enumerate(names) if drop_header is None or not name.startswith(drop_header)]
        sheet.append([names[i] for i in keep])
        for row in rows:
            sheet.append([row[i] for i in keep])
    book.save(path)
    return path


# --------------------------------------------------------------------------- GV100AD


def test_gv100ad_gemeinden_fixture():
    table = read_gv100ad(GV100)
    assert list(table.columns) == ["gemeinde_ags", "ags", "land", "name", "area_km2", "population",
                                   "population_male", "population_female", "postcode"]
    row = table.set_index("gemeinde_ags").loc["05774004"]
    assert (row["ags"], row["land"], row["name"]) == ("05774", "05", "Musterdorf")
    assert row["area_km2"] == pytest.approx(50.50)
    assert (row["population"], row["population_male"], row["population_female"]) == (10001, 4900, 5101)
    assert row["postcode"] == "33100"
    assert pd.isna(table.set_index("gemeinde_ags").loc["05774999", "postcode"])  # unpopulated area has none
    source = table.attrs["source"]
    assert source.stand == "30.11.2021" and source.table == "GV100AD"
    assert "mit Quellenangabe gestattet" in source.licence


def test_gv100ad_kreise_and_laender_fixture():
    kreise = read_gv100ad_kreise(GV100).set_index("ags")
    assert list(kreise.columns) == ["name", "kind", "seat", "land", "area_km2", "population"]
    assert kreise.loc["05711", "kind"] == "Kreisfreie Stadt"
    assert kreise.loc["05774", "kind"] == "Kreis" and kreise.loc["16063", "kind"] == "Landkreis"
    assert kreise.loc["05774", "seat"] == "Musterhausen"
    assert kreise.loc["05774", "population"] == 150000 + 10001
    assert kreise.loc["05774", "area_km2"] == pytest.approx(179.00 + 50.50 + 10.00)
    laender = read_gv100ad_laender(GV100)
    assert laender.set_index("land").loc["16", "name"] == "Thüringen"


def test_gv100ad_real(raw_dir):
    path = raw_dir / "destatis" / "GV100AD_301121.ASC"
    gemeinden = read_gv100ad(path)
    kreise = read_gv100ad_kreise(path)
    assert len(gemeinden) == 10_997 and gemeinden["gemeinde_ags"].is_unique
    assert gemeinden["ags"].str.fullmatch(r"[0-9]{5}").all()
    assert len(kreise) == 400 and "16056" not in set(kreise["ags"])
    assert gemeinden["population"].sum() == 83_155_031 == kreise["population"].sum()
    by_ags = gemeinden.set_index("gemeinde_ags")
    assert by_ags.loc["05711000", "population"] == 333_509  # Bielefeld
    assert by_ags.loc["05774032", "name"] == "Paderborn, Stadt"
    assert by_ags.loc["05774032", "population"] == 151_864
    assert (gemeinden["population_male"] + gemeinden["population_female"] == gemeinden["population"]).all()
    assert kreise["kind"].value_counts().to_dict() == {
        "Landkreis": 251, "Kreisfreie Stadt": 97, "Kreis": 42, "Stadtkreis": 9, "Regionalverband": 1}
    assert len(read_gv100ad_laender(path)) == 16


# --------------------------------------------------------------------------- GV-ISys


def test_gv_isys_fixture():
    table = read_gv_isys(GVISYS)
    assert list(table.columns) == ["gemeinde_ags", "ags", "name", "area_km2", "population", "population_male",
                                   "population_female", "density", "postcode", "lon", "lat",
                                   "urbanisation", "urbanisation_label"]
    by_ags = table.set_index("gemeinde_ags")
    city = by_ags.loc["05711000"]
    assert (city["population"], city["population_male"], city["density"]) == (330_000, 160_000, 1275)
    assert city["area_km2"] == pytest.approx(258.83)
    assert (city["lon"], city["lat"]) == pytest.approx((8.53212, 52.020578))
    assert (city["urbanisation"], city["urbanisation_label"]) == (1, "dicht besiedelt")
    village = by_ags.loc["05774004"]  # land "5", gemeinde "4", postcode "4618": zeros restored
    assert village["ags"] == "05774" and village["postcode"] == "04618"
    assert np.isnan(by_ags.loc["07000999", "lon"]) and np.isnan(by_ags.loc["13000999", "lat"])  # 0/0 and empty
    assert table.attrs["source"].stand.startswith("31.12.2019")
    assert table.attrs["warnings"] == []  # 0/0 is the spreadsheet's empty cell, not a position


def test_gv_isys_real(raw_dir):
    table = read_gv_isys(raw_dir / "destatis" / "AuszugGV4QAktuell.csv")
    assert len(table) == 11_004 and table["gemeinde_ags"].is_unique
    assert table["population"].sum() == 83_166_711  # 31.12.2019
    assert table["ags"].nunique() == 401 + 2  # plus 07000, 13000 (unpopulated pseudo areas)
    assert table["lon"].between(5.5, 15.5).sum() == len(table) - 3
    assert table.set_index("gemeinde_ags").loc["05711000", "population"] == 334_195
    assert table.attrs["warnings"] == []
    assert table["urbanisation"].value_counts().to_dict() == {3: 8093, 2: 2691, 1: 220}


@pytest.mark.parametrize(("old", "new", "line"), [
    ('"8,7","51,7"', '"51,7","8,7"', 7),  # swapped
    ('"8,53212"', '"853212"', 5),  # lost decimal comma
    ('"8,7","51,7"', '"8,7",', 7),  # longitude without its latitude
])
def test_gv_isys_coordinates_outside_germany_become_nan_with_a_warning(tmp_path, old, new, line):
    """The one coordinate policy of all readers: NaN and a warning naming file and line."""
    path = _edit(GVISYS, tmp_path / "gv.csv", old, new)
    table = read_gv_isys(path)
    row = table.set_index("gemeinde_ags").loc["05711000" if line == 5 else "05774004"]
    assert np.isnan(row["lon"]) and np.isnan(row["lat"])
    (warning,) = table.attrs["warnings"]
    assert warning.startswith(f"{path.name}, line {line}: ") and "set to NaN" in warning  # no machine path


# --------------------------------------------------------------------------- DemandRegio


def test_demandregio_population_fixture():
    table = read_demandregio_population(DR_POPULATION)
    assert list(table.columns) == ["ags", "year", "population", "estimated"]
    assert table["year"].dtype == "int64" and table["population"].dtype == "Int64"
    by_key = table.set_index(["ags", "year"])
    assert by_key.loc[("01001", 1997), "population"] == 85_000
    assert by_key.loc[("15001", 1998), "population"] == 90_976  # 90,975.6 rounded
    assert bool(by_key.loc[("15001", 1998), "estimated"]) and not by_key["estimated"].drop(("15001", 1998)).any()
    assert "DemandRegio" in table.attrs["source"].publisher


def test_demandregio_real(raw_dir):
    table = read_demandregio_population(raw_dir / "demandregio" / "population.csv")
    counts = table.groupby("year")["ags"].nunique()
    assert counts[1997] == 400 and (counts.drop(1997) == 401).all()  # Eisenach kreisfrei from 1998
    codes = set(table["ags"])
    assert "03159" in codes and not {"03152", "03156"} & codes  # Göttingen merger of 2016
    assert table.groupby("year")["population"].sum()[2015] == 82_175_684
    assert table["estimated"].sum() == 88
    nuts = read_demandregio_nuts3(raw_dir / "demandregio" / "t_nuts3_lk.csv")
    assert len(nuts) == 403 and nuts.set_index("ags").loc["05711", "nuts3"] == "DEA41"


def test_demandregio_nuts3_fixture():
    table = read_demandregio_nuts3(DR_NUTS3)
    assert list(table.columns) == ["ags", "nuts3", "name"]
    assert table.set_index("ags").loc["03159", "nuts3"] == "DE91C"


# --------------------------------------------------------------------------- BBSR keys


def test_bbsr_keys_fixture(tmp_path):
    table = read_bbsr_keys(write_bbsr(tmp_path / "keys.xlsx"))
    assert list(table.columns) == ["year", "ags_old", "name_old", "ags_2020", "name_2020", "key_area",
                                   "key_population", "key_employment", "area_km2_old", "population_old",
                                   "employees_old"]
    assert len(table) == 10  # blank row and footnote of 2018 dropped
    split = table[table["ags_old"] == "16063"].set_index(["year", "ags_2020"])
    # 2018 states the parts (80 + 20), 2019 repeats the total: both give the old Kreis's total
    assert split["population_old"].tolist() == [100_000.0] * 4
    assert split.loc[(2018, "16066"), "area_km2_old"] == 400.0
    assert split.loc[(2019, "16063"), "employees_old"] == 30_000.0
    assert table.loc[table["year"] == 2018, ["key_employment", "employees_old"]].isna().all().all()
    assert table.loc[table["ags_old"] == "01099", "population_old"].tolist() == [35_000.0, 35_000.0]
    assert table["ags_old"].str.len().eq(5).all() and "01001" in set(table["ags_old"])


def test_bbsr_keys_real(raw_dir):
    start = time.perf_counter()
    table = read_bbsr_keys(raw_dir / "bbsr" / "ref-kreise-umrech-2020-1990-2019.xlsx")
    seconds = time.perf_counter() - start
    assert sorted(table["year"].unique()) == list(range(1990, 2020))
    assert seconds < 20, f"reading the BBSR workbook took {seconds:.1f} s"
    assert table["ags_2020"].nunique() == 401
    sums = table.groupby(["year", "ags_old"])[["key_area", "key_population"]].sum()
    assert ((sums - 1).abs() < 1e-6).all().all()
    assert table.loc[table["year"] >= 1997, "key_employment"].notna().all()
    assert table.loc[table["year"] < 1997, "key_employment"].isna().all()
    eisenach_1990 = table[(table["year"] == 1990) & (table["ags_old"] == "16016")]
    assert eisenach_1990["population_old"].tolist() == [113_800.0, 113_800.0]  # 51.5 + 62.3 thousand
    wartburg_2017 = table[(table["year"] == 2017) & (table["ags_old"] == "16063")]
    assert wartburg_2017["population_old"].tolist() == [123_800.0, 123_800.0]  # total repeated in the sheet


def test_bbsr_keys_missing_sheet(tmp_path):
    sheets = {2017: SHEETS[2018], 2019: SHEETS[2019]}
    path = write_bbsr(tmp_path / "keys.xlsx", sheets)
    with pytest.raises(InputFormatError, match="'2018-2020' is missing") as info:
        read_bbsr_keys(path)
    _assert_names(info.value, file=path, field="2018-2020")


def test_bbsr_keys_missing_column(tmp_path):
    path = write_bbsr(tmp_path / "keys.xlsx", drop_header="bevölkerungs")
    with pytest.raises(InputFormatError, match="key_population") as info:
        read_bbsr_keys(path)
    _assert_names(info.value, file=path, field="key_population", line=1)
    assert "sheet '2018-2020'" in str(info.value)


def test_bbsr_keys_non_numeric_code(tmp_path):
    header, rows = SHEETS[2018]
    sheets = {2018: (header, [["16O63000", *rows[1][1:]], *rows[2:]]), 2019: SHEETS[2019]}
    path = write_bbsr(tmp_path / "keys.xlsx", sheets)
    with pytest.raises(InputFormatError, match="16O63000") as info:
        read_bbsr_keys(path)
    _assert_names(info.value, file=path, field="ags_old", line=2)


@pytest.mark.parametrize("cell", ["1e2", "+87.8", "inf", "-", "87,8"])
def test_bbsr_keys_text_cell_that_is_no_plain_number(tmp_path, cell):
    header, rows = SHEETS[2018]
    sheets = {2018: (header, [[*rows[0][:5], cell, *rows[0][6:]], *rows[1:]]), 2019: SHEETS[2019]}
    path = write_bbsr(tmp_path / "keys.xlsx", sheets)
    with pytest.raises(InputFormatError, match=cell.replace("+", r"\+")) as info:
        read_bbsr_keys(path)
    _assert_names(info.value, file=path, field="population_old", line=2)


def test_bbsr_keys_text_numbers_read_like_cells(tmp_path):
    header, rows = SHEETS[2018]
    sheets = {2018: (header, [[*rows[0][:5], "87.8", *rows[0][6:]], *rows[1:]]), 2019: SHEETS[2019]}
    table = read_bbsr_keys(write_bbsr(tmp_path / "keys.xlsx", sheets))
    assert table.loc[(table["year"] == 2018) & (table["ags_old"] == "01001"), "population_old"].item() == 87_800.0


def test_bbsr_keys_empty_sheet(tmp_path):
    path = write_bbsr(tmp_path / "keys.xlsx", {2018: SHEETS[2018], 2019: (HEADER_10, [])})
    book = openpyxl.load_workbook(path)
    book.remove(book["2019-2020"])
    book.create_sheet("2019-2020")  # a sheet without any cell
    book.save(path)
    with pytest.raises(InputFormatError, match="empty") as info:
        read_bbsr_keys(path)
    _assert_names(info.value, file=path)
    assert "sheet '2019-2020'" in str(info.value)


def test_bbsr_keys_not_a_workbook(tmp_path):
    path = tmp_path / "keys.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputFormatError, match="cannot read the workbook"):
        read_bbsr_keys(path)


# --------------------------------------------------------------------------- bad input, one row each

NUMBER_NOT_PLAIN = ["+10001", "1.0001e4", "10001e0", "1e4"]
BAD_INPUT = [  # reader, fixture, text, replaced by, part of the message, field, line
    (read_gv100ad, GV100, "Musterdorf ", "Musterdorf", "219", "record length", 10),
    (read_gv100ad, GV100, "00000005050", "000000050x0", "000000050x0", "area_ha", 10),
    (read_gv100ad_kreise, GV100, "Musterhausen" + " " * 38 + "43", "Musterhausen" + " " * 38 + "49", "'49'",
     "Textkennzeichen", 6),
    (read_gv_isys, GVISYS, "60,64,5,7,74,5001,4,", "60,64,5,7,7A,5001,4,", "7A", "kreis", 7),
    (read_gv_isys, GVISYS, '"8,53212"', '"8,53O12"', "8,53O12", "laengengrad", 5),
    *[(read_gv_isys, GVISYS, " 10 001,", f" {count},", count, "bevoelkerung", 7) for count in NUMBER_NOT_PLAIN],
    (read_gv_isys, GVISYS, " 5 101,", " 5 102,", "maennlich", "bevoelkerung", 7),
    (read_gv_isys, GVISYS, ",laengengrad,", ",longitude,", "column missing", "laengengrad", 1),
    (read_demandregio_population, DR_POPULATION, "1,1,4,1001000,1998,", "1,1,4,1001000,1997,",
     "ags 01001, year 1997 occurs twice", "id_region", 3),
    *[(read_demandregio_population, DR_POPULATION, ",84500.0", f",{value}", value, "value", 3)
      for value in ["8.45e4", "+84500.0", "inf", "84500.", "84500.0e0"]],
    (read_demandregio_population, DR_POPULATION, ",84500.0", ",-84500.0", "negative", "value", 3),
    (read_demandregio_population, DR_POPULATION, ",year,", ",jahr,", "column missing", "year", 1),
]


@pytest.mark.parametrize(("reader", "fixture", "old", "new", "message", "field", "line"), BAD_INPUT,
                         ids=[f"{row[0].__name__}-{row[3].strip()[:20]}" for row in BAD_INPUT])
def test_bad_input_names_file_line_field_and_fix(tmp_path, reader, fixture, old, new, message, field, line):
    path = _edit(fixture, tmp_path / fixture.name, old, new)
    with pytest.raises(InputFormatError) as info:
        reader(path)
    assert message in info.value.problem
    _assert_names(info.value, file=path, field=field, line=line)


@pytest.mark.parametrize(("reader", "name"), [
    (read_gv100ad, "GV100AD_301121.ASC"), (read_gv_isys, "AuszugGV4QAktuell.csv"),
    (read_demandregio_population, "population.csv"), (read_bbsr_keys, "ref-kreise-umrech-2020-1990-2019.xlsx"),
])
def test_missing_file(tmp_path, reader, name):
    with pytest.raises(MissingInputError, match="does not exist") as info:
        reader(tmp_path / name)
    _assert_names(info.value, file=tmp_path / name)
