"""``regiopol data build``: derive the compact tables in ``data/`` from the official raw files.

Every table is computed before anything is written; then all tables are written to
temporary files and only renamed once every one of them was written, so a failed build
leaves the previous tables intact. ``provenance.json`` (written last) records source,
licence, rows, content hash and the warnings of the readers for every table.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from regiopol import data
from regiopol.core.cache import clear_caches
from regiopol.core.errors import InputFormatError, MissingInputError
from regiopol.core.files import write_all_atomic, write_text_atomic
from regiopol.core.paths import data_dir
from regiopol.core.sources import Source
from regiopol.data.check import file_hash
from regiopol.data.harmonise import KREIS_REFORMS_AFTER_2020, harmonised_population, to_current_kreise
from regiopol.data.locate import assign_kreis_by_place, assign_kreis_by_point
from regiopol.data.readers import bbsr, demandregio, facilities, genesis, geo, gv100, gvisys, inkar

__all__ = ["YEARLY_FILES", "RAW_FILES", "BuildResult", "build", "derive_tables", "RawInputs"]

# Raw files relative to the raw directory, as downloaded from the official portals; a pattern
# (:data:`YEARLY_FILES`) stands for one file per year, as many years as the directory holds.
YEARLY_FILES = {"employment"}
RAW_FILES = {
    "population_by_age": "destatis/12411-0018.csv",
    "employment": "regionalstatistik/13111-07-05-4_[0-9][0-9][0-9][0-9].csv",
    "care_recipients": "regionalstatistik/22411-02-03-4.csv",
    "gv100ad": "destatis/GV100AD_301121.ASC",
    "gv_isys": "destatis/AuszugGV4QAktuell.csv",
    "demandregio": "demandregio/population.csv",
    "bbsr_keys": "bbsr/ref-kreise-umrech-2020-1990-2019.xlsx",
    "geometries": "bkg/landkreise_simplify200.geojson",
    "inkar_catalogue": "inkar/_indikatoren.parquet",
    "inkar_regions": "inkar/_regionen.parquet",
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
        warnings = {name: len(e["warnings"]) for name, e in self.provenance["tables"].items() if e["warnings"]}
        if warnings:
            lines.append("Hinweise der Einleseroutinen (Details in provenance.json): "
                         + ", ".join(f"{name} {count}" for name, count in warnings.items()))
        return "\n".join(lines)


def build(raw: str | Path, out: str | Path | None = None, *, selection: pd.DataFrame) -> BuildResult:
    """Read the raw files under ``raw``, derive all tables, write them atomically into ``out``.

    ``selection`` lists the INKAR indicators to embed (indicator, topic, area, label, unit):
    :func:`regiopol.methods.indicators.inkar_selection` of ``data/indicators.toml``."""
    start = time.perf_counter()
    raw = Path(raw)
    out = Path(out or data_dir())
    tables = derive_tables(raw, selection)
    write_all_atomic({data.table_path(name, out): (lambda tmp, t=table: _without_attrs(t).to_parquet(tmp, index=False))
                      for name, table in tables.items()})
    records = {}
    for name, table in tables.items():
        path = data.table_path(name, out)
        records[name] = {
            "file": path.name,
            "description": _description(name, table),
            "rows": len(table),
            "columns": list(table.columns),
            "bytes": path.stat().st_size,
            "sha256": file_hash(path),
            "sources": [s.to_dict() for s in table.attrs["sources"]],
            "warnings": [w.replace(f"{raw}/", "") for w in table.attrs["warnings"]],  # no machine paths
        }
    provenance = {
        "built_with": f"regiopol data build (pandas {pd.__version__}, Python {sys.version_info.major}.{sys.version_info.minor})",
        "raw_files": _raw_file_list(raw),
        "tables": records,
    }
    write_text_atomic(out / data.PROVENANCE_FILE, json.dumps(provenance, ensure_ascii=False, indent=2) + "\n")
    clear_caches()
    return BuildResult(out=out, provenance=provenance, seconds=time.perf_counter() - start)


def derive_tables(raw: Path, selection: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """All committed tables, each with ``attrs["sources"]`` and ``attrs["warnings"]``."""
    inputs = RawInputs(raw, selection)
    return {name: derive(inputs) for name, derive in _DERIVATIONS.items()}


class RawInputs:
    """The raw files, each read once however many tables need it."""

    def __init__(self, raw: Path, selection: pd.DataFrame) -> None:
        self.path = _raw_paths(raw)
        self.selection = selection

    @cached_property
    def keys(self) -> pd.DataFrame:
        return bbsr.read_bbsr_keys(self.path["bbsr_keys"])

    @cached_property
    def geometries(self) -> pd.DataFrame:
        return geo.read_kreis_geometries(self.path["geometries"])

    @cached_property
    def gemeinden(self) -> pd.DataFrame:
        """Gemeinden of the directory GV100AD (boundaries of 30.11.2021, population 31.12.2020)."""
        return gv100.read_gv100ad(self.path["gv100ad"])

    @cached_property
    def kreise(self) -> pd.DataFrame:
        """Kreise of the directory GV100AD (the 400 Kreise of 30.11.2021)."""
        return gv100.read_gv100ad_kreise(self.path["gv100ad"])

    @cached_property
    def gemeinden_2019(self) -> pd.DataFrame:
        """Gemeinden of the GV-ISys extract (31.12.2019), the one directory with coordinates."""
        return gvisys.read_gv_isys(self.path["gv_isys"])

    @cached_property
    def population_by_age(self) -> pd.DataFrame:
        return genesis.population_by_age(self.path["population_by_age"])


def _kreise(inputs: RawInputs) -> pd.DataFrame:
    kreise = inputs.kreise
    laender = gv100.read_gv100ad_laender(inputs.path["gv100ad"])[["land", "name"]].rename(columns={"name": "land_name"})
    kreise = kreise.merge(laender, on="land", how="left", validate="many_to_one")
    same_name = kreise["name"].duplicated(keep=False)  # e.g. Würzburg, city and Landkreis
    kreise["label"] = kreise["name"].where(~same_name, kreise["name"] + " (" + kreise["kind"] + ")")
    columns = ["ags", "name", "label", "kind", "seat", "land", "land_name", "area_km2", "population"]
    return _with_sources(kreise[columns], kreise, laender)


def _gemeinden(inputs: RawInputs) -> pd.DataFrame:
    """GV100AD Gemeinden with the coordinates of the GV-ISys extract; Gemeinden renumbered
    since 2019 (mergers, Eisenach into the Wartburgkreis) are found by name within their Kreis."""
    directory, extract = inputs.gemeinden, inputs.gemeinden_2019
    table = directory.merge(extract[["gemeinde_ags", "lat", "lon"]], on="gemeinde_ags", how="left",
                            validate="one_to_one")
    by_name = (extract.assign(ags=extract["ags"].replace(KREIS_REFORMS_AFTER_2020))
               .drop_duplicates(["ags", "name"], keep=False).set_index(["ags", "name"])[["lat", "lon"]])
    missing = table["lat"].isna()
    found = by_name.reindex(pd.MultiIndex.from_frame(table.loc[missing, ["ags", "name"]]))
    table.loc[missing, ["lat", "lon"]] = found.to_numpy()
    columns = ["gemeinde_ags", "ags", "name", "area_km2", "population", "postcode", "lat", "lon"]
    return _with_sources(table[columns].sort_values("gemeinde_ags", ignore_index=True), directory, extract)


def _kreis_geometries(inputs: RawInputs) -> pd.DataFrame:
    geometries = inputs.geometries
    return _with_sources(geometries[["ags", "geometry"]].sort_values("ags", ignore_index=True), geometries)


def _population_by_age(inputs: RawInputs) -> pd.DataFrame:
    by_age = inputs.population_by_age
    table = to_current_kreise(by_age, inputs.keys, value_cols=["population"], mark_estimates=True)
    table = table.sort_values(["ags", "year", "sex", "age_from"], ignore_index=True)
    columns = ["ags", "year", "sex", "age_group", "age_from", "age_to", "population", "estimated"]
    return _with_sources(table[columns], by_age, inputs.keys)


def _population_series(inputs: RawInputs) -> pd.DataFrame:
    by_age = inputs.population_by_age
    totals = by_age.groupby(["ags", "year"], as_index=False)["population"].sum()
    totals.attrs = by_age.attrs
    dr = demandregio.read_demandregio_population(inputs.path["demandregio"])
    return _with_sources(harmonised_population(inputs.keys, dr, totals), by_age, dr, inputs.keys)


def _employment(inputs: RawInputs) -> pd.DataFrame:
    employment = genesis.employment_at_workplace(inputs.path["employment"])
    employees = ["employees", "employees_male", "employees_female", "employees_foreign"]
    table = to_current_kreise(employment, inputs.keys, weight="employment", value_cols=employees,
                              mark_estimates=True)
    return _with_sources(table, employment, inputs.keys)


def _care_recipients(inputs: RawInputs) -> pd.DataFrame:
    care = genesis.care_recipients(inputs.path["care_recipients"])
    counts = [c for c in care.columns if c.startswith("care_")]
    return _with_sources(to_current_kreise(care, inputs.keys, value_cols=counts, mark_estimates=True),
                         care, inputs.keys)


def _inkar(inputs: RawInputs) -> pd.DataFrame:
    selection = inputs.selection
    topics = [inkar.read_inkar_values(inputs.path["inkar_dir"] / f"{topic}.parquet", indicators=list(codes))
              for topic, codes in selection.groupby("topic")["indicator"]]
    values = pd.concat(topics, ignore_index=True)[["ags", "year", "indicator", "value"]]
    return _with_sources(values.sort_values(["indicator", "ags", "year"], ignore_index=True), *topics)


def _inkar_germany(inputs: RawInputs) -> pd.DataFrame:
    """The value for Germany (raumbezug "Bund") of every embedded INKAR indicator."""
    topics = []
    for topic, codes in inputs.selection.groupby("topic")["indicator"]:
        path = inputs.path["inkar_dir"] / f"{topic}.parquet"
        values = inkar.read_inkar_values(path, raumbezug="Bund", indicators=list(codes))
        if values["ags"].nunique() != 1:
            raise InputFormatError(f"raumbezug 'Bund' holds {values['ags'].nunique()} areas instead of one "
                                   f"({', '.join(sorted(map(str, values['ags'].unique())))})",
                                   file=path, field="kennziffer", fix="download the topic file again")
        topics.append(values)
    values = pd.concat(topics, ignore_index=True)[["year", "indicator", "value"]]
    return _with_sources(values.sort_values(["indicator", "year"], ignore_index=True), *topics)


def _central_places(inputs: RawInputs) -> pd.DataFrame:
    """Central places (Gemeinden), checked against the Gemeinden and Kreise of GV100AD."""
    places = inkar.read_central_places(inputs.path["inkar_regions"])
    directory = inputs.gemeinden.set_index("gemeinde_ags")["ags"]
    kreise = set(inputs.kreise["ags"])
    file = inputs.path["inkar_regions"].name
    listed = [f"{code} ({name})" for code, name in zip(places["gemeinde_ags"], places["name"])]
    unknown = [label for label, code in zip(listed, places["gemeinde_ags"]) if code not in directory.index]
    outside = [label for label, code in zip(listed, places["ags"]) if code not in kreise]
    other_kreis = [label for label, code, kreis in zip(listed, places["gemeinde_ags"], places["ags"])
                   if code in directory.index and directory[code] != kreis]
    warnings = [f"{file}: {len(found)} of {len(places)} central places {problem}: {', '.join(found)}"
                for found, problem in [(unknown, "are not in the Gemeinde directory GV100AD"),
                                       (outside, "lie in no Kreis of the directory (first five digits)"),
                                       (other_kreis, "lie in another Kreis in the Gemeinde directory")] if found]
    places.attrs["warnings"] = [*places.attrs["warnings"], *warnings]
    return _with_sources(places, places)


def _inkar_catalogue(inputs: RawInputs) -> pd.DataFrame:
    catalogue = inkar.read_inkar_catalogue(inputs.path["inkar_catalogue"])
    definitions = catalogue.drop_duplicates("indicator")[["indicator", "name", "algorithm", "notes", "basis"]]
    table = inputs.selection.merge(definitions.rename(columns={"name": "definition"}), on="indicator", how="left")
    return _with_sources(table, catalogue)


def _hospitals(inputs: RawInputs) -> pd.DataFrame:
    hospitals = facilities.read_hospitals(inputs.path["hospitals"])
    located = assign_kreis_by_point(hospitals, inputs.geometries[["ags", "geometry"]])
    return _with_sources(located, hospitals, located, inputs.geometries)


def _universities(inputs: RawInputs) -> pd.DataFrame:
    universities = facilities.read_hochschulen(inputs.path["universities"])
    located = assign_kreis_by_point(universities, inputs.geometries[["ags", "geometry"]])
    return _with_sources(located, universities, located, inputs.geometries)


def _rail_stations(inputs: RawInputs) -> pd.DataFrame:
    stations = facilities.read_rail_stations(inputs.path["rail_stations"])
    located = assign_kreis_by_place(stations, inputs.gemeinden)
    return _with_sources(located, stations, located, inputs.gemeinden)


_DERIVATIONS = {
    "kreise": _kreise,
    "gemeinden": _gemeinden,
    "kreis_geometries": _kreis_geometries,
    "population_by_age": _population_by_age,
    "population_series": _population_series,
    "employment": _employment,
    "care_recipients": _care_recipients,
    "inkar": _inkar,
    "inkar_catalogue": _inkar_catalogue,
    "inkar_germany": _inkar_germany,
    "central_places": _central_places,
    "hospitals": _hospitals,
    "universities": _universities,
    "rail_stations": _rail_stations,
}


def _description(name: str, table: pd.DataFrame) -> str:
    """:data:`regiopol.data.TABLES` of ``name`` with the years the table covers."""
    years = f"{int(table['year'].min())}-{int(table['year'].max())}" if "year" in table else ""
    return data.TABLES[name].format(years=years)


def _without_attrs(table: pd.DataFrame) -> pd.DataFrame:
    """Sources live in provenance.json; pandas would otherwise embed attrs in the file."""
    plain = table.copy(deep=False)
    plain.attrs = {}
    return plain


def _with_sources(table: pd.DataFrame, *inputs: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the sources and warnings of the tables it was derived from."""
    sources: list[Source] = []
    warnings: list[str] = []
    for frame in inputs:
        for source in frame.attrs.get("sources", [frame.attrs.get("source")]):
            if source is not None and source not in sources:
                sources.append(source)
        warnings.extend(w for w in map(str, frame.attrs.get("warnings", [])) if w not in warnings)
    # one missing-value convention in all tables: pandas' default "str" (NaN), not "string" (pd.NA)
    table = table.reset_index(drop=True).astype({c: "str" for c in table.columns if table[c].dtype == "string"})
    table.attrs = {"sources": sources, "warnings": warnings}
    return table


def _raw_paths(raw: Path) -> dict:
    paths = {}
    for name, rel in RAW_FILES.items():
        found = sorted(raw.glob(rel)) if name in YEARLY_FILES else [raw / rel]
        if not found or not found[0].exists():
            raise MissingInputError(
                "official raw file is missing", file=raw / rel,
                fix="put the official download there (README: 'Rebuilding data/') or pass --raw DIR")
        paths[name] = found if name in YEARLY_FILES else found[0]
    return paths


def _raw_file_list(raw: Path) -> list[str]:
    """The raw files read, relative to ``raw`` (the yearly files as found there)."""
    files = []
    for path in _raw_paths(raw).values():
        files.extend(p.relative_to(raw).as_posix() for p in (path if isinstance(path, list) else [path]))
    return files
