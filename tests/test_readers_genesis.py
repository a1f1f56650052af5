"""Readers for GENESIS classic, GENESIS flat (ffcsv) and Regionalstatistik CSV exports.

The fixtures in tests/fixtures/genesis are short excerpts of the official files in their
original format (Latin-1, LF), with one change: in 12411-0018_sample.csv the last cell of
Gütersloh 31.12.2019 is the placeholder '.'. The flat sample is the one in
../shared/data/README.md, verbatim (UTF-8).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from regiopol.core.errors import InputFormatError, MissingInputError, RegiopolError
from regiopol.core.sources import DESTATIS, DL_DE_BY_2_0, STATISTIK_AEMTER
from regiopol.data.readers.genesis import (
    care_recipients,
    employment_at_workplace,
    population_by_age,
    read_genesis_classic,
    read_genesis_flat,
    read_regionalstatistik,
    unemployment,
)

POPULATION = "12411-0018_sample.csv"
EMPLOYMENT = ["13111-07-05-4_2019_sample.csv", "13111-07-05-4_2020_sample.csv"]
UNEMPLOYMENT = "13211-02-05-4_sample.csv"
CARE = "22411-02-03-4_sample.csv"
FLAT = "12411-0012_flat_sample.csv"
# 1-based line numbers in 12411-0018_sample.csv
FIRST_DATA_LINE, BIELEFELD_2019_LINE, FOOTER_LINE = 7, 8, 13


@pytest.fixture(scope="module")
def genesis(fixtures):
    return fixtures / "genesis"


def lines_of(genesis, name: str) -> list[str]:
    return (genesis / name).read_text(encoding="latin-1").split("\n")


def write(tmp_path, lines, name: str = "table.csv", encoding: str = "latin-1"):
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


def error_of(call, *args, kind=InputFormatError) -> RegiopolError:
    """The error ``call(*args)`` raises; it must name the file and a fix."""
    with pytest.raises(kind) as info:
        call(*args)
    assert info.value.file and info.value.fix
    return info.value


# --------------------------------------------------------------------------- formats (fixtures)


def test_classic_reads_tidy_long_table(genesis):
    table = read_genesis_classic(genesis / POPULATION)
    assert list(table.columns) == ["time", "year", "ags", "region_name", "Geschlecht", "Altersgruppen", "value", "flag"]
    assert len(table) == 6 * 34
    row = table[(table.ags == "05711") & (table.time == "31.12.2020") & (table.Geschlecht == "weiblich")
                & (table.Altersgruppen == "75 Jahre und mehr")]
    assert row.value.item() == 21865 and row.year.item() == 2020 and pd.isna(row.flag.item())
    source = table.attrs["source"]
    assert (source.file, source.table, source.publisher, source.licence, source.stand) == (
        POPULATION, "12411-0018", DESTATIS, DL_DE_BY_2_0, "17.08.2021 / 13:26:54")
    assert source.title == "Bevölkerung: Kreise, Stichtag, Geschlecht, Altersgruppen"


def test_classic_placeholder_gives_nan_and_flag(genesis):
    table = read_genesis_classic(genesis / POPULATION)
    flagged = table[table.flag.notna()]
    assert len(flagged) == 1 and flagged.flag.item() == "." and np.isnan(flagged.value.item())
    assert flagged.ags.item() == "05754" and flagged.year.item() == 2019


def test_classic_keeps_germany_and_land_codes(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    cells = lines[BIELEFELD_2019_LINE - 1].split(";")
    extra = [";".join(["31.12.2019", "DG", "Deutschland", *cells[3:]]),
             ";".join(["31.12.2019", "05", "Nordrhein-Westfalen", *cells[3:]])]
    table = read_genesis_classic(write(tmp_path, lines[:FIRST_DATA_LINE - 1] + extra + lines[FIRST_DATA_LINE - 1:]))
    assert {"DG", "05", "05711", "02000"} <= set(table.ags)


def test_classic_utf8_crlf_copy_reads_the_same(genesis, tmp_path):
    original = read_genesis_classic(genesis / POPULATION)
    lines = lines_of(genesis, POPULATION)
    copy = tmp_path / POPULATION
    copy.write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-8"))
    pd.testing.assert_frame_equal(read_genesis_classic(copy), original)
    assert read_genesis_classic(copy).attrs["source"].title.startswith("Bevölkerung")


def test_classic_dimension_names_fall_back_to_dim(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    lines[1] = "Bevölkerung nach Geschlecht und Alter;;;"
    table = read_genesis_classic(write(tmp_path, lines))
    assert ["dim1", "dim2"] == [c for c in table.columns if c.startswith("dim")]


def test_regionalstatistik_time_from_title_and_levels(genesis):
    table = read_regionalstatistik(genesis / EMPLOYMENT[1])
    assert list(table.columns) == ["time", "year", "ags", "level", "region_name", "category", "variable", "unit",
                                   "value", "flag"]
    assert set(table.time) == {"30.06.2020"} and set(table.year) == {2020}
    levels = table.drop_duplicates("ags").set_index("ags").level.to_dict()
    assert levels == {"DG": "Deutschland", "02": "Land", "05": "Land", "05334002": "Gemeinde", "05354": "Kreis",
                      "057": "Regierungsbezirk", "05711": "Kreis"}
    assert set(table.region_name) >= {"Deutschland", "Bielefeld, kreisfreie Stadt", "Detmold, Regierungsbezirk"}
    assert set(table.unit) == {"Anzahl"}
    assert list(table.variable.unique()) == [
        "Nationalität | Insgesamt | Geschlecht", "Nationalität | Insgesamt | Geschlecht | männlich",
        "Nationalität | Insgesamt | Geschlecht | weiblich", "Nationalität | Ausländer(innen) | Geschlecht | Insgesamt",
        "Nationalität | Ausländer(innen) | Geschlecht | männlich",
        "Nationalität | Ausländer(innen) | Geschlecht | weiblich"]
    row = table[(table.ags == "05711") & (table.category == "Insgesamt")].iloc[0]
    assert row.value == 158906
    source = table.attrs["source"]
    assert (source.table, source.publisher, source.stand) == ("13111-07-05-4", STATISTIK_AEMTER, "17.08.2021 / 20:27:28")
    assert source.title == ("Sozialversicherungspflichtig Beschäftigte am Arbeitsort nach Geschlecht, Nationalität "
                            "und Wirtschaftszweigen - Stichtag 30.06. - Kreise u. krfr. Städte")


def test_regionalstatistik_year_column_units_and_decimal_commas(genesis):
    table = read_regionalstatistik(genesis / UNEMPLOYMENT)
    assert set(table.year) == {2019, 2020} and table.category.isna().all()
    rate = table[(table.ags == "05711") & (table.year == 2020)
                 & (table.variable == "Arbeitslosenquote bez. auf alle zivile Erwerbsp.")]
    assert rate.value.item() == pytest.approx(8.4) and rate.unit.item() == "Prozent"
    assert table[table.variable == "Arbeitslose | Ausländer"].unit.eq("Anzahl").all()
    berlin_mitte = table[table.ags == "11001001"]
    assert berlin_mitte.value.isna().all() and berlin_mitte.flag.eq(".").all()


def test_regionalstatistik_category_column(genesis):
    table = read_regionalstatistik(genesis / CARE)
    assert set(table.category) == {"männlich", "weiblich", "Insgesamt"}
    assert set(table.time) == {"31.12.2017", "31.12.2019"}
    assert table.attrs["source"].title.startswith("Pflegebedürftige nach Leistungsart und Geschlecht")
    assert {"-", "."} <= set(table.flag.dropna())


def test_flat_sample_from_readme(genesis):
    table = read_genesis_flat(genesis / FLAT)
    assert list(table.columns) == ["time", "year", "ags", "region_name", "Altersjahre", "value", "flag"]
    assert list(table.Altersjahre) == ["unter 1 Jahr", "90 Jahre und mehr", "Insgesamt"]
    assert list(table.value) == [108303, 105482, 11100394]
    assert set(table.ags) == {"08"} and set(table.region_name) == {"Baden-Württemberg"}
    assert set(table.year) == {2019} and table.flag.isna().all()
    source = table.attrs["source"]
    assert (source.table, source.title, source.stand) == ("12411", "Fortschreibung des Bevölkerungsstandes", None)


def test_flat_kreise_without_region_and_several_values(tmp_path):
    head = "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;1_Merkmal_Label;" \
           "1_Auspraegung_Code;1_Auspraegung_Label;2_Merkmal_Code;2_Merkmal_Label;2_Auspraegung_Code;" \
           "2_Auspraegung_Label;BEVSTD__Bevoelkerungsstand__Anzahl;BEVANT__Anteil__Prozent"
    rows = ["12411;Bev;STAG;Stichtag;31.12.2020;KREISE;Kreise;05711000;Bielefeld;GES;Geschlecht;GESM;männlich;"
            "163000;48,9", "12411;Bev;STAG;Stichtag;31.12.2020;KREISE;Kreise;05711000;Bielefeld;GES;Geschlecht;;;"
            "333509;-"]
    table = read_genesis_flat(write(tmp_path, [head, *rows, ""], encoding="utf-8"))
    assert list(table.columns) == ["time", "year", "ags", "region_name", "Geschlecht", "variable", "value", "flag"]
    assert set(table.ags) == {"05711"} and list(table.Geschlecht) == ["männlich", "Insgesamt"] * 2
    assert list(table.variable) == ["Bevoelkerungsstand"] * 2 + ["Anteil"] * 2
    assert table.value.iloc[2] == pytest.approx(48.9) and table.flag.iloc[3] == "-"
    rows[1] = rows[1].replace("05711000", "05711001")  # a Gemeinde under KREISE
    assert error_of(read_genesis_flat, write(tmp_path, [head, *rows])).line == 3
    national = read_genesis_flat(write(tmp_path, [head.replace(";BEVANT__Anteil__Prozent", "")]
                                       + [r.replace("KREISE", "ALTX").rsplit(";", 1)[0] for r in rows]))
    assert national.ags.isna().all() and "Kreise" in national


# --------------------------------------------------------------------------- table functions (fixtures)


def test_population_by_age_fixture(genesis):
    table = population_by_age(genesis / POPULATION)
    assert list(table.columns) == ["ags", "year", "sex", "age_group", "age_from", "age_to", "population"]
    assert str(table.population.dtype) == "Int64" and str(table.age_to.dtype) == "Int64"
    bielefeld = table[(table.ags == "05711") & (table.year == 2020)]
    assert bielefeld.population.sum() == 333_509  # all 34 cells of the official row
    assert set(table.sex) == {"m", "w"} and len(table) == 6 * 34
    groups = table.drop_duplicates("age_group").set_index("age_group")
    assert (groups.at["unter 3 Jahre", "age_from"], groups.at["unter 3 Jahre", "age_to"]) == (0, 3)
    assert (groups.at["65 bis unter 75 Jahre", "age_from"], groups.at["65 bis unter 75 Jahre", "age_to"]) == (65, 75)
    assert groups.at["75 Jahre und mehr", "age_from"] == 75 and pd.isna(groups.at["75 Jahre und mehr", "age_to"])
    assert table.population.isna().sum() == 1  # the '.' placeholder
    assert table.equals(table.sort_values(["ags", "year", "sex", "age_from"]).reset_index(drop=True))
    assert table.attrs["source"].table == "12411-0018"


def test_employment_fixture(genesis):
    table = employment_at_workplace([genesis / name for name in EMPLOYMENT])
    assert list(table.columns) == ["ags", "year", "sector", "employees", "employees_male", "employees_female",
                                   "employees_foreign"]
    assert set(table.ags) == {"05711", "02000"}  # Hamburg from the Land row; Kreis Aachen (all '-') dropped
    total = table[(table.ags == "05711") & (table.year == 2020) & (table.sector == "Insgesamt")].iloc[0]
    assert (total.employees, total.employees_male, total.employees_female, total.employees_foreign) == (
        158906, 83796, 75110, 17463)
    source = table.attrs["source"]
    assert source.file == ", ".join(EMPLOYMENT) and source.table == "13111-07-05-4"


def test_employment_same_year_twice(genesis):
    err = error_of(employment_at_workplace, [genesis / EMPLOYMENT[1], genesis / EMPLOYMENT[1]])
    assert "2020" in err.problem


def test_employment_without_files():
    with pytest.raises(MissingInputError, match="Fix:"):
        employment_at_workplace([])


def test_unemployment_fixture(genesis):
    table = unemployment(genesis / UNEMPLOYMENT)
    assert set(table.ags) == {"02000", "05711", "11000"}
    row = table[(table.ags == "05711") & (table.year == 2020)].iloc[0]
    assert row.unemployed == 15217 and row.unemployment_rate == pytest.approx(8.4)
    assert row.unemployment_rate_dependent == pytest.approx(9.2) and row.unemployed_long_term == 6072
    assert str(table.unemployed.dtype) == "Int64" and table.unemployment_rate.dtype == float


def test_care_recipients_fixture(genesis):
    table = care_recipients(genesis / CARE)
    assert list(table.columns) == ["ags", "year", "sex", "care_total", "care_ambulatory", "care_inpatient",
                                   "care_allowance"]
    row = table[(table.ags == "05711") & (table.year == 2019) & (table.sex == "insgesamt")].iloc[0]
    assert (row.care_total, row.care_ambulatory, row.care_inpatient, row.care_allowance) == (17280, 5224, 2767, 8167)
    assert set(table.sex) == {"m", "w", "insgesamt"} and "03241" not in set(table.ags)


def test_table_function_checks_the_table_code(genesis):
    err = error_of(population_by_age, genesis / UNEMPLOYMENT)
    assert err.line == 1 and "13211-02-05-4" in err.problem


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("reader", [read_genesis_classic, read_regionalstatistik, read_genesis_flat])
def test_empty_file(tmp_path, reader):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in error_of(reader, path).problem


def test_missing_file(tmp_path):
    error_of(read_genesis_classic, tmp_path / "nowhere.csv", kind=MissingInputError)


@pytest.mark.parametrize(("name", "reader"), [(POPULATION, read_genesis_classic), (CARE, read_regionalstatistik)])
def test_truncated_without_footer(genesis, tmp_path, name, reader):
    lines = lines_of(genesis, name)
    err = error_of(reader, write(tmp_path, lines[:lines.index("__________")]))
    assert "footer" in err.problem


def test_truncated_mid_row(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    cut = lines[:BIELEFELD_2019_LINE - 1] + [lines[BIELEFELD_2019_LINE - 1][:60]]
    err = error_of(read_genesis_classic, write(tmp_path, cut))
    assert err.line == BIELEFELD_2019_LINE and "cells" in err.problem


def test_missing_title_block(genesis, tmp_path):
    err = error_of(read_genesis_classic, write(tmp_path, lines_of(genesis, POPULATION)[4:]))
    assert err.line == 1 and "title" in err.problem


def test_missing_header_rows(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    err = error_of(read_genesis_classic, write(tmp_path, lines[:4] + lines[6:]))
    assert "header" in err.problem


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_shifted_columns(genesis, tmp_path, change):
    lines = lines_of(genesis, POPULATION)
    row = lines[BIELEFELD_2019_LINE - 1]
    lines[BIELEFELD_2019_LINE - 1] = row + ";1" if change == "extra" else row.rsplit(";", 1)[0]
    assert error_of(read_genesis_classic, write(tmp_path, lines)).line == BIELEFELD_2019_LINE


def test_shifted_label_column_regionalstatistik(genesis, tmp_path):
    lines = lines_of(genesis, UNEMPLOYMENT)
    number = next(i for i, line in enumerate(lines) if line.startswith("2020;05711;")) + 1
    lines[number - 1] = lines[number - 1].replace("2020;05711;", "2020;", 1) + ";1"  # same count, code missing
    err = error_of(read_regionalstatistik, write(tmp_path, lines))
    assert err.line == number and err.field == "area code"


@pytest.mark.parametrize("placeholder", ["k.A.", "*", "n.v."])
def test_unknown_placeholder(genesis, tmp_path, placeholder):
    lines = lines_of(genesis, POPULATION)
    lines[BIELEFELD_2019_LINE - 1] = lines[BIELEFELD_2019_LINE - 1].replace(";5200;", f";{placeholder};", 1)
    err = error_of(read_genesis_classic, write(tmp_path, lines))
    assert err.line == BIELEFELD_2019_LINE and err.field == "männlich | unter 3 Jahre"


@pytest.mark.parametrize("cell", ["12a", "inf", "1,2,3", "1e3", "1,5e5", "+5", "Infinity", "NaN", "1.2"])
def test_non_numeric_cell(genesis, tmp_path, cell):
    lines = lines_of(genesis, CARE)
    number = next(i for i, line in enumerate(lines) if line.startswith("31.12.2019;05711;")) + 1
    lines[number - 1] = lines[number - 1].replace(";6330;", f";{cell};")
    err = error_of(read_regionalstatistik, write(tmp_path, lines))
    assert err.line == number and err.field == "Pflegebedürftige"


@pytest.mark.parametrize("bad", ["31.13.2019", "30.02.2019", "00.12.2019", "31.12.0000", "0000"])
def test_impossible_date(genesis, tmp_path, bad):
    lines = lines_of(genesis, POPULATION)
    lines[BIELEFELD_2019_LINE - 1] = lines[BIELEFELD_2019_LINE - 1].replace("31.12.2019", bad, 1)
    err = error_of(read_genesis_classic, write(tmp_path, lines))
    assert (err.line, err.field) == (BIELEFELD_2019_LINE, "time") and bad in err.problem


def test_impossible_date_in_the_title(genesis, tmp_path):
    lines = lines_of(genesis, EMPLOYMENT[0])
    number = next(i for i, line in enumerate(lines) if line.startswith("Stichtag:")) + 1
    lines[number - 1] = lines[number - 1].replace("30.06.2019", "31.06.2019")
    err = error_of(read_regionalstatistik, write(tmp_path, lines))
    assert (err.line, err.field) == (number, "time") and "31.06.2019" in err.problem


@pytest.mark.parametrize("blank", ["", "   ", ";;;"])
def test_blank_line_inside_the_data_block(genesis, tmp_path, blank):
    lines = lines_of(genesis, POPULATION)
    lines.insert(FOOTER_LINE - 1, blank)  # just before the '__________' footer
    err = error_of(read_genesis_classic, write(tmp_path, lines))
    assert err.line == FOOTER_LINE and err.problem == "blank line inside the data block"
    lines = lines_of(genesis, FLAT)
    lines.insert(2, blank)
    err = error_of(read_genesis_flat, write(tmp_path, lines, encoding="utf-8"))
    assert err.line == 3 and err.problem == "blank line inside the data block"


def test_empty_value_cell(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    lines[BIELEFELD_2019_LINE - 1] = lines[BIELEFELD_2019_LINE - 1].replace(";5200;", ";;", 1)
    assert error_of(read_genesis_classic, write(tmp_path, lines)).line == BIELEFELD_2019_LINE


def test_negative_count(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    lines[BIELEFELD_2019_LINE - 1] = lines[BIELEFELD_2019_LINE - 1].replace(";5200;", ";-5200;", 1)
    assert isinstance(read_genesis_classic(write(tmp_path, lines)), pd.DataFrame)  # the reader keeps signs
    err = error_of(population_by_age, write(tmp_path, lines))
    assert err.line == BIELEFELD_2019_LINE and "negative" in err.problem


def test_duplicate_row(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    lines.insert(BIELEFELD_2019_LINE, lines[BIELEFELD_2019_LINE - 1])
    err = error_of(read_genesis_classic, write(tmp_path, lines))
    assert err.line == BIELEFELD_2019_LINE + 1 and "twice" in err.problem
    assert f"first at line {BIELEFELD_2019_LINE}" in err.problem


def test_duplicate_keys_in_population_by_age(genesis, tmp_path):
    """Two dates of one year give the same ags/year/sex/age group twice."""
    lines = lines_of(genesis, POPULATION)
    lines.insert(BIELEFELD_2019_LINE, lines[BIELEFELD_2019_LINE - 1].replace("31.12.2019", "30.06.2019"))
    assert len(read_genesis_classic(write(tmp_path, lines))) == 7 * 34
    err = error_of(population_by_age, write(tmp_path, lines))
    assert err.line == BIELEFELD_2019_LINE + 1 and "twice" in err.problem


def test_duplicate_row_regionalstatistik_and_flat(genesis, tmp_path):
    lines = lines_of(genesis, CARE)
    lines.insert(8, lines[7])
    assert error_of(read_regionalstatistik, write(tmp_path, lines)).line == 9
    flat = lines_of(genesis, FLAT)
    flat.insert(2, flat[1])
    assert error_of(read_genesis_flat, write(tmp_path, flat, encoding="utf-8")).line == 3


@pytest.mark.parametrize(("name", "reader"), [(POPULATION, read_genesis_classic), (UNEMPLOYMENT, read_regionalstatistik),
                                              (FLAT, read_genesis_flat)])
def test_utf16_file(genesis, tmp_path, name, reader):
    text = (genesis / name).read_bytes().decode("utf-8" if name == FLAT else "latin-1")
    path = tmp_path / name
    path.write_bytes(text.encode("utf-16"))
    assert "UTF-16" in error_of(reader, path).problem


@pytest.mark.parametrize("code", ["0571", "ABCDE", "5711", "17001", "057110", ""])
def test_invalid_area_code(genesis, tmp_path, code):
    lines = lines_of(genesis, POPULATION)
    lines[BIELEFELD_2019_LINE - 1] = lines[BIELEFELD_2019_LINE - 1].replace(";05711;", f";{code};")
    err = error_of(read_genesis_classic, write(tmp_path, lines))
    assert (err.line, err.field) == (BIELEFELD_2019_LINE, "area code")


def test_invalid_area_code_flat(genesis, tmp_path):
    lines = lines_of(genesis, FLAT)
    lines[2] = lines[2].replace(";08;", ";8X;")
    err = error_of(read_genesis_flat, write(tmp_path, lines, encoding="utf-8"))
    assert (err.line, err.field) == (3, "area code")


def test_header_width_differs_from_data(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    lines[4], lines[5] = lines[4].rsplit(";", 1)[0], lines[5].rsplit(";", 1)[0]
    err = error_of(read_genesis_classic, write(tmp_path, lines))
    assert err.line == FIRST_DATA_LINE and "header" in err.problem


def test_header_rows_differ_in_width(genesis, tmp_path):
    lines = lines_of(genesis, UNEMPLOYMENT)
    lines[6] += ";Prozent"
    assert error_of(read_regionalstatistik, write(tmp_path, lines)).line == 7


def test_regionalstatistik_without_time(genesis, tmp_path):
    lines = [line for line in lines_of(genesis, EMPLOYMENT[0]) if not line.startswith("Stichtag:")]
    assert error_of(read_regionalstatistik, write(tmp_path, lines)).field == "time"


def test_classic_rejects_other_leading_columns(genesis):
    err = error_of(read_genesis_classic, genesis / EMPLOYMENT[0])
    assert (err.line, err.field) == (12, "time")


def test_unknown_sex_and_age_labels(genesis, tmp_path):
    lines = lines_of(genesis, POPULATION)
    lines[4] = lines[4].replace("männlich", "divers", 1)
    assert error_of(population_by_age, write(tmp_path, lines)).field == "Geschlecht"
    lines = lines_of(genesis, POPULATION)
    lines[5] = lines[5].replace("unter 3 Jahre", "Kleinkinder", 1)
    assert error_of(population_by_age, write(tmp_path, lines)).field == "Altersgruppen"


@pytest.mark.parametrize(("line", "old", "new", "field"), [
    (1, "Zeit;", "Periode;", None),
    (1, "2_Auspraegung_Code", "2_Code", "2_Auspraegung_Code"),
    (1, "BEVSTD__Bevoelkerungsstand__Anzahl", "Wert", "Wert"),
    (3, "ALT103", "ALT999", "2_Merkmal_Code"),
    (3, "31.12.2019", "Ende 2019", "Zeit"),
    (3, ";105482", ";105482;1", None),
    (3, ";105482", ";k.A.", "BEVSTD__Bevoelkerungsstand__Anzahl"),
    (3, ";105482", ";1.05482e5", "BEVSTD__Bevoelkerungsstand__Anzahl"),
    (3, ";105482", ";+105482", "BEVSTD__Bevoelkerungsstand__Anzahl"),
    (3, "31.12.2019", "31.13.2019", "Zeit"),
    (3, "31.12.2019", "29.02.2019", "Zeit"),
])
def test_flat_bad_input(genesis, tmp_path, line, old, new, field):
    lines = lines_of(genesis, FLAT)
    lines[line - 1] = lines[line - 1].replace(old, new)
    err = error_of(read_genesis_flat, write(tmp_path, lines, encoding="utf-8"))
    assert (err.line, err.field) == (line, field)


def test_flat_header_only(genesis, tmp_path):
    assert "data" in error_of(read_genesis_flat, write(tmp_path, lines_of(genesis, FLAT)[:1])).problem


# --------------------------------------------------------------------------- real files


def test_real_population_by_age(raw_dir):
    path = raw_dir / "destatis" / "12411-0018.csv"
    start = time.perf_counter()
    table = population_by_age(path)
    assert time.perf_counter() - start < 1.0
    year_2020 = table[table.year == 2020]
    assert year_2020[year_2020.ags == "05711"].population.sum() == 333_509
    assert year_2020.population.sum() == 83_155_031
    assert table.groupby("year").ags.nunique().to_dict() == {2015: 402, 2016: 401, 2017: 401, 2018: 401,
                                                             2019: 401, 2020: 401}
    assert table.population.notna().all() and table.age_group.nunique() == 17
    assert table.attrs["source"].stand == "17.08.2021 / 13:26:54"


def test_real_classic_utf8_copy(raw_dir, tmp_path):
    path = raw_dir / "destatis" / "12411-0018.csv"
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes().decode("latin-1").replace("\n", "\r\n").encode("utf-8"))
    pd.testing.assert_frame_equal(read_genesis_classic(copy), read_genesis_classic(path))


def test_real_employment(raw_dir):
    paths = sorted((raw_dir / "regionalstatistik").glob("13111-07-05-4_*.csv"))
    assert len(paths) == 6
    table = employment_at_workplace(paths)
    total = table[(table.ags == "05711") & (table.year == 2020) & (table.sector == "Insgesamt")].iloc[0]
    assert (total.employees, total.employees_male, total.employees_female, total.employees_foreign) == (
        158906, 83796, 75110, 17463)
    kreise = table[table.sector == "Insgesamt"].groupby("year").ags.nunique().to_dict()
    assert kreise == {2015: 402, 2016: 402, 2017: 401, 2018: 401, 2019: 401, 2020: 401}
    assert table.sector.nunique() == 14 and table.employees_foreign.isna().any()


def test_real_unemployment(raw_dir):
    table = unemployment(raw_dir / "regionalstatistik" / "13211-02-05-4.csv")
    row = table[(table.ags == "05711") & (table.year == 2020)].iloc[0]
    assert row.unemployed == 15217 and row.unemployment_rate == pytest.approx(8.4)
    assert table[table.year == 2020].ags.nunique() == 401
    # not published for Kreise in 2017/2018; Berlin and Hamburg come from their Land rows, which have it
    not_published = table[table.year.isin([2017, 2018]) & ~table.ags.isin(["02000", "11000"])]
    assert len(not_published) == 2 * 399 and not_published.unemployment_rate_foreign.isna().all()


def test_real_care_recipients(raw_dir):
    table = care_recipients(raw_dir / "regionalstatistik" / "22411-02-03-4.csv")
    row = table[(table.ags == "05711") & (table.year == 2019) & (table.sex == "insgesamt")].iloc[0]
    assert (row.care_total, row.care_ambulatory, row.care_inpatient, row.care_allowance) == (17280, 5224, 2767, 8167)
    assert table[(table.ags == "01001") & (table.year == 2019) & (table.sex == "insgesamt")].care_total.item() == 3951
    assert table.groupby("year").ags.nunique().to_dict() == {2015: 402, 2017: 401, 2019: 401}


def test_real_regionalstatistik_levels(raw_dir):
    table = read_regionalstatistik(raw_dir / "regionalstatistik" / "13211-02-05-4.csv")
    germany = table[(table.ags == "DG") & (table.year == 2020) & (table.variable == "Arbeitslose")]
    assert germany.value.item() == 2_695_444
    assert set(table.level) == {"Kreis", "Regierungsbezirk", "Land", "Gemeinde", "Deutschland"}
    assert table[table.ags == "03241001"].level.eq("Gemeinde").all()
