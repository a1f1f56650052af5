"""``regiopol data build``: derive the compact tables in ``data/`` from the official raw files.

Every table is computed before anything is written, and each file is written to a
temporary name and then renamed, so an interrupted or failed build leaves the previous
tables intact. ``provenance.json`` records source, licence, rows and content hash.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from regiopol import data
from regiopol.check import file_hash
from regiopol.errors import MissingInputError
from regiopol.files import write_atomic, write_text_atomic
from regiopol.harmonise import KREIS_REFORMS_AFTER_2020, harmonised_population, to_current_kreise
from regiopol.indicators import inkar_selection
from regiopol.locate import assign_kreis_by_place, assign_kreis_by_point
from regiopol.paths import data_dir
from regiopol.readers import bbsr, demandregio, facilities, genesis, geo, gv100, gvisys, inkar
from regiopol.sources import Source

# Raw files relative to the raw directory, as downloaded from the official portals.
RAW_FILES = {
    "population_by_age": "destatis/12411-0018.csv",
    "employment": [f"regionalstatistik/13111-07-05-4_{year}.csv" for year in range(2015, 2021)],
    "care_recipients": "regionalstatistik/22411-02-03-4.csv",
    "gv100ad": "destatis/GV100AD_301121.ASC",
    "gv_isys": "destatis/AuszugGV4QAktuell.csv",
    "demandregio": "demandregio/population.csv",
    "bbsr_keys": "bbsr/ref-kreise-umrech-2020-1990-2019.xlsx",
    "geometries": "bkg/landkreise_simplify200.geojson",
    "inkar_catalogue": "inkar/_indikatoren.parquet",
    "inkar_dir": "inkar",
    "hospitals": "facilities/gba_qualitaetsberichte_krankenhaeuser_2015_2019.csv",
    "rail_stations": "facilities/db_stationsdaten_2016.csv",
    "universities": "facilities/hochschulkompass_hs_liste_koordinaten.csv",
}


@dataclass
class BuildResult:
    out: Path
    provenance: dict
    seconds: float

    def summary(self) -> str:
        lines = [f"{name:20} {entry['rows']:>8} Zeilen  {entry['bytes'] / 1024:>8.0f} KB"
                 for name, entry in self.provenance["tables"].items()]
        total = sum(e["bytes"] for e in self.provenance["tables"].values()) / 1024**2
        lines.append(f"{len(lines)} Tabellen, {total:.1f} MB, in {self.out} geschrieben ({self.seconds:.1f} s)")
        return "\n".join(lines)


def build(raw: Path, out: str | Path | None = None) -> BuildResult:
    """Read the raw files under ``raw``, derive all tables, write them atomically into ``out``."""
    start = time.perf_counter()
    raw = Path(raw)
    out = Path(out or data_dir())
    out.mkdir(parents=True, exist_ok=True)
    tables = derive_tables(raw)
    records = {}
    for name, table in tables.items():
        path = data.table_path(name, out)
        write_atomic(path, lambda tmp, t=table: _without_attrs(t).to_parquet(tmp, index=False))
        records[name] = {
            "file": path.name,
            "description": data.TABLES[name],
            "rows": len(table),
            "columns": list(table.columns),
            "bytes": path.stat().st_size,
            "sha256": file_hash(path),
            "sources": [s.to_dict() for s in table.attrs["sources"]],
        }
    provenance = {
        "built_with": f"regiopol data build (pandas {pd.__version__}, Python {sys.version_info.major}.{sys.version_info.minor})",
        "raw_files": _raw_file_list(),
        "tables": records,
    }
    text = json.dumps(provenance, ensure_ascii=False, indent=2) + "\n"
    write_text_atomic(out / data.PROVENANCE_FILE, text)
    data.clear_cache()
    return BuildResult(out=out, provenance=provenance, seconds=time.perf_counter() - start)


def derive_tables(raw: Path) -> dict[str, pd.DataFrame]:
    """All committed tables, each with ``attrs["sources"]`` (a list of :class:`Source`)."""
    path = _raw_paths(raw)
    keys = bbsr.read_bbsr_keys(path["bbsr_keys"])
    tables: dict[str, pd.DataFrame] = {}

    kreise = gv100.read_gv100ad_kreise(path["gv100ad"])
    laender = gv100.read_gv100ad_laender(path["gv100ad"])[["land", "name"]].rename(columns={"name": "land_name"})
    kreise = kreise.merge(laender, on="land", how="left", validate="many_to_one")
    same_name = kreise["name"].duplicated(keep=False)  # e.g. Würzburg, city and Landkreis
    kreise["label"] = kreise["name"].where(~same_name, kreise["name"] + " (" + kreise["kind"] + ")")
    tables["kreise"] = _with_sources(
        kreise[["ags", "name", "label", "kind", "seat", "land", "land_name", "area_km2", "population"]],
        kreise, laender)
    tables["gemeinden"] = _gemeinden(path)

    geometries = geo.read_kreis_geometries(path["geometries"])
    tables["kreis_geometries"] = _with_sources(
        geometries[["ags", "name", "kind", "geometry"]].sort_values("ags", ignore_index=True), geometries)

    by_age = genesis.population_by_age(path["population_by_age"])
    harmonised_by_age = to_current_kreise(by_age, keys, value_cols=["population"], mark_estimates=True)
    harmonised_by_age = harmonised_by_age.sort_values(["ags", "year", "sex", "age_from"], ignore_index=True)[
        ["ags", "year", "sex", "age_group", "age_from", "age_to", "population", "estimated"]]
    tables["population_by_age"] = _with_sources(harmonised_by_age, by_age, keys)

    totals = by_age.groupby(["ags", "year"], as_index=False)["population"].sum()
    totals.attrs = by_age.attrs
    dr = demandregio.read_demandregio_population(path["demandregio"])
    series = harmonised_population(keys, dr, totals)
    tables["population_series"] = _with_sources(series, by_age, dr, keys)

    employment = genesis.employment_at_workplace(path["employment"])
    employees = ["employees", "employees_male", "employees_female", "employees_foreign"]
    tables["employment"] = _with_sources(
        to_current_kreise(employment, keys, weight="employment", value_cols=employees, mark_estimates=True),
        employment, keys)

    care = genesis.care_recipients(path["care_recipients"])
    care_counts = [c for c in care.columns if c.startswith("care_")]
    tables["care_recipients"] = _with_sources(
        to_current_kreise(care, keys, value_cols=care_counts, mark_estimates=True), care, keys)

    catalogue = inkar.read_inkar_catalogue(path["inkar_catalogue"])
    selection = inkar_selection()
    topics = [inkar.read_inkar_values(path["inkar_dir"] / f"{topic}.parquet", indicators=list(codes))
              for topic, codes in selection.groupby("topic")["indicator"]]
    values = pd.concat(topics, ignore_index=True)[["ags", "year", "indicator", "value"]]
    tables["inkar"] = _with_sources(values.sort_values(["indicator", "ags", "year"], ignore_index=True), *topics)
    definitions = catalogue.drop_duplicates("indicator")[["indicator", "name", "algorithm", "notes", "basis"]]
    tables["inkar_catalogue"] = _with_sources(
        selection.merge(definitions.rename(columns={"name": "definition"}), on="indicator", how="left"), catalogue)

    geometries_for_points = geometries[["ags", "geometry"]]
    hospitals = facilities.read_hospitals(path["hospitals"])
    tables["hospitals"] = _with_sources(assign_kreis_by_point(hospitals, geometries_for_points), hospitals, geometries)
    universities = facilities.read_hochschulen(path["universities"])
    tables["universities"] = _with_sources(
        assign_kreis_by_point(universities, geometries_for_points), universities, geometries)
    stations = facilities.read_rail_stations(path["rail_stations"])
    gemeinden = gvisys.read_gv_isys(path["gv_isys"])
    stations = assign_kreis_by_place(stations, gemeinden).rename(columns={"kreis_ags": "ags"})
    stations["ags"] = stations["ags"].replace(KREIS_REFORMS_AFTER_2020)  # Gemeinden of 2019 → today's Kreise
    tables["rail_stations"] = _with_sources(stations, stations, gemeinden)
    return tables


def _gemeinden(path: dict) -> pd.DataFrame:
    """Gemeinden of GV100AD (boundaries 2021, population 2020) with GV-ISys coordinates."""
    directory = gv100.read_gv100ad(path["gv100ad"])
    coordinates = gvisys.read_gv_isys(path["gv_isys"])
    table = directory.merge(coordinates[["ags", "lon", "lat"]], on="ags", how="left", validate="one_to_one")
    columns = ["ags", "kreis_ags", "name", "area_km2", "population", "postcode", "lon", "lat"]
    return _with_sources(table[columns].sort_values("ags", ignore_index=True), directory, coordinates)


def _without_attrs(table: pd.DataFrame) -> pd.DataFrame:
    """Sources live in provenance.json; pandas would otherwise embed attrs in the file."""
    plain = table.copy(deep=False)
    plain.attrs = {}
    return plain


def _with_sources(table: pd.DataFrame, *inputs: pd.DataFrame) -> pd.DataFrame:
    sources: list[Source] = []
    for frame in inputs:
        for source in frame.attrs.get("sources", [frame.attrs.get("source")]):
            if source is not None and source not in sources:
                sources.append(source)
    table = table.reset_index(drop=True)
    table.attrs = {"sources": sources}
    return table


def _raw_paths(raw: Path) -> dict:
    paths = {}
    for name, rel in RAW_FILES.items():
        paths[name] = [raw / r for r in rel] if isinstance(rel, list) else raw / rel
        for p in paths[name] if isinstance(rel, list) else [paths[name]]:
            if not p.exists():
                raise MissingInputError(
                    "official raw file is missing", file=p,
                    fix=f"download it into {raw} (see README, 'Daten neu aufbauen') or pass --raw DIR")
    return paths


def _raw_file_list() -> list[str]:
    files = []
    for rel in RAW_FILES.values():
        files.extend(rel if isinstance(rel, list) else [rel])
    return files

