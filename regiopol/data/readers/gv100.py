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

from regiopol.core.errors import InputFormatError
from regiopol.core.sources import DESTATIS, Source, attach
from regiopol.data.readers._text import check_unique, fail_at_first, parse_counts, read_text, text_as_object

__all__ = ["RECORD_LENGTH", "RECORD_TYPES", "KREIS_KINDS", "LICENCE", "GEMEINDE_CODE", "KREIS_CODE", "FIX",
           "read_gv100ad", "read_gv100ad_kreise", "read_gv100ad_laender"]

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
GEMEINDE_CODE = "Regionalschlüssel (positions 11–18)"
KREIS_CODE = "Regionalschlüssel (positions 11–15)"
FIX = "use the unmodified GV100AD file; the layout is in Datensatzbeschreibung_GV100AD.pdf"


def read_gv100ad(path: str | Path) -> pd.DataFrame:
    """Gemeinden (Satzart 60), one row each.

    Columns: gemeinde_ags (8-digit Gemeinde code), ags (5-digit Kreis code), land
    (2-digit), name, area_km2 (float, from ha), population, population_male,
    population_female (Int64; female = total − male), postcode (5-digit string, ``<NA>``
    for unpopulated areas).
    """
    return _gemeinden(*_records(path), path)


def _gemeinden(records: pd.Series, source: Source, path) -> pd.DataFrame:
    rec = records[records.str[:2] == "60"]
    lines = _lines(rec)
    counts = {
        name: parse_counts(rec.str[a:b], file=path, field=f"{name} (positions {a + 1}–{b})", lines=lines,
                           decimal=".", allow_empty=False, placeholders=False)
        for name, (a, b) in _NUMBERS.items()
    }
    population, male = counts["population"], counts["population_male"]
    fail_at_first(male > population, file=path, field="population_male (positions 151–161)", lines=lines,
                  problem="male population exceeds the total", fix=FIX)
    postcode = rec.str[165:170].str.strip()
    table = pd.DataFrame({
        "gemeinde_ags": rec.str[10:18],
        "ags": rec.str[10:15],
        "land": rec.str[10:12],
        "name": rec.str[22:72].str.strip(),
        "area_km2": counts["area_ha"].astype(float) / 100,
        "population": population,
        "population_male": male,
        "population_female": population - male,
        "postcode": postcode.where(postcode != "").astype("string"),
    })
    fail_at_first(~table["gemeinde_ags"].str.fullmatch(r"[0-9]{8}"), file=path, field=GEMEINDE_CODE, lines=lines,
                  cells=table["gemeinde_ags"], problem="'{cell}' is not an 8-digit Regionalschlüssel", fix=FIX)
    check_unique(table, ["gemeinde_ags"], file=path, lines=lines, field=GEMEINDE_CODE, fix=FIX)
    return attach(text_as_object(table), source)


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
    fail_at_first(~code.isin(list(KREIS_KINDS)), file=path, field="Textkennzeichen (positions 123–124)",
                  lines=lines, cells=code, fix=FIX,
                  problem=f"'{{cell}}' is not a Kreis Textkennzeichen ({', '.join(KREIS_KINDS)})")
    kreise = pd.DataFrame({
        "ags": rec.str[10:15],
        "name": rec.str[22:72].str.strip(),
        "kind": code.map(KREIS_KINDS),
        "seat": rec.str[72:122].str.strip(),
        "land": rec.str[10:12],
    })
    fail_at_first(~kreise["ags"].str.fullmatch(r"[0-9]{5}"), file=path, field=KREIS_CODE, lines=lines,
                  cells=kreise["ags"], problem="'{cell}' is not a 5-digit Kreis code", fix=FIX)
    check_unique(kreise, ["ags"], file=path, lines=lines, field=KREIS_CODE, fix=FIX)
    totals = _gemeinden(records, source, path).groupby("ags")[["area_km2", "population"]].sum()
    table = kreise.join(totals, on="ags")
    fail_at_first(table["population"].isna(), file=path, field=KREIS_CODE, lines=lines, cells=kreise["ags"],
                  problem="'{cell}' has no Gemeinde records (Satzart 60)", fix=FIX)
    return attach(text_as_object(table), source)


def read_gv100ad_laender(path: str | Path) -> pd.DataFrame:
    """Länder (Satzart 10): land (2-digit), name, seat (Sitz der Landesregierung)."""
    records, source = _records(path)
    rec = records[records.str[:2] == "10"]
    table = pd.DataFrame({
        "land": rec.str[10:12],
        "name": rec.str[22:72].str.strip(),
        "seat": rec.str[72:122].str.strip(),
    })
    return attach(text_as_object(table), source)


def _records(path) -> tuple[pd.Series, Source]:
    """All records, indexed by their line number, and the source with the Gebietsstand."""
    text = read_text(path, encoding="latin-1")  # Destatis ships it in Latin-1; this copy is UTF-8
    records = pd.Series(text.split("\n"), dtype="string")
    records.index = records.index + 1
    records = records[records.str.strip() != ""]
    lines = _lines(records)
    fail_at_first(records.str.len() != RECORD_LENGTH, file=path, field="record length", lines=lines,
                  cells=records.str.len(), problem=f"{{cell}} characters where a record has {RECORD_LENGTH}",
                  fix="use the unmodified GV100AD file: an editor may have stripped trailing blanks or inserted "
                      "characters, which shifts the fixed-width fields")
    kind = records.str[:2]
    fail_at_first(~kind.isin(list(RECORD_TYPES)), file=path, field="Satzart (positions 1–2)", lines=lines,
                  cells=kind, problem=f"'{{cell}}' is not a Satzart ({', '.join(sorted(RECORD_TYPES))})", fix=FIX)
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


def _lines(records: pd.Series) -> pd.Series:
    return pd.Series(records.index, index=records.index)
