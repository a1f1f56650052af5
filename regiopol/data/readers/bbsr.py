"""Reader for the BBSR conversion keys of Kreise ("Umsteigeschlüssel", Referenz Kreise).

``ref-kreise-umrech-2020-1990-2019.xlsx`` has one sheet per year, ``1990-2020`` …
``2019-2020``: each row is the part of a Kreis of 31.12. of that year that lies in a
Kreis of 31.12.2020, with the area- and population-proportional share of the old Kreis
(from 1997 also the employment-proportional share), the old Kreis's area (km²),
population and – from 1997 – employees subject to social insurance at the workplace
(30.06.), both in 1000. Codes are 8-digit integers without the leading zero.

The sheets state area and population differently for an old Kreis split over several
rows: up to 2015 each row holds the figure of its part (1990 Eisenach 16016: 51.5 + 62.3),
2017–2018 repeat the old Kreis's total on every row (2017 Wartburgkreis: 123.8 twice),
2016 has parts for the area and the total for the population; employees are parts
throughout. The reader returns the old Kreis's total on each of its rows, so that
``population_old × key_population`` is the population of the part in every sheet.

Known errata (corrected in :mod:`regiopol.data.harmonise`, not here): Berlin 1991 population
34,460.3 instead of 3,446.0 thousand; the sheet ``1990-2020`` holds the population of
31.12.1989.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from regiopol.core.errors import InputFormatError
from regiopol.core.sources import BBSR, DL_DE_BY_2_0, Source, attach
from regiopol.data.codes import kreis_series
from regiopol.data.readers._text import MISSING_FIX, check_unique, fail_at_first, parse_numbers, require_file

__all__ = ["TARGET_YEAR", "SHEET", "HEADERS", "OPTIONAL", "CODES", "NUMBERS", "PARTS", "IN_THOUSANDS",
           "SHARE_TOLERANCE", "FIX", "read_bbsr_keys"]

TARGET_YEAR = 2020
SHEET = re.compile(rf"([0-9]{{4}})-{TARGET_YEAR}")
# Output column → pattern matched against the header cell (lower case, blanks collapsed,
# hyphenation removed); {y} is the sheet's year.
HEADERS = {
    "ags_old": r"kreise {d}{y}",
    "name_old": r"kreisname {y}",
    "key_area": r"flächen ?proportionaler umsteige ?schlüssel",
    "key_population": r"bevölkerungs ?proportionaler umsteige ?schlüssel",
    "key_employment": r"beschäftigten ?proportionaler umsteige ?schlüssel",
    "area_km2_old": r"fläche am {d}{y} in km²",
    "population_old": r"bevölkerung am {d}{y} in 1\.?000",
    "employees_old": r"sozialvers\. ?pflichtig beschäftigte am arbeitsort am [0-9]{{1,2}}\.[0-9]{{1,2}}\.{y} "
                     r"in 1\.?000",
    "ags_2020": rf"kreise {{d}}{TARGET_YEAR}",
    "name_2020": rf"kreisname {TARGET_YEAR}",
}
OPTIONAL = ("key_employment", "employees_old")  # only in the sheets from 1997 on
CODES = ("ags_old", "ags_2020")
NUMBERS = ("key_area", "key_population", "key_employment", "area_km2_old", "population_old", "employees_old")
PARTS = {"area_km2_old": "key_area", "population_old": "key_population", "employees_old": "key_employment"}
IN_THOUSANDS = ("population_old", "employees_old")
SHARE_TOLERANCE = 0.05  # shares of rounded parts may differ this much from the key
FIX = "use the unmodified BBSR workbook 'ref-kreise-umrech-2020-1990-2019.xlsx' (bbsr.bund.de)"


def read_bbsr_keys(path: str | Path) -> pd.DataFrame:
    """All sheets as one long table, one row per (year, ags_old, ags_2020).

    Columns: year (int, the sheet's first year), ags_old (5-digit), name_old, ags_2020
    (5-digit), name_2020, key_area, key_population, key_employment (NaN before 1997),
    area_km2_old, population_old (persons, float), employees_old (persons, float, NaN
    before 1997) – the last three for the whole old Kreis (see the module docstring).
    """
    path = require_file(path, fix=f"{MISSING_FIX}: {FIX}")
    try:  # one call reads every sheet: the workbook is opened and parsed once
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    except Exception as err:  # openpyxl/zipfile raise many types for a broken workbook
        raise InputFormatError(f"cannot read the workbook ({type(err).__name__}: {err})", file=path, fix=FIX) from None
    years = {int(m.group(1)): name for name in sheets if (m := SHEET.fullmatch(name.strip()))}
    if not years:
        raise InputFormatError(f"no sheet named 'YYYY-{TARGET_YEAR}'", file=path, fix=FIX)
    missing = sorted(set(range(min(years), TARGET_YEAR)) - set(years))
    if missing:
        raise InputFormatError(f"sheet '{missing[0]}-{TARGET_YEAR}' is missing", file=path,
                               field=f"{missing[0]}-{TARGET_YEAR}", fix=FIX)
    table = pd.concat([_sheet(sheets[name], year, path, name) for year, name in sorted(years.items())],
                      ignore_index=True)
    source = Source(file=path.name, table="Referenz Kreise: Umsteigeschlüssel 1990–2019 → 2020",
                    title=f"Umsteigeschlüssel für Kreise auf den Gebietsstand 31.12.{TARGET_YEAR}",
                    publisher=BBSR, licence=DL_DE_BY_2_0, stand=f"Gebietsstand 31.12.{TARGET_YEAR}")
    return attach(table, source)


def _sheet(raw: pd.DataFrame, year: int, path: Path, name: str) -> pd.DataFrame:
    where = f"{path}, sheet '{name}'"
    header_row = _header_row(raw, where)
    header = [" ".join(str(cell).split()).lower().replace("- ", "").replace("-", " ")
              for cell in raw.iloc[header_row]]
    columns = {}
    for column, pattern in HEADERS.items():
        regex = re.compile(pattern.format(y=year, d=r"(?:[0-9]{1,2}\.[0-9]{1,2}\.)?"))
        found = [i for i, cell in enumerate(header) if regex.fullmatch(cell)]
        if found:
            columns[column] = found[0]
        elif column not in OPTIONAL:
            raise InputFormatError(
                f"column '{column}' not found in the header (expected a cell like '{pattern.format(y=year, d='31.12.')}')",
                file=where, line=header_row + 1, field=column, fix=FIX)
    body = raw.iloc[header_row + 1:, list(columns.values())].set_axis(list(columns), axis=1)
    body = _data_rows(body, where)
    lines = pd.Series(body.index + 1, index=body.index)
    table = pd.DataFrame({"year": year}, index=body.index)
    for column in CODES:  # integers without the leading zero, e.g. 1001000 (or 1001000.0)
        table[column] = kreis_series(body[column], file=where, field=column, lines=lines)
    for column in ("name_old", "name_2020"):
        table[column] = body[column].astype(str).str.strip()
    for column in NUMBERS:
        table[column] = _non_negative_numbers(body[column], where, lines, column) if column in body else np.nan
    for column in IN_THOUSANDS:
        table[column] *= 1000
    for column, key in PARTS.items():
        table[column] = _old_kreis_total(table, column, key)
    table = table[["year", "ags_old", "name_old", "ags_2020", "name_2020", *NUMBERS]]
    check_unique(table, ["ags_old", "ags_2020"], file=where, lines=lines, fix=FIX)
    return table.reset_index(drop=True)


def _header_row(raw: pd.DataFrame, where: str) -> int:
    if raw.shape[0] == 0 or raw.shape[1] == 0:
        raise InputFormatError("sheet is empty", file=where, fix=FIX)
    first = raw.iloc[:20, 0].astype(str).str.strip().str.lower().str.startswith("kreise")
    if not first.any():
        raise InputFormatError("no header row (a first cell starting with 'Kreise') in the first 20 rows",
                               file=where, fix=FIX)
    return int(first.to_numpy().nonzero()[0][0])


def _data_rows(body: pd.DataFrame, where: str) -> pd.DataFrame:
    """Rows up to the last one with a Kreis code; blank rows and a footnote block below go."""
    code = pd.to_numeric(body["ags_old"], errors="coerce")
    if code.notna().sum() == 0:
        raise InputFormatError("sheet has no rows with a Kreis code", file=where, field="ags_old", fix=FIX)
    body = body.loc[: code.last_valid_index()]
    return body[body.notna().any(axis=1)]


def _non_negative_numbers(cells: pd.Series, where: str, lines: pd.Series, column: str) -> pd.Series:
    """Numeric cells as they are; text cells must be plain numbers with a decimal point."""
    values, _ = parse_numbers(cells, file=where, field=column, lines=lines, decimal=".", placeholders=False)
    fail_at_first(values < 0, file=where, field=column, lines=lines, cells=cells,
                  problem="'{cell}' is not a non-negative number", fix=FIX)
    return values


def _old_kreis_total(table: pd.DataFrame, column: str, key: str) -> pd.Series:
    """Total of the old Kreis on each of its rows: the repeated value where the sheet
    repeats the total on every part, else the sum of the parts.

    Equal values on all rows are a repeated total unless they also fit as parts, i.e.
    their shares of the sum match the key (1990 Roßlau: 17.5 + 17.5, keys 0.5004/0.4996).
    """
    group = table.groupby("ags_old")[column]
    total = group.transform("sum", min_count=1)
    misfit = (table[column] / total - table[key]).abs().groupby(table["ags_old"]).transform("max")
    repeated = (group.transform("nunique") == 1) & (group.transform("size") > 1) & (misfit > SHARE_TOLERANCE)
    return total.where(~repeated, table[column])
