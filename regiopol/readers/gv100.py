"""Reader for the official municipality directory GV100AD (Destatis, "Gemeindeverzeichnis").

Fixed-width records of 220 characters (layout: ``Datensatzbeschreibung_GV100AD.pdf``,
"Gemeindeverzeichnis ab 01.07.1993", Satzart 10–60). Columns are 1-based in the PDF;
the slices below are 0-based, end-exclusive:

==========  =======  ====================================================================
positions   slice    field
==========  =======  ====================================================================
1–2         0:2      Satzart: 10 Land, 20 Regierungsbezirk, 30 Region (BW), 40 Kreis,
                     50 Gemeindeverband, 60 Gemeinde
3–10        2:10     Gebietsstand (YYYYMMDD)
11–18       10:18    Regionalschlüssel: Land (2), Regierungsbezirk (1), Kreis (2), Gemeinde (3)
19–22       18:22    Gemeindeverband
23–72       22:72    name
73–122      72:122   seat (Sitz der Landesregierung / Kreisverwaltung …)
123–124     122:124  Textkennzeichen (40: 41–45, 60: 60–67)
129–139     128:139  Satzart 60: area in ha
140–150     139:150  Satzart 60: population, total
151–161     150:161  Satzart 60: population, male (female is not in the record: derived)
166–170     165:170  Satzart 60: postcode of the Gemeinde (of its seat if it has several)
==========  =======  ====================================================================

The directory also lists three unpopulated pseudo-Gemeinden (``…9999999``: the
German-Luxembourg condominium, coastal waters); two of them carry the Kreis part
``000`` (``07000``, ``13000``), which is no Kreis, so they are in no Kreis total.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regiopol.errors import InputFormatError
from regiopol.readers._text import as_count, read_text
from regiopol.sources import DESTATIS, Source, attach

RECORD_LENGTH = 220
RECORD_TYPES = {"10", "20", "30", "40", "50", "60"}
KREIS_KINDS = {
    "41": "Kreisfreie Stadt",
    "42": "Stadtkreis",
    "43": "Kreis",
    "44": "Landkreis",
    "45": "Regionalverband",
}
LICENCE = "Vervielfältigung und Verbreitung, auch auszugsweise, mit Quellenangabe gestattet"
_NUMBERS = {"area_ha": (128, 139), "population": (139, 150), "population_male": (150, 161)}


def read_gv100ad(path: str | Path) -> pd.DataFrame:
    """Gemeinden (Satzart 60), one row each.

    Columns: ags (8-digit), kreis_ags (5-digit), land (2-digit), name, area_km2 (float,
    from ha), population, population_male, population_female (Int64; female = total −
    male), postcode (5-digit string, ``<NA>`` for unpopulated areas).
    """
    return _gemeinden(*_records(path), path)


def _gemeinden(records: pd.Series, source: Source, path) -> pd.DataFrame:
    rec = records[records.str[:2] == "60"]
    lines = _lines(rec)
    numbers = {name: _number(rec.str[a:b], path, lines, name, (a, b)) for name, (a, b) in _NUMBERS.items()}
    population = as_count(numbers["population"], file=path, field="population (positions 140–150)", lines=lines)
    male = as_count(numbers["population_male"], file=path, field="population male (positions 151–161)", lines=lines)
    _check(male <= population, path, lines, "male population exceeds the total", "population male (positions 151–161)")
    postcode = rec.str[165:170].str.strip()
    table = pd.DataFrame({
        "ags": rec.str[10:18],
        "kreis_ags": rec.str[10:15],
        "land": rec.str[10:12],
        "name": rec.str[22:72].str.strip(),
        "area_km2": numbers["area_ha"] / 100,
        "population": population,
        "population_male": male,
        "population_female": population - male,
        "postcode": postcode.where(postcode != "").astype("string"),
    })
    _check(table["ags"].str.fullmatch(r"[0-9]{8}"), path, lines, "is not an 8-digit Regionalschlüssel",
           "Regionalschlüssel (positions 11–18)", cells=table["ags"])
    _check(~table["ags"].duplicated(), path, lines, "occurs twice as Gemeinde", "Regionalschlüssel (positions 11–18)",
           cells=table["ags"])
    return attach(_plain(table), source)


def read_gv100ad_kreise(path: str | Path) -> pd.DataFrame:
    """Kreise (Satzart 40), one row each.

    Columns: ags (5-digit), name, kind (Textkennzeichen 41 Kreisfreie Stadt, 42 Stadtkreis,
    43 Kreis, 44 Landkreis, 45 Regionalverband), seat, land (2-digit), area_km2 and
    population (summed over the Kreis's Gemeinden).
    """
    records, source = _records(path)
    rec = records[records.str[:2] == "40"]
    lines = _lines(rec)
    code = rec.str[122:124]
    _check(code.isin(list(KREIS_KINDS)), path, lines, f"is not a Kreis Textkennzeichen ({', '.join(KREIS_KINDS)})",
           "Textkennzeichen (positions 123–124)", cells=code)
    kreise = pd.DataFrame({
        "ags": rec.str[10:15],
        "name": rec.str[22:72].str.strip(),
        "kind": code.map(KREIS_KINDS),
        "seat": rec.str[72:122].str.strip(),
        "land": rec.str[10:12],
    })
    _check(kreise["ags"].str.fullmatch(r"[0-9]{5}") & ~kreise["ags"].duplicated(), path, lines,
           "is not a 5-digit Kreis code or occurs twice", "Regionalschlüssel (positions 11–15)", cells=kreise["ags"])
    totals = _gemeinden(records, source, path).groupby("kreis_ags")[["area_km2", "population"]].sum()
    table = kreise.join(totals, on="ags")
    _check(table["population"].notna(), path, lines, "has no Gemeinde records (Satzart 60)",
           "Regionalschlüssel (positions 11–15)", cells=kreise["ags"])
    return attach(_plain(table), source)


def read_gv100ad_laender(path: str | Path) -> pd.DataFrame:
    """Länder (Satzart 10): land (2-digit), name, seat (Sitz der Landesregierung)."""
    records, source = _records(path)
    rec = records[records.str[:2] == "10"]
    table = pd.DataFrame({
        "land": rec.str[10:12],
        "name": rec.str[22:72].str.strip(),
        "seat": rec.str[72:122].str.strip(),
    })
    return attach(_plain(table), source)


def _records(path) -> tuple[pd.Series, Source]:
    """All records, indexed by their line number, and the source with the Gebietsstand."""
    text = read_text(path, encoding="latin-1")  # Destatis ships it in Latin-1; this copy is UTF-8
    records = pd.Series(text.split("\n"), dtype="string")
    records.index = records.index + 1
    records = records[records.str.strip() != ""]
    lines = _lines(records)
    length = records.str.len()
    _check(length == RECORD_LENGTH, path, lines, f"characters where a record has {RECORD_LENGTH}",
           "record length", cells=length, fix="use the unmodified GV100AD file: an editor may have stripped trailing "
           "blanks or inserted characters, which shifts the fixed-width fields")
    _check(records.str[:2].isin(list(RECORD_TYPES)), path, lines,
           f"is not a Satzart ({', '.join(sorted(RECORD_TYPES))})", "Satzart (positions 1–2)", cells=records.str[:2])
    stands = records.str[2:10].unique()
    if len(stands) != 1 or not pd.Series(stands).str.fullmatch(r"[0-9]{8}").all():
        raise InputFormatError(
            f"Gebietsstand is not one date for all records ({', '.join(map(str, stands[:3]))})",
            file=path, field="Gebietsstand (positions 3–10)",
            fix="use one GV100AD file as published, not a concatenation of several vintages",
        )
    stand = stands[0]
    source = Source(
        file=Path(path).name, table="GV100AD",
        title=f"Gemeindeverzeichnis – Gebietsstand {stand[6:8]}.{stand[4:6]}.{stand[:4]}",
        publisher=DESTATIS, licence=LICENCE, stand=f"{stand[6:8]}.{stand[4:6]}.{stand[:4]}",
    )
    return records, source


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object (like :func:`regiopol.codes.kreis_series`), a fresh index."""
    text = table.select_dtypes("string").columns
    return table.astype({column: object for column in text}).reset_index(drop=True)


def _lines(records: pd.Series) -> pd.Series:
    return pd.Series(records.index, index=records.index)


def _number(cells: pd.Series, path, lines, name: str, span: tuple[int, int]) -> pd.Series:
    field = f"{name} (positions {span[0] + 1}–{span[1]})"
    _check(cells.str.fullmatch(r"[0-9]+"), path, lines, "is not an unsigned whole number", field, cells=cells)
    return cells.astype("int64").astype(float)


def _check(
    ok: pd.Series, path, lines: pd.Series, problem: str, field: str, *,
    cells: pd.Series | None = None, fix: str | None = None,
) -> None:
    """Raise for the first record where ``ok`` is false (or missing), quoting ``cells`` there."""
    ok = ok.fillna(False).astype(bool)
    if not ok.all():
        label = ok.index[~ok.to_numpy()][0]
        if cells is not None:
            problem = f"'{cells[label]}' {problem}"
        raise InputFormatError(
            problem, file=path, line=int(lines[label]), field=field,
            fix=fix or "use the unmodified GV100AD file; the layout is in Datensatzbeschreibung_GV100AD.pdf",
        )
