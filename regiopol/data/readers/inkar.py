"""Reader for INKAR (BBSR, "Indikatoren und Karten zur Raum- und Stadtentwicklung") 2024.

The download comes as Parquet files: ``_indikatoren`` (the catalogue), ``_regionen``
(spatial units) and one file per topic (``medizinische_und_soziale_versorgung``,
``bildung``, …), long by ``raumbezug``/``kennziffer``/``name``/``zeitbezug`` with one
column per indicator (its ``kuerzel``). Kreise carry 8-digit codes (``05711000``) on
the boundaries of 31.12.2021 (400 Kreise, Eisenach part of the Wartburgkreis).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from regiopol.core.errors import InputFormatError
from regiopol.core.sources import BBSR, DL_DE_BY_2_0, Source, attach
from regiopol.data.codes import gemeinde_series, kreis_series
from regiopol.data.readers._text import check_unique, fail_at_first, parse_numbers, require_file, text_as_object

__all__ = ["KEYS", "CENTRAL_PLACE_PREFIX", "CENTRAL_PLACE_LEVELS", "NO_CENTRAL_PLACE",
           "CENTRAL_PLACE_AGGREGATE", "CATALOGUE_COLUMNS", "TOPICS", "read_inkar_catalogue",
           "read_inkar_regions", "read_central_places", "read_inkar_values"]

KEYS = ["raumbezug", "kennziffer", "name", "zeitbezug"]
# Central places in ``_regionen``: raumbezug "zentralörtliche Funktion - <level>".
CENTRAL_PLACE_PREFIX = "zentralörtliche Funktion - "
CENTRAL_PLACE_LEVELS = ("Oberzentrum", "Mittelzentrum", "Grundzentrum")  # highest first
NO_CENTRAL_PLACE = "keine"
CENTRAL_PLACE_AGGREGATE = "99999999"  # one row per level ("kein Oberzentrum", …), no Gemeinde
CATALOGUE_COLUMNS = {
    "kuerzel": "indicator",
    "kurzname": "short_name",
    "name": "name",
    "algorithmus": "algorithm",
    "anmerkungen": "notes",
    "statistische_grundlagen": "basis",
    "bereich": "area",
    "rubrik": "rubric",
}
TOPICS = {
    "medizinische_und_soziale_versorgung": "Medizinische und soziale Versorgung",
    "bildung": "Bildung",
    "wirtschaft": "Wirtschaft",
    "siedlungsstruktur": "Siedlungsstruktur",
    "sozialleistungen": "Sozialleistungen",
    "europa": "Europa",
    "raumwirksame_mittel": "Raumwirksame Mittel",
    "bevoelkerung": "Bevölkerung",
    "verkehr_und_erreichbarkeit": "Verkehr und Erreichbarkeit",
    "zentrale_orte_monitoring": "Zentrale Orte Monitoring",
    "_indikatoren": "Indikatorenkatalog",
    "_regionen": "Raumbezüge",
}


def read_inkar_catalogue(path: str | Path) -> pd.DataFrame:
    """The indicator catalogue: indicator (``kuerzel``), short_name, name, algorithm,
    notes, basis, area, rubric (German contents).

    An indicator can appear in several areas (e.g. ``q_betten_bev`` under
    "Medizinische und soziale Versorgung" and "SDG-Indikatoren für Kommunen"), so
    ``indicator`` is not unique.
    """
    table = _read(path, list(CATALOGUE_COLUMNS))
    return attach(table.rename(columns=CATALOGUE_COLUMNS)[list(CATALOGUE_COLUMNS.values())], _source(path))


def read_inkar_regions(path: str | Path) -> pd.DataFrame:
    """INKAR spatial units: raumbezug, kennziffer, name (codes as printed)."""
    return attach(_read(path, ["raumbezug", "kennziffer", "name"]), _source(path))


def read_central_places(path: str | Path) -> pd.DataFrame:
    """Central places (zentralörtliche Einstufung by the Länder's spatial planning) from
    ``_regionen``: the Gemeinden designated Ober-, Mittel- or Grundzentrum.

    Columns: gemeinde_ags (8-digit), ags (5-digit Kreis code, its first five digits),
    name (as printed), level ("Oberzentrum" | "Mittelzentrum" | "Grundzentrum"); sorted
    by gemeinde_ags.

    INKAR carries the designation as spatial units of raumbezug "zentralörtliche Funktion
    - Oberzentrum", "- Mittelzentrum", "- Grundzentrum" and "- keine" (no other levels in
    INKAR 2024; the Länder's own levels are summarised into these, e.g. München, a
    "Metropole" in Bayern's plan, is listed as Oberzentrum). The kennziffer are
    **Gemeinde** codes (8-digit AGS), not Gemeindeverband codes: in INKAR 2024 each of
    them is a kennziffer of raumbezug "Gemeinden" (8 digits, same name), none is one of
    "Gemeindeverbände" (9 digits), and each of the 10,990 Gemeinden is listed at exactly
    one level. The levels are the Länder's and not comparable between them: Bayern lists
    60 Oberzentren, among them small towns such as Burghausen and Neuötting; Brandenburg
    and the city states list no Grundzentren; in Nordrhein-Westfalen, Hessen, the Saarland
    and the city states every Gemeinde is a central place (Hessen: but its four
    gemeindefreie Gebiete).

    "keine" rows are dropped, as are the per-level aggregate rows of kennziffer 99999999
    ("kein Oberzentrum", …). A Gemeinde listed at more than one level keeps the highest
    and is named in ``attrs["warnings"]``. A raumbezug "zentralörtliche Funktion - …" of
    another level, or a code that is no 8-digit AGS, raises :class:`InputFormatError`.
    """
    path = Path(path)
    regions = _read(path, ["raumbezug", "kennziffer", "name"]).reset_index(drop=True)
    raumbezug = regions["raumbezug"].astype("string").str.strip()
    central = regions[raumbezug.str.startswith(CENTRAL_PLACE_PREFIX).fillna(False).astype(bool)]
    known = (*CENTRAL_PLACE_LEVELS, NO_CENTRAL_PLACE)
    level = raumbezug[central.index].str.removeprefix(CENTRAL_PLACE_PREFIX).str.strip()
    fail_at_first(~level.isin(known), file=path, field="raumbezug", cells=central["raumbezug"],
                  problem="unknown central-place level '{cell}'",
                  fix=f"expected 'zentralörtliche Funktion - ' followed by one of: {', '.join(known)}; "
                  "map a new level in regiopol/readers/inkar.py (CENTRAL_PLACE_LEVELS)")
    if not level.isin(CENTRAL_PLACE_LEVELS).any():
        raise InputFormatError(
            f"no rows of raumbezug '{CENTRAL_PLACE_PREFIX}{CENTRAL_PLACE_LEVELS[0]}' (or Mittel-, Grundzentrum)",
            file=path, field="raumbezug", fix="pass INKAR's _regionen.parquet unchanged")
    codes = central["kennziffer"].astype("string").str.strip()
    keep = codes != CENTRAL_PLACE_AGGREGATE
    central, codes, level = central[keep], codes[keep], level[keep]
    table = pd.DataFrame({
        "gemeinde_ags": gemeinde_series(codes, file=path, field="kennziffer"),
        "name": central["name"].astype("string").str.strip(),
        "level": level,
        "rank": level.map({name: rank for rank, name in enumerate(known)}).astype(int),
    })
    table = table.sort_values(["gemeinde_ags", "rank"], kind="stable")
    warnings = [
        f"{path.name}, field 'raumbezug': Gemeinde {ags} ({' / '.join(dict.fromkeys(group['name']))}) is listed as "
        f"{' and '.join(group['level'])}; kept {group['level'].iloc[0]}"
        for ags, group in table[table["gemeinde_ags"].duplicated(keep=False)].groupby("gemeinde_ags", sort=True)
    ]
    table = table.drop_duplicates("gemeinde_ags")
    table = table[table["level"] != NO_CENTRAL_PLACE]
    table.insert(1, "ags", table["gemeinde_ags"].str[:5])
    table = text_as_object(table.drop(columns="rank"))
    table.attrs["warnings"] = warnings
    return attach(table, _source(path))


def read_inkar_values(
    path: str | Path, *, raumbezug: str = "Kreise", indicators: list[str] | None = None
) -> pd.DataFrame:
    """Indicator values of one topic file as a tidy table.

    Columns: ags (5-digit Kreis AGS for ``raumbezug="Kreise"``, else the ``kennziffer``
    as printed), region_name, year (int), indicator, value (float). Empty cells are
    dropped. ``indicators`` selects ``kuerzel`` columns (default: all of the file).
    """
    path = Path(path)
    wanted = _selected(path, indicators)
    wide = _rows(path, raumbezug, wanted)
    years = wide["zeitbezug"].astype("string").str.strip()
    fail_at_first(~years.str.fullmatch(r"[0-9]{4}"), file=path, field="zeitbezug", cells=wide["zeitbezug"],
                  problem="zeitbezug '{cell}' is not a single year",
                  fix="download the indicator with yearly values (no period averages)")
    check_unique(wide, ["kennziffer", "zeitbezug"], file=path, fix="download the topic file again")
    values = pd.DataFrame({
        name: parse_numbers(wide[name], file=path, field=name, decimal=".", placeholders=False)[0] for name in wanted
    }, index=wide.index)
    codes = wide["kennziffer"].astype("string").str.strip()
    tidy = pd.DataFrame({
        "ags": kreis_series(codes, file=path, field="kennziffer") if raumbezug == "Kreise" else codes,
        "region_name": wide["name"],
        "year": years.astype(int),
    })
    long = pd.concat([tidy, values], axis=1).melt(id_vars=["ags", "region_name", "year"], var_name="indicator",
                                                  value_name="value")
    long = long.dropna(subset=["value"]).sort_values(["indicator", "ags", "year"], ignore_index=True)
    return attach(long, _source(path))


def _selected(path: Path, indicators: list[str] | None) -> list[str]:
    """The indicator columns to read: ``indicators`` (each once) or all of the file."""
    available = _columns(path)
    missing = [column for column in KEYS if column not in available]
    if missing:
        raise InputFormatError(
            f"not an INKAR value file (column missing: {', '.join(missing)})", file=path, field=missing[0],
            fix="pass an INKAR topic file such as medizinische_und_soziale_versorgung.parquet",
        )
    in_file = [column for column in available if column not in KEYS]
    wanted = in_file if indicators is None else list(dict.fromkeys(indicators))
    unknown = [name for name in wanted if name not in in_file]
    if unknown:
        close = difflib.get_close_matches(unknown[0], in_file, n=3)
        hint = f"; close matches in this file: {', '.join(close)}" if close else ""
        hint += _catalogued_under(path.parent / "_indikatoren.parquet", unknown[0])
        raise InputFormatError(
            f"indicator '{unknown[0]}' is not in this file{hint}", file=path, field=unknown[0],
            fix="look the short name (kuerzel) and its topic file up in the catalogue "
            "(read_inkar_catalogue on _indikatoren.parquet)",
        )
    return wanted


def _rows(path: Path, raumbezug: str, wanted: list[str]) -> pd.DataFrame:
    """The key columns and ``wanted`` of the rows of ``raumbezug``."""
    wide = pd.read_parquet(path, columns=KEYS + wanted, filters=[("raumbezug", "==", raumbezug)])
    if wide.empty:
        present = pd.read_parquet(path, columns=["raumbezug"])["raumbezug"].unique()
        raise InputFormatError(
            f"no rows with raumbezug '{raumbezug}'", file=path, field="raumbezug",
            fix=f"use one of: {', '.join(sorted(map(str, present)))}",
        )
    return wide


def _catalogued_under(catalogue: Path, indicator: str) -> str:
    if not catalogue.is_file():
        return ""
    table = pd.read_parquet(catalogue, columns=["kuerzel", "bereich"])
    areas = table.loc[table["kuerzel"] == indicator, "bereich"].unique()
    return f"; the catalogue lists it under: {', '.join(areas)}" if len(areas) else ""


def _columns(path: Path) -> list[str]:
    require_file(path, fix="download the INKAR 2024 tables (inkar.de, Parquet export) into the raw data directory")
    try:
        return pq.read_schema(path).names
    except Exception as err:  # pyarrow raises several types for non-Parquet input
        raise InputFormatError(
            f"not a Parquet file ({type(err).__name__})", file=path,
            fix="download the INKAR table again as Parquet",
        ) from None


def _read(path: str | Path, columns: list[str]) -> pd.DataFrame:
    path = Path(path)
    missing = [column for column in columns if column not in _columns(path)]
    if missing:
        raise InputFormatError(
            f"column missing (missing: {', '.join(missing)})", file=path, field=missing[0],
            fix="pass the INKAR file of this kind (_indikatoren.parquet or _regionen.parquet) unchanged",
        )
    return pd.read_parquet(path, columns=columns)


def _source(path: str | Path) -> Source:
    stem = Path(path).stem
    return Source(
        file=Path(path).name,
        table="INKAR 2024",
        title=TOPICS.get(stem, stem.strip("_").replace("_", " ").capitalize()),
        publisher=BBSR,
        licence=DL_DE_BY_2_0,
    )
