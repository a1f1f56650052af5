"""Readers for facility lists: hospital sites (G-BA), DB stations, Hochschulen (HRK).

Coordinates outside Germany's bounding box (lon 5.5–15.5, lat 47–55.2) are geocoding
errors: they are set to NaN and listed in ``df.attrs["warnings"]`` (file, line,
value) instead of failing the whole read; a non-numeric coordinate still raises
(:func:`regiopol.data.readers._text.parse_coordinates`, the policy of all readers).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regiopol.core.sources import CC_BY_4_0, Source, attach
from regiopol.data.readers._text import (
    fail_at_first,
    parse_coordinates,
    parse_counts,
    parse_flags,
    parse_numbers,
    parse_postcodes,
    read_delimited,
    require_columns,
)

__all__ = ["HOSPITAL_TEXT", "HOSPITAL_COUNTS", "HOSPITAL_STAFF", "STATION_TEXT", "YES_NO", "HOCHSCHULE_TEXT",
           "read_hospitals", "read_rail_stations", "read_hochschulen"]

HOSPITAL_TEXT = {
    "ID": "site_id", "ikNumber": "ik_number", "HospitalName": "name", "HospitalOperatorName": "operator",
    "type": "operator_type", "city": "city",
}
HOSPITAL_COUNTS = {
    "quantityBeds": "beds", "quantityCasesFull": "cases_inpatient",
    "quantityCasesPartial": "cases_partial", "quantityCasesOutpatient": "cases_outpatient",
}
HOSPITAL_STAFF = {"Doctors": "doctors", "Nurses": "nurses"}  # full-time equivalents

STATION_TEXT = {
    "Station": "name", "Bf DS 100 Abk.": "ds100", "Bundesland": "state", "Ort": "city", "Straße": "street",
    "Aufgabenträger": "transport_authority",
}
YES_NO = {"ja": True, "nein": False}

HOCHSCHULE_TEXT = {
    "Hochschulkurzname": "short_name", "Hochschulname": "name", "Hochschultyp": "type",
    "Trägerschaft": "sponsor", "Bundesland": "state", "Straße": "street", "Ort (Hausanschrift)": "city",
}


def read_hospitals(path: str | Path) -> pd.DataFrame:
    """Hospital sites per reporting year from the G-BA structured quality reports.

    Columns: year, site_id, ik_number, name, operator, operator_type, university_clinic,
    beds, cases_inpatient, cases_partial, cases_outpatient, doctors, nurses (full-time
    equivalents), street, postcode, city, lat, lon. ``(year, site_id)`` is not always
    unique: a few site numbers are reported twice (e.g. a day clinic under its main
    site); such rows are kept and listed in ``attrs["warnings"]``.
    """
    path = Path(path)
    raw, lines = read_delimited(path, sep=",")
    columns = ["year", *HOSPITAL_TEXT, "universityClinic", *HOSPITAL_COUNTS, *HOSPITAL_STAFF, "street",
               "housenumber", "zip", "lat", "lon"]
    require_columns(raw, columns, file=path)
    year = parse_counts(raw["year"], file=path, field="year", lines=lines, decimal=".", allow_empty=False,
                        placeholders=False)  # every row needs its reporting year
    table = pd.DataFrame({"year": year})
    table = table.join(_text(raw, HOSPITAL_TEXT))
    table["street"] = _clean(raw["street"] + " " + raw["housenumber"])
    table["university_clinic"] = parse_flags(raw["universityClinic"], {"1": True, "0": False},
                                             file=path, field="universityClinic", lines=lines)
    for column, name in HOSPITAL_COUNTS.items():
        table[name] = _counts(raw, column, path, lines)
    for column, name in HOSPITAL_STAFF.items():
        table[name] = parse_numbers(raw[column], file=path, field=column, lines=lines, decimal=".")[0]
    table["postcode"] = parse_postcodes(raw["zip"], file=path, field="zip", lines=lines)
    table["lon"], table["lat"], warnings = parse_coordinates(raw["lon"], raw["lat"], file=path, lines=lines,
                                                             lon_field="lon", lat_field="lat")
    duplicated = table.duplicated(["year", "site_id"], keep=False)
    warnings += [
        f"{path.name}, line {line}: site {site} is reported more than once for {year}"
        for line, site, year in zip(lines[duplicated], table.loc[duplicated, "site_id"], table.loc[duplicated, "year"])
    ]
    order = ["year", "site_id", "ik_number", "name", "operator", "operator_type", "university_clinic",
             *HOSPITAL_COUNTS.values(), *HOSPITAL_STAFF.values(), "street", "postcode", "city", "lat", "lon"]
    table = table[order]
    table.attrs["warnings"] = warnings
    return attach(table, Source(
        file=path.name, table="Strukturierte Qualitätsberichte der Krankenhäuser",
        title="Krankenhausstandorte mit Betten, Fällen und Personal",
        publisher="Gemeinsamer Bundesausschuss (G-BA), strukturierte Qualitätsberichte (via klinik-db)",
        licence="Nachnutzung mit Quellenangabe", stand="Berichtsjahre 2015–2019",
    ))


def read_rail_stations(path: str | Path) -> pd.DataFrame:
    """DB stations (Stationsdaten DB Station&Service AG, UTF-8, ``;``).

    Columns: station_no, name, ds100, category (``Kat. Vst``, Int64 1–7),
    long_distance (``Fernverkehr``), regional (``Nahverkehr``), state, postcode, city,
    street, transport_authority. The file has no coordinates.
    """
    path = Path(path)
    raw, lines = read_delimited(path, sep=";")
    require_columns(raw, ["Bf. Nr.", "Kat. Vst", "Fernverkehr", "Nahverkehr", "PLZ", *STATION_TEXT], file=path)
    table = pd.DataFrame({"station_no": _counts(raw, "Bf. Nr.", path, lines)})
    table = table.join(_text(raw, STATION_TEXT))
    category = _counts(raw, "Kat. Vst", path, lines)
    fail_at_first((category.notna() & ~category.between(1, 7)).fillna(False), file=path, field="Kat. Vst",
                  lines=lines, cells=category, problem="station category {cell} is not 1–7",
                  fix="check that the columns are not shifted (Kat. Vst holds the category 1–7)")
    table["category"] = category
    table["long_distance"] = parse_flags(raw["Fernverkehr"], YES_NO, file=path, field="Fernverkehr", lines=lines)
    table["regional"] = parse_flags(raw["Nahverkehr"], YES_NO, file=path, field="Nahverkehr", lines=lines)
    table["postcode"] = parse_postcodes(raw["PLZ"], file=path, field="PLZ", lines=lines)
    order = ["station_no", "name", "ds100", "category", "long_distance", "regional", "state", "postcode", "city",
             "street", "transport_authority"]
    return attach(table[order], Source(
        file=path.name, table="Stationsdaten", title="Bahnhöfe mit Kategorie und Fernverkehrshalt",
        publisher="DB Station&Service AG", licence=CC_BY_4_0, stand="2016",
    ))


def read_hochschulen(path: str | Path) -> pd.DataFrame:
    """Hochschulen from the Hochschulkompass export (tab-separated UTF-8).

    Accepts the plain list (``hochschulkompass_hs_liste.txt``, lat/lon NaN) and the
    geocoded copy (``…_koordinaten.csv`` with a leading unnamed index column and
    ``Latitude``/``Longitude``). Columns: hs_no, short_name, name, type, sponsor, state,
    students (Int64), founded (Int64), doctorate, street, postcode, city, lat, lon.
    """
    path = Path(path)
    raw, lines = read_delimited(path, sep="\t")
    columns = ["Hs-Nr.", "Anzahl Studierende", "Gründungsjahr", "Promotionsrecht", "Postleitzahl (Hausanschrift)",
               *HOCHSCHULE_TEXT]
    require_columns(raw, columns, file=path)
    table = pd.DataFrame({"hs_no": _counts(raw, "Hs-Nr.", path, lines)})
    table = table.join(_text(raw, HOCHSCHULE_TEXT))
    table["students"] = _counts(raw, "Anzahl Studierende", path, lines)
    table["founded"] = _counts(raw, "Gründungsjahr", path, lines)
    table["doctorate"] = parse_flags(raw["Promotionsrecht"], {"ja": True, "nein": False},
                                     file=path, field="Promotionsrecht", lines=lines)
    table["postcode"] = parse_postcodes(raw["Postleitzahl (Hausanschrift)"], file=path,
                                        field="Postleitzahl (Hausanschrift)", lines=lines)
    geocoded = "Latitude" in raw.columns or "Longitude" in raw.columns
    if geocoded:
        require_columns(raw, ["Latitude", "Longitude"], file=path)
        table["lon"], table["lat"], warnings = parse_coordinates(
            raw["Longitude"], raw["Latitude"], file=path, lines=lines, lon_field="Longitude", lat_field="Latitude")
    else:
        table["lat"] = table["lon"] = float("nan")
        warnings = []
    order = ["hs_no", "short_name", "name", "type", "sponsor", "state", "students", "founded", "doctorate",
             "street", "postcode", "city", "lat", "lon"]
    table = table[order]
    table.attrs["warnings"] = warnings
    return attach(table, Source(
        file=path.name, table="Hochschulliste", title="Hochschulen in Deutschland",
        publisher="Hochschulkompass (HRK)", licence="Quellenangabe: Hochschulkompass der HRK", stand="2023",
    ))


def _text(raw: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return raw[list(columns)].rename(columns=columns).apply(_clean)


def _clean(cells: pd.Series) -> pd.Series:
    """Inner line breaks and runs of blanks collapsed, ends stripped; empty → <NA>."""
    return cells.str.replace(r"\s+", " ", regex=True).str.strip().replace("", pd.NA)


def _counts(raw: pd.DataFrame, column: str, path: Path, lines: pd.Series) -> pd.Series:
    return parse_counts(raw[column], file=path, field=column, lines=lines, decimal=".")
