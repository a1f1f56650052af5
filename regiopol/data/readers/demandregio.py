"""Readers for the DemandRegio project database (FfE, TU Berlin, DLR; based on Destatis).

``population.csv``: total population per Kreis and year (31.12.), 1997–2015, with
``id_region`` = AGS × 1000 written as an integer (``1001000`` for Flensburg 01001).

Boundaries (checked against Destatis 12411-0018 and the BBSR keys): all years are on
the Kreis boundaries of 01.11.2016–30.06.2021 (401 Kreise) – Göttingen 03152 and
Osterode am Harz 03156 appear only as their merger 03159, Eisenach 16056 separately –
with one exception: 1997 has 400 Kreise, because Eisenach became kreisfrei only on
01.01.1998 and is still contained in the Wartburgkreis 16063. 2015 equals 12411-0018
on every Kreis. Older years of Kreise cut by the reforms of Sachsen-Anhalt (2007:
15001, 15082, 15085, 15086, 15089, 15091, up to 2006) and Mecklenburg-Vorpommern (2011:
13071, 13075, up to 2010) are DemandRegio's own estimates with fractional persons; the
reader rounds them and flags them in ``estimated``.

``t_nuts3_lk.csv``: NUTS-3 code of each Kreis (403 rows: 03152 and 03156 besides 03159).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from regiopol.core.sources import Source, attach
from regiopol.data.codes import kreis_series
from regiopol.data.readers._text import (
    as_count,
    check_unique,
    fail_at_first,
    parse_numbers,
    read_delimited,
    require_columns,
    text_as_object,
)

__all__ = ["DEMANDREGIO", "DEMANDREGIO_LICENCE", "BOUNDARY_YEAR", "YEARS", "FIX",
           "read_demandregio_population", "read_demandregio_nuts3"]

DEMANDREGIO = "DemandRegio-Projekt (FfE, TU Berlin, DLR), Datenbasis Destatis"
# The DemandRegio database states no licence for this table; its figures are Destatis figures.
DEMANDREGIO_LICENCE = "keine Lizenzangabe in der Quelle; Datenbasis Destatis, dl-de/by-2-0"
BOUNDARY_YEAR = 2016  # Kreis boundaries of the population table (BBSR key sheet "2016-2020")
YEARS = (1950, 2100)  # plausible range of a population year
FIX = "check that the columns are not shifted and the file is the DemandRegio export"


def read_demandregio_population(path: str | Path) -> pd.DataFrame:
    """Population per Kreis and year: ags (5-digit), year (int), population (Int64),
    estimated (bool: DemandRegio's value had fractional persons, i.e. it is their
    estimate for a Kreis cut by a reform, rounded here)."""
    frame, lines = read_delimited(path, sep=",", encoding="utf-8")
    require_columns(frame, ["id_region", "year", "value"], file=path)
    region, year = frame["id_region"], frame["year"]
    fail_at_first(~region.str.fullmatch(r"[0-9]+(\.0)?"), file=path, field="id_region", cells=region, lines=lines,
                  problem="'{cell}' is not a Kreis code (AGS × 1000, digits only)", fix=FIX)
    ags = kreis_series(region.str.replace(r"\.0$", "", regex=True), file=path, field="id_region", lines=lines)
    years_ok = year.str.fullmatch(r"[0-9]{4}").fillna(False).astype(bool)
    years_ok &= pd.to_numeric(year.where(years_ok), errors="coerce").between(*YEARS)
    fail_at_first(~years_ok, file=path, field="year", cells=year, lines=lines, fix=FIX,
                  problem=f"'{{cell}}' is not a year ({YEARS[0]}–{YEARS[1]})")
    value, _ = parse_numbers(frame["value"], file=path, field="value", lines=lines, decimal=".",
                             allow_empty=False, placeholders=False)
    fail_at_first(value < 0, file=path, field="value", cells=frame["value"], lines=lines,
                  problem="'{cell}' is a negative population",
                  fix="population counts cannot be negative: check the file against the DemandRegio export")
    rounded = as_count(value.round(), file=path, field="value", lines=lines)
    table = pd.DataFrame({"ags": ags, "year": year.astype(int), "population": rounded,
                          "estimated": ~np.isclose(value, value.round(), rtol=0, atol=1e-6)})
    check_unique(table, ["ags", "year"], file=path, lines=lines, field="id_region",
                 fix="keep one row per Kreis and year, as in the DemandRegio export")
    source = Source(file=Path(path).name, table="DemandRegio, Tabelle population",
                    title="Bevölkerung je Kreis, 31.12.1997–2015 (Kreisgrenzen 2016–2020)",
                    publisher=DEMANDREGIO, licence=DEMANDREGIO_LICENCE)
    return attach(table.sort_values(["ags", "year"], ignore_index=True), source)


def read_demandregio_nuts3(path: str | Path) -> pd.DataFrame:
    """NUTS-3 code per Kreis: ags (5-digit), nuts3 (e.g. ``DEA47``), name."""
    frame, lines = read_delimited(path, sep=",", encoding="utf-8")
    require_columns(frame, ["ags_lk", "natcode_nuts3", "name"], file=path)
    nuts = frame["natcode_nuts3"]
    fail_at_first(~nuts.str.fullmatch(r"DE[0-9A-Z]{3}"), file=path, field="natcode_nuts3", cells=nuts, lines=lines,
                  problem="'{cell}' is not a German NUTS-3 code (DE + 3 characters)", fix=FIX)
    table = pd.DataFrame({
        "ags": kreis_series(frame["ags_lk"], file=path, field="ags_lk", lines=lines),
        "nuts3": nuts,
        "name": frame["name"],
    })
    check_unique(table, ["ags"], file=path, lines=lines, field="ags_lk", fix=FIX)
    source = Source(file=Path(path).name, table="DemandRegio, Tabelle t_nuts3_lk", title="Zuordnung Kreis – NUTS-3",
                    publisher=DEMANDREGIO, licence=DEMANDREGIO_LICENCE)
    return attach(text_as_object(table), source)
