"""The region registry ``data/regions.toml``: the eight Regiopolen and any region a user adds.

>>> from regiopol import regions
>>> trier = regions.get("trier")
>>> trier.kreise, trier.population().loc[2020]
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from regiopol import data
from regiopol.core.cache import memo
from regiopol.core.errors import ConfigError
from regiopol.core.paths import data_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REGIONS_FILE = "regions.toml"
LEAD_AREA_STATUS = {
    "confirmed": "bestätigt",
    "inferred": "abgeleitet",
    "unconfirmed": "unbestätigt",
    "unpublished": "nicht veröffentlicht",
}
DELINEATION_STATUS = {"confirmed": "bestätigt", "approximation": "Näherung", "proxy": "Stellvertreter"}
_REQUIRED = ("slug", "name", "core_kreis", "kreise", "lead_area", "lead_area_status",
             "delineation", "delineation_status", "source", "as_of")
_OPTIONAL = ("core_gemeinde", "notes")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Region:
    """A Regiopole and the Kreise of its region."""

    slug: str
    name: str
    core_kreis: str
    kreise: tuple[str, ...]
    lead_area: str
    lead_area_label: str
    lead_area_status: str
    delineation: str
    delineation_status: str
    source: str
    as_of: dt.date
    core_gemeinde: str | None = None
    notes: str = ""

    @property
    def surrounding_kreise(self) -> tuple[str, ...]:
        return tuple(k for k in self.kreise if k != self.core_kreis)

    def kreis_table(self) -> pd.DataFrame:
        """The region's Kreise from the official directory, core first."""
        kreise = data.load("kreise").set_index("ags")
        return kreise.loc[list(self.kreise)].reset_index()

    def area_km2(self) -> float:
        return float(self.kreis_table()["area_km2"].sum())

    def population(self, by_kreis: bool = False) -> pd.Series | pd.DataFrame:
        """Harmonised population per year (31.12.) 1990–2020; ``by_kreis`` gives one column per Kreis."""
        series = data.load("population_series")
        series = series[series["ags"].isin(self.kreise)]
        table = series.pivot(index="year", columns="ags", values="population")[list(self.kreise)]
        return table if by_kreis else table.sum(axis=1).rename(self.name)

    def core_population(self) -> pd.Series:
        """Population of the core city per year; for a city inside a Kreis only the directory year."""
        if self.core_gemeinde is None:
            return self.population(by_kreis=True)[self.core_kreis].rename(self.name)
        gemeinden = data.load("gemeinden").set_index("gemeinde_ags")
        return pd.Series({2020: gemeinden.loc[self.core_gemeinde, "population"]}, name=self.name)

    def core_point(self) -> tuple[float, float]:
        """(lon, lat) of the core city: the Gemeinde ``core_gemeinde`` if given, else the Gemeinde
        ``<core_kreis>000`` (kreisfreie Stadt), else the population-weighted centroid of the core
        Kreis' Gemeinden."""
        gemeinden = data.load("gemeinden").set_index("gemeinde_ags")
        code = self.core_gemeinde or f"{self.core_kreis}000"
        if code in gemeinden.index and pd.notna(gemeinden.loc[code, "lat"]):
            return float(gemeinden.loc[code, "lon"]), float(gemeinden.loc[code, "lat"])
        members = gemeinden[(gemeinden["ags"] == self.core_kreis) & gemeinden["lat"].notna()]
        if members.empty:
            raise ConfigError(f"no Gemeinde with coordinates in Kreis {self.core_kreis}",
                              field=f"{self.slug}.core_kreis", fix="check data/gemeinden.parquet (regiopol data check)")
        weights = members["population"].astype("float64").fillna(0)
        return (float(np.average(members["lon"], weights=weights)),
                float(np.average(members["lat"], weights=weights)))


@dataclass(frozen=True)
class Registry:
    regions: tuple[Region, ...]
    areas: dict[str, str]
    path: Path

    def __iter__(self):
        return iter(self.regions)

    def __len__(self) -> int:
        return len(self.regions)

    @property
    def slugs(self) -> list[str]:
        return [r.slug for r in self.regions]

    def get(self, slug: str) -> Region:
        for region in self.regions:
            if region.slug == slug:
                return region
        raise ConfigError(
            f"no region '{slug}'", file=self.path, field="slug",
            fix=f"use one of: {', '.join(self.slugs)} – or add a [[region]] block",
        )


def load(path: str | Path | None = None, *, validate_codes: bool = True) -> Registry:
    """Read and validate the region registry (default ``data/regions.toml``)."""
    path = Path(path) if path is not None else data_dir() / REGIONS_FILE
    config = read_toml(path, what="region file", restore="data/regions.toml")

    areas = config.get("areas")
    if not isinstance(areas, dict) or not areas:
        raise ConfigError("the [areas] table is missing or empty", file=path, field="areas",
                          fix="list the infrastructure areas as key = \"German label\"")
    blocks = config.get("region")
    if not isinstance(blocks, list) or not blocks or not all(isinstance(b, dict) for b in blocks):
        raise ConfigError("no [[region]] blocks", file=path, field="region",
                          fix="add at least one [[region]] block (see the comment at the top of the file)")
    regions = tuple(_region(block, i, areas, path) for i, block in enumerate(blocks, start=1))
    seen: set[str] = set()
    for region in regions:
        if region.slug in seen:
            raise ConfigError(f"duplicate slug '{region.slug}'", file=path, field=f"{region.slug}.slug",
                              fix="give every region its own slug")
        seen.add(region.slug)
    if validate_codes:
        _check_codes(regions, path)
    return Registry(regions=regions, areas=dict(areas), path=path)


def registry() -> Registry:
    """``data/regions.toml`` of the current data directory, read and checked once per process."""
    return _registry(str(data_dir()))


@memo(maxsize=4)
def _registry(directory: str) -> Registry:
    return load(Path(directory) / REGIONS_FILE)


def get(slug: str) -> Region:
    return registry().get(slug)


def as_region(region: Region | str) -> Region:
    """``region`` itself, or the region with this slug."""
    return region if isinstance(region, Region) else get(region)


def read_toml(path: Path, *, what: str, restore: str) -> dict:
    """Parse a project TOML file; every failure becomes a ConfigError naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what} does not exist", file=path,
                          fix=f"restore {restore} from git or pass the right path") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} is not UTF-8", file=path, fix="save the file as UTF-8") from None
    except OSError as err:
        raise ConfigError(f"{what} cannot be read ({err.strerror})", file=path,
                          fix="pass the path of the TOML file itself") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"not valid TOML: {err}", file=path,
                          fix="check quotes, brackets and commas at the line given") from None


def _region(block: dict, number: int, areas: dict, path: Path) -> Region:
    label = block.get("slug", f"region #{number}")
    for key in _REQUIRED:
        if key not in block or block[key] in ("", []):
            raise ConfigError(f"required field '{key}' is missing or empty", file=path, field=f"{label}.{key}",
                              fix=f"add `{key} = …` to the [[region]] block of {label}")
    unknown = set(block) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise ConfigError(f"unknown field(s) {', '.join(sorted(unknown))}", file=path,
                          field=f"{label}.{sorted(unknown)[0]}", fix="check the spelling against the file header")

    def text(key: str) -> str:
        value = block.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"'{key}' must be a text in quotes", file=path, field=f"{label}.{key}",
                              fix=f'write {key} = "…"')
        return value.strip()

    slug = text("slug")
    if not _SLUG.match(slug):
        raise ConfigError(f"slug '{slug}' is not a lower-case identifier", file=path, field=f"{label}.slug",
                          fix="use a–z, 0–9 and _ only, e.g. \"wuerzburg\"")
    kreise = block["kreise"]
    if not isinstance(kreise, list) or not all(isinstance(k, str) for k in kreise):
        raise ConfigError("'kreise' must be a list of quoted 5-digit codes", file=path, field=f"{slug}.kreise",
                          fix='write kreise = ["07211", "07231"]')
    for key, value in [("core_kreis", text("core_kreis")), *((f"kreise[{i}]", k) for i, k in enumerate(kreise))]:
        if not re.fullmatch(r"\d{5}", value):
            raise ConfigError(f"'{value}' is not a 5-digit Kreis code", file=path, field=f"{slug}.{key}",
                              fix="write the Kreis AGS with 5 digits in quotes, e.g. \"05711\"")
    if len(set(kreise)) != len(kreise):
        raise ConfigError("a Kreis is listed twice", file=path, field=f"{slug}.kreise", fix="list each Kreis once")
    core = text("core_kreis")
    if core not in kreise:
        raise ConfigError(f"core_kreis {core} is not among the region's kreise", file=path,
                          field=f"{slug}.core_kreis", fix="add the core Kreis to kreise (first)")
    gemeinde = text("core_gemeinde") or None
    if gemeinde is not None and not (re.fullmatch(r"\d{8}", gemeinde) and gemeinde.startswith(core)):
        raise ConfigError(f"'{gemeinde}' is not an 8-digit Gemeinde code in Kreis {core}", file=path,
                          field=f"{slug}.core_gemeinde", fix="take the code from the official municipality directory")
    lead = text("lead_area")
    if lead not in areas:
        raise ConfigError(f"unknown infrastructure area '{lead}'", file=path, field=f"{slug}.lead_area",
                          fix=f"use one of: {', '.join(areas)} (or add it to [areas])")
    for key, allowed in (("lead_area_status", LEAD_AREA_STATUS), ("delineation_status", DELINEATION_STATUS)):
        if text(key) not in allowed:
            raise ConfigError(f"unknown {key} '{text(key)}'", file=path, field=f"{slug}.{key}",
                              fix=f"use one of: {', '.join(allowed)}")
    as_of = block["as_of"]
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise ConfigError(f"as_of '{as_of}' is not a date", file=path, field=f"{slug}.as_of",
                          fix="write the date unquoted as YYYY-MM-DD, e.g. as_of = 2026-11-26")
    return Region(
        slug=slug, name=text("name"), core_kreis=core, kreise=tuple([core, *(k for k in kreise if k != core)]),
        lead_area=lead, lead_area_label=areas[lead], lead_area_status=text("lead_area_status"),
        delineation=text("delineation"), delineation_status=text("delineation_status"),
        source=text("source"), as_of=as_of, core_gemeinde=gemeinde, notes=text("notes"),
    )


def _check_codes(regions: tuple[Region, ...], path: Path) -> None:
    """Every AGS must exist in the official municipality directory (GV100AD)."""
    kreise = set(data.load("kreise")["ags"])
    gemeinden = set(data.load("gemeinden")["gemeinde_ags"])
    for region in regions:
        for code in region.kreise:
            if code not in kreise:
                raise ConfigError(f"Kreis {code} does not exist in the official directory (GV100AD 30.11.2021)",
                                  file=path, field=f"{region.slug}.kreise",
                                  fix="correct the code; `regiopol kreise` lists the official Kreis codes")
        if region.core_gemeinde and region.core_gemeinde not in gemeinden:
            raise ConfigError(f"Gemeinde {region.core_gemeinde} does not exist in the official directory",
                              file=path, field=f"{region.slug}.core_gemeinde",
                              fix="take the 8-digit code from the official municipality directory (GV100AD)")


def overview(registry: Registry | None = None) -> pd.DataFrame:
    """Key figures per region with German column names: Kreise, area, population 2020 (region and
    core city), change since 2015, lead area."""
    registry = registry or load()
    rows = []
    for region in registry:
        population = region.population()
        rows.append({
            "Region": region.name,
            "Kreise": len(region.kreise),
            "Fläche (km²)": region.area_km2(),
            "Bevölkerung 2020": int(population.loc[2020]),
            "Veränderung 2015–2020": population.loc[2020] / population.loc[2015] - 1,
            "Regiopole 2020": int(region.core_population().loc[2020]),
            "Leitthema": region.lead_area_label,
            "Abgrenzung": region.delineation,
        })
    return pd.DataFrame(rows)


def data_complete(directory: Path) -> str:
    """`regiopol data check`: every region's Kreise are in the tables and have a full population series."""
    registry = load(directory / REGIONS_FILE, validate_codes=False)
    kreise = set(data.load("kreise", directory)["ags"])
    series = data.load("population_series", directory)
    for region in registry:
        missing = set(region.kreise) - kreise
        assert not missing, f"region {region.slug}: Kreise {sorted(missing)} not in the directory"
        years = series[series["ags"].isin(region.kreise)].groupby("year")["ags"].nunique()
        assert (years == len(region.kreise)).all(), f"region {region.slug}: population series incomplete"
    return f"{len(registry)} Regionen, alle Kreise vorhanden"
