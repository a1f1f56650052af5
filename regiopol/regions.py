"""The region registry ``data/regions.toml``: the eight Regiopolen and any region a user adds.

>>> from regiopol import regions
>>> trier = regions.get("trier")
>>> trier.kreise, int(trier.population().loc[2020])
(('07211', '07231', '07232', '07233', '07235'), 534438)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np
import pandas as pd

from regiopol import data
from regiopol.core import config
from regiopol.core.cache import memo
from regiopol.core.config import IDENTIFIER, SOURCE, Array, Field, Invalid, Table
from regiopol.core.errors import ConfigError
from regiopol.core.paths import data_dir
from regiopol.data import frames

__all__ = ["REGIONS_FILE", "LEAD_AREA_STATUS", "DELINEATION_STATUS", "SCHEMA", "Region", "PeerGroup", "Registry", "load",
           "registry", "get", "UNKNOWN_AREA", "ROLES", "ROLE_CORE", "ROLE_SURROUNDING", "ROLE_REGION",
           "ROLE_KREIS", "ROLE_GERMANY", "as_region", "kreise_of", "overview", "data_complete"]

REGIONS_FILE = "regions.toml"
LEAD_AREA_STATUS = {
    "confirmed": "bestätigt",
    "inferred": "abgeleitet",
    "unconfirmed": "unbestätigt",
    "unpublished": "nicht veröffentlicht",
}
DELINEATION_STATUS = {"confirmed": "bestätigt", "approximation": "Näherung", "proxy": "Stellvertreter"}
_KREIS = Field(str, pattern=r"\d{5}", what="a 5-digit Kreis code",
               fix='write the Kreis AGS with 5 digits in quotes, e.g. "05711"')


def _members(region: dict, _) -> None:
    core, kreise, gemeinde = region["core_kreis"], region["kreise"], region.get("core_gemeinde")
    if len(set(kreise)) != len(kreise):
        raise Invalid("kreise", "a Kreis is listed twice", "list each Kreis once")
    if core not in kreise:
        raise Invalid("core_kreis", f"core_kreis {core} is not among the region's kreise",
                      "add the core Kreis to kreise (first)")
    if gemeinde and not gemeinde.startswith(core):
        raise Invalid("core_gemeinde", f"'{gemeinde}' is not an 8-digit Gemeinde code in Kreis {core}",
                      "take the code from the official municipality directory")


def _peers_configured(group: dict, file: dict) -> None:
    known = {block.get("slug") for block in file.get("region", [])}
    unknown = [m["slug"] for m in group["members"] if m["slug"] not in known]
    if unknown:
        raise Invalid("members", f"peer member '{unknown[0]}' is not a [[region]] of the file",
                      "list only slugs of [[region]] blocks, or add the region")


SCHEMA = Table({
    "areas": Table({}, extra=Field(str)),
    "peer_group": Table({
        "name": Field(str), "short": Field(str), "source": SOURCE,
        "members": Array(Table({"slug": IDENTIFIER, "since": Field(int, min=1990, max=2100)}), key="slug"),
    }, rules=(_peers_configured,), required=False),
    "region": Array(Table({
        "slug": IDENTIFIER,
        "name": Field(str),
        "core_kreis": _KREIS,
        "core_gemeinde": Field(str, required=False, pattern=r"\d{8}", what="an 8-digit Gemeinde code",
                               fix="take the code from the official municipality directory"),
        "kreise": Array(_KREIS),
        "lead_area": Field(str, choices=lambda file: file["areas"], what="infrastructure area"),
        "lead_area_status": Field(str, choices=LEAD_AREA_STATUS),
        "delineation": Field(str),
        "delineation_status": Field(str, choices=DELINEATION_STATUS),
        "notes": Field(str, required=False, default=""),
        "source": SOURCE,
        "as_of": Field(dt.date, fix="write the date unquoted as YYYY-MM-DD, e.g. as_of = 2026-11-26"),
    }, rules=(_members,)), key="slug"),
})


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
        table = frames.population_wide().loc[list(self.kreise)].T.astype("Int64").rename_axis("year").rename_axis("ags", axis=1)
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
class PeerGroup:
    """The comparison group of the reports (``[peer_group]`` of the region file)."""

    name: str                    # "Regiopolen des Modellvorhabens"
    short: str                   # "Regiopolen"
    source: str
    members: tuple[str, ...]     # region slugs, in the file's order
    since: dict[str, int]        # slug → year the region joined

    def __len__(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Registry:
    regions: tuple[Region, ...]
    areas: dict[str, str]
    path: Path
    peers: PeerGroup

    def peer_regions(self, region: Region | None = None) -> tuple[Region, ...]:
        """The regions of the peer group – and ``region`` after them when it is not a member."""
        chosen = [self.get(slug) for slug in self.peers.members]
        if region is not None and region.slug not in self.peers.members:
            chosen.append(region)
        return tuple(chosen)

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
    checked = config.load(path, SCHEMA, what="region file")
    regions = tuple(_region(block, checked["areas"]) for block in checked["region"])
    if validate_codes:
        _check_codes(regions, path)
    group = checked.get("peer_group")
    if group is None:  # a file of its own without a comparison group: its regions are the group
        peers = PeerGroup(name="Regionen der Regionsdatei", short="Regionen", source=str(path),
                          members=tuple(r.slug for r in regions), since={})
    else:
        peers = PeerGroup(name=group["name"], short=group["short"], source=group["source"],
                          members=tuple(m["slug"] for m in group["members"]),
                          since={m["slug"]: m["since"] for m in group["members"]})
    return Registry(regions=regions, areas=checked["areas"], path=path, peers=peers)


def registry() -> Registry:
    """``data/regions.toml`` of the current data directory, read and checked once per process."""
    return _registry(str(data_dir()))


@memo(maxsize=4)
def _registry(directory: str) -> Registry:
    return load(Path(directory) / REGIONS_FILE)


def get(slug: str) -> Region:
    return registry().get(slug)


UNKNOWN_AREA = "unknown"
"""The key of ``[areas]`` for a lead area that is not published."""
ROLES = ("core", "surrounding", "region", "kreis", "germany")
"""The roles of the rows of every table that compares a region's parts: the Regiopole's Kreis,
the other Kreise, the region as a whole, a single Kreis, Germany."""
ROLE_CORE, ROLE_SURROUNDING, ROLE_REGION, ROLE_KREIS, ROLE_GERMANY = ROLES

RegionLike = Union["Region", str]
"""A :class:`Region` or its slug – what every function taking ``region`` accepts."""


def as_region(region: RegionLike) -> Region:
    """``region`` itself, or the region with this slug."""
    return region if isinstance(region, Region) else get(region)


def kreise_of(x: RegionLike | Iterable[str]) -> tuple[str, ...]:
    """The Kreis codes of a region, a region slug, one 5-digit code or several codes.

    >>> kreise_of("trier")
    ('07211', '07231', '07232', '07233', '07235')
    >>> kreise_of(["07211", "07235"])
    ('07211', '07235')
    """
    if isinstance(x, Region):
        return x.kreise
    if isinstance(x, str):
        return (x,) if re.fullmatch(r"\d{5}", x) else get(x).kreise
    codes = tuple(dict.fromkeys(x))
    if not codes or not all(isinstance(c, str) and re.fullmatch(r"\d{5}", c) for c in codes):
        raise ConfigError("expected a region, a region slug or 5-digit Kreis codes", field="kreise",
                          fix='pass e.g. "trier" or ["07211", "07235"] (`regiopol kreise` lists the codes)')
    return codes


def _region(block: dict, areas: dict) -> Region:
    core = block["core_kreis"]
    return Region(**{**block, "kreise": tuple([core, *(k for k in block["kreise"] if k != core)]),
                     "lead_area_label": areas[block["lead_area"]]})


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
