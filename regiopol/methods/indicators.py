"""The indicator list ``data/indicators.toml``: which official indicators describe each
infrastructure area, with unit, direction and source. Users extend it without touching
code (INKAR codes: then `regiopol data build`).

:func:`values` returns every listed indicator for the 400 Kreise and Germany (``ags`` =
:data:`GERMANY`): INKAR indicators from the embedded INKAR tables, the others derived here
from embedded official tables (:data:`DERIVED`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regiopol import data, regions
from regiopol.core import config
from regiopol.core.cache import disk, memo
from regiopol.core.config import Array, Field, Invalid, Table
from regiopol.core.constants import GERMANY
from regiopol.core.paths import data_dir

__all__ = ["INDICATORS_FILE", "DIRECTIONS", "SOURCES", "load", "SCHEMA", "inkar_selection", "tables",
           "sources", "values", "jobs_per_1000", "service_share", "STATION_YEAR", "GEMEINDE_YEAR",
           "population_at_long_distance_station", "stations_per_100_km2",
           "distance_to_long_distance_station", "DERIVED"]

INDICATORS_FILE = "indicators.toml"
DIRECTIONS = ("higher", "lower", "neutral")
SOURCES = {"inkar": ("inkar", "inkar_germany"),
           "regionalstatistik": ("employment", "population_series"),
           "db_stationsdaten": ("rail_stations", "gemeinden", "kreise")}
_COLUMNS = ("code", "source", "topic", "table", "area", "label", "unit", "direction", "key", "definition")


def load(path: str | Path | None = None) -> pd.DataFrame:
    """One row per indicator (file order): code, source, topic, table, area, label, unit,
    direction, key, definition (German; given for derived indicators – INKAR's own
    definitions are in the inkar_catalogue table)."""
    return _load(str(Path(path) if path is not None else data_dir() / INDICATORS_FILE)).copy()


def _derivable(row: dict, _) -> None:
    if row["source"] != "inkar" and row["code"] not in DERIVED:
        raise Invalid("code", f"no derivation for '{row['code']}' in regiopol/methods/indicators.py",
                      f"use an INKAR code with source = \"inkar\", or one of: {', '.join(DERIVED)}")


SCHEMA = Table({"indicator": Array(Table({
    "code": Field(str),
    "source": Field(str, choices=SOURCES),
    "area": Field(str, choices=lambda _: regions.load(validate_codes=False).areas, what="infrastructure area"),
    "label": Field(str),
    "unit": Field(str),
    "direction": Field(str, choices=DIRECTIONS),
    "key": Field(bool, required=False, default=False),
    "definition": Field(str, required=False),
}, cases=("source", {s: Table({"topic" if s == "inkar" else "table": Field(str)}) for s in SOURCES}),
    rules=(_derivable,)), key="code")})


@memo(maxsize=8)
def _load(path: str) -> pd.DataFrame:
    rows = config.load(path, SCHEMA, what="indicator file")["indicator"]
    return pd.DataFrame(rows, columns=list(_COLUMNS))


def inkar_selection(path: str | Path | None = None) -> pd.DataFrame:
    """The INKAR indicators to embed: indicator, topic, area, label, unit."""
    table = load(path)
    return (table.loc[table["source"] == "inkar", ["code", "topic", "area", "label", "unit"]]
            .rename(columns={"code": "indicator"}).reset_index(drop=True))


def tables(codes) -> tuple[str, ...]:
    """The embedded tables the given indicators rest on (for source lines)."""
    listed = load().set_index("code")
    names = []
    for code in codes:
        names += [n for n in SOURCES[listed.loc[code, "source"]] if n not in names]
    return tuple(names)


def sources(codes) -> list:
    """The sources of the given indicators, each once: for INKAR only the topic files used."""
    listed = load().set_index("code")
    topics = {listed.loc[c, "topic"] for c in codes if listed.loc[c, "source"] == "inkar"}
    found = [s for s in data.sources("inkar") if any(_topic_title(t) == s.title for t in topics)]
    derived = [n for n in tables(codes) if n not in SOURCES["inkar"]]
    return found + [s for s in data.sources(*derived) if s not in found] if derived else found


def _topic_title(topic: str) -> str:
    from regiopol.data.readers.inkar import TOPICS

    return TOPICS.get(topic, topic)


def values() -> pd.DataFrame:
    """Every listed indicator for the 400 Kreise and Germany: ags (``GERMANY`` for
    Deutschland), year, indicator, value."""
    return _values().copy()


@memo(maxsize=1)
@disk
def _values() -> pd.DataFrame:
    listed = load()
    inkar = listed.loc[listed["source"] == "inkar", "code"]
    kreise, germany = data.load("inkar"), data.load("inkar_germany")
    parts = [kreise[kreise["indicator"].isin(inkar)],
             germany[germany["indicator"].isin(inkar)].assign(ags=GERMANY)]
    for code in listed.loc[listed["source"] != "inkar", "code"]:
        parts.append(DERIVED[code]().assign(indicator=code))
    table = pd.concat([p[["ags", "year", "indicator", "value"]] for p in parts], ignore_index=True)
    table["value"] = table["value"].astype("float64")
    return table.sort_values(["indicator", "ags", "year"]).reset_index(drop=True)


# --------------------------------------------------------------------------- derived indicators
# Each returns ags (400 Kreise + GERMANY), year, value.

def _population(years) -> pd.DataFrame:
    series = data.load("population_series")
    return series[series["year"].isin(list(years))][["ags", "year", "population"]]


def _with_germany(kreise: pd.DataFrame, numerator: str, denominator: str, scale: float) -> pd.DataFrame:
    """ratio = numerator / denominator × scale for each Kreis and Germany (sums)."""
    germany = kreise.groupby("year", as_index=False)[[numerator, denominator]].sum().assign(ags=GERMANY)
    both = pd.concat([kreise, germany], ignore_index=True)
    return both.assign(value=scale * both[numerator].astype("float64") / both[denominator].astype("float64"))


def _employees(sector: str) -> pd.DataFrame:
    employment = data.load("employment")
    return employment.loc[employment["sector"] == sector, ["ags", "year", "employees"]]


def jobs_per_1000() -> pd.DataFrame:
    """Employees subject to social insurance at place of work (30.06.) per 1,000 inhabitants
    (31.12. of the same year) – Regionalstatistik 13111-07-05-4 and the harmonised series."""
    jobs = _employees("Insgesamt")
    merged = jobs.merge(_population(jobs["year"].unique()), on=["ags", "year"])
    return _with_germany(merged, "employees", "population", 1000.0)


def service_share() -> pd.DataFrame:
    """Share (%) of employees at place of work in the service sectors G–U."""
    merged = _employees("Dienstleistungsbereiche (G-U)").merge(
        _employees("Insgesamt"), on=["ags", "year"], suffixes=("", "_total"))
    return _with_germany(merged, "employees", "employees_total", 100.0)


STATION_YEAR = 2016  # DB station list
GEMEINDE_YEAR = 2020  # population of the Gemeinden (31.12.): the year of the station indicators per inhabitant


def _long_distance_gemeinden() -> pd.Index:
    stations = data.load("rail_stations")
    return pd.Index(stations.loc[stations["long_distance"].fillna(False), "gemeinde_ags"].dropna().unique())


def _gemeinden() -> pd.DataFrame:
    return data.load("gemeinden").dropna(subset=["lat", "lon", "population"])


def population_at_long_distance_station() -> pd.DataFrame:
    """Share (%) of the population living in a Gemeinde with a DB long-distance station (2016)."""
    gemeinden = _gemeinden()
    served = gemeinden["population"].where(gemeinden["gemeinde_ags"].isin(_long_distance_gemeinden()), 0)
    frame = pd.DataFrame({"ags": gemeinden["ags"], "served": served.astype("float64"),
                          "population": gemeinden["population"].astype("float64")})
    kreise = frame.groupby("ags", as_index=False)[["served", "population"]].sum().assign(year=GEMEINDE_YEAR)
    return _with_germany(kreise, "served", "population", 100.0)


def stations_per_100_km2() -> pd.DataFrame:
    """DB stations (all categories, 2016) per 100 km² of Kreis area."""
    stations = data.load("rail_stations").dropna(subset=["ags"]).groupby("ags").size()
    kreise = data.load("kreise")
    table = pd.DataFrame({"ags": kreise["ags"], "year": STATION_YEAR, "area_km2": kreise["area_km2"],
                          "stations": stations.reindex(kreise["ags"], fill_value=0).to_numpy()})
    return _with_germany(table, "stations", "area_km2", 100.0)


def distance_to_long_distance_station() -> pd.DataFrame:
    """Population-weighted straight-line distance (km) from each Gemeinde to the nearest
    Gemeinde with a DB long-distance station (2016). Gemeinde coordinates (GV-ISys) stand
    for both the residents and the station – an approximation that is 0 km inside a
    Gemeinde with a station; the DB list has no station coordinates."""
    from regiopol.methods.catchment import haversine_km

    gemeinden = _gemeinden()
    served = gemeinden[gemeinden["gemeinde_ags"].isin(_long_distance_gemeinden())]
    distance = haversine_km(gemeinden["lat"].to_numpy()[:, None], gemeinden["lon"].to_numpy()[:, None],
                            served["lat"].to_numpy()[None, :], served["lon"].to_numpy()[None, :]).min(axis=1)
    weights = gemeinden["population"].astype("float64").to_numpy()
    frame = pd.DataFrame({"ags": gemeinden["ags"].to_numpy(), "weighted": distance * weights, "weight": weights})
    kreise = frame.groupby("ags", as_index=False)[["weighted", "weight"]].sum().assign(year=GEMEINDE_YEAR)
    return _with_germany(kreise, "weighted", "weight", 1.0)


DERIVED = {
    "beschaeftigte_ao_je_1000_ew": jobs_per_1000,
    "anteil_beschaeftigte_dienstleistungen": service_share,
    "anteil_ew_gemeinde_mit_fernverkehrshalt": population_at_long_distance_station,
    "bahnhalte_je_100_km2": stations_per_100_km2,
    "distanz_fernverkehrshalt_km": distance_to_long_distance_station,
}

