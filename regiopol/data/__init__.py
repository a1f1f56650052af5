"""The committed tables in ``data/``: one place that knows their files and loads them.

Tables are written by ``regiopol data build`` (see :mod:`regiopol.data.build`) and described,
with source, licence, rows and content hash, in ``data/provenance.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regiopol.core.cache import memo
from regiopol.core.constants import CENSUS_YEARS
from regiopol.core.errors import InputFormatError, MissingInputError
from regiopol.core.paths import data_dir
from regiopol.core.sources import Source

__all__ = ["PROVENANCE_FILE", "TABLES", "table_path", "provenance", "load", "Vintage", "vintage", "sources"]

PROVENANCE_FILE = "provenance.json"

# What each table holds; ``{years}`` is filled in by the build with the years the table covers.
TABLES = {
    "kreise": "Kreise (boundaries of 30.11.2021): name, kind, Land, area, population 31.12.2020",
    "gemeinden": "Gemeinden (boundaries of 30.11.2021): area, population 31.12.2020, coordinates",
    "kreis_geometries": "Kreis boundaries (simplified), EPSG:4326",
    "population_by_age": "population by Kreis, sex and 17 age groups, 31.12.{years}",
    "population_series": "population per Kreis {years}, harmonised to the 400 Kreise",
    "employment": "employees subject to social insurance at place of work by sector, 30.06.{years}",
    "care_recipients": "people in need of long-term care by type of care and sex, 2015/2017/2019",
    "inkar": "INKAR indicators per Kreis for the infrastructure areas",
    "inkar_catalogue": "description of the embedded INKAR indicators",
    "inkar_germany": "INKAR indicators for Germany as a whole (reference values), per year",
    "central_places": "central places (Ober-, Mittel-, Grundzentren) by Gemeinde, as designated by the Länder",
    "hospitals": "hospital sites 2015-2019 with beds and cases, Kreis by location",
    "universities": "Hochschulen with students (2023), Kreis by location",
    "rail_stations": "DB stations with category and long-distance flag (2016), Kreis by place",
}


def table_path(name: str, directory: str | Path | None = None) -> Path:
    if name not in TABLES:
        raise MissingInputError(
            f"unknown table '{name}'", field=name, fix=f"use one of: {', '.join(TABLES)}"
        )
    return Path(directory or data_dir()) / f"{name}.parquet"


def provenance(directory: str | Path | None = None) -> dict:
    """The provenance record of the committed tables (source, licence, rows, hash per table)."""
    return _provenance(str(directory or data_dir()))


@memo
def _provenance(directory: str) -> dict:
    path = Path(directory) / PROVENANCE_FILE
    if not path.is_file():
        raise MissingInputError(
            "provenance file is missing", file=path, fix="run `regiopol data build` to derive data/ from the raw files"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise InputFormatError(f"provenance file is not valid JSON ({err})", file=path,
                               fix="restore data/provenance.json from git or run `regiopol data build`") from None


@memo
def _read(name: str, directory: str) -> pd.DataFrame:
    path = table_path(name, directory)
    if not path.is_file():
        raise MissingInputError(
            f"table '{name}' is missing", file=path,
            fix="run `regiopol data build` (reads the official raw files) or restore data/ from git",
        )
    if name == "kreis_geometries":
        import geopandas

        df = geopandas.read_parquet(path)
    else:
        df = pd.read_parquet(path)
    record = _provenance(directory)["tables"].get(name, {})
    df.attrs["sources"] = [Source(**s) for s in record.get("sources", [])]
    return df


def load(name: str, directory: str | Path | None = None) -> pd.DataFrame:
    """Return a committed table by name (a copy, so callers may modify it)."""
    return _read(name, str(directory or data_dir())).copy()


@dataclass(frozen=True)
class Vintage:
    """What the committed tables cover – read from them, so that a newer release moves every
    module without code changes."""

    base_year: int  # latest 31.12. of population_by_age: the base of the projections
    latest_year: int  # latest year of population_series
    census_breaks: tuple[int, ...]  # census years within population_series: levels before and after differ


def vintage(directory: str | Path | None = None) -> Vintage:
    """The :class:`Vintage` of the tables in ``directory`` (default ``data/``)."""
    return _vintage(str(directory or data_dir()))


@memo
def _vintage(directory: str) -> Vintage:
    ages, series = (_read(name, directory)["year"] for name in ("population_by_age", "population_series"))
    first, last = int(series.min()), int(series.max())
    return Vintage(base_year=int(ages.max()), latest_year=last,
                   census_breaks=tuple(year for year in CENSUS_YEARS if first < year <= last))


def sources(*names: str, directory: str | Path | None = None) -> list[Source]:
    """The sources of the named tables, each once, in order – for the source lines of reports."""
    found: list[Source] = []
    for name in names:
        for source in _read(name, str(directory or data_dir())).attrs["sources"]:
            if source not in found:
                found.append(source)
    return found
