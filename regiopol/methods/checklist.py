"""The classic Oberzentrum checklist of module 1 in facts, and the module-1 assumptions
``data/zentrale_funktionen.toml`` (the catchment models Huff and 2SFCA and the checklist
thresholds, each with its source)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from regiopol import data, regions
from regiopol.core.cache import memo
from regiopol.core.config import SOURCE, Array, Field, Table, load
from regiopol.core.paths import data_dir
from regiopol.methods import centrality

__all__ = ["SETTINGS_FILE", "SCHEMA", "settings", "CRITERIA", "Checklist", "check"]

SETTINGS_FILE = "zentrale_funktionen.toml"
_AT_LEAST_0 = Field(float, min=0)
_KM = Field(float, above=0, unit="km")  # a distance threshold of 0 km reaches nobody
SCHEMA = Table({
    "huff": Table({"alpha": _AT_LEAST_0, "beta": _AT_LEAST_0, "alphas": Array(_AT_LEAST_0),
                   "betas": Array(_AT_LEAST_0), "min_probability": Field(float, min=0, max=1),
                   "source": SOURCE}),
    "two_step_fca": Table({"threshold_km": _KM, "thresholds_km": Array(_KM), "source": SOURCE}),
    "oberzentrum": Table({"schwerpunkt_beds": Field(float, min=0, unit="Betten"), "schwerpunkt_source": SOURCE,
                          "catchment_population": Field(float, min=0, unit="Einwohner"),
                          "catchment_source": SOURCE}),
})


@memo(maxsize=1)
def settings() -> dict:
    """``data/zentrale_funktionen.toml``, checked against :data:`SCHEMA`."""
    return load(data_dir() / SETTINGS_FILE, SCHEMA, what="module-1 settings")


CRITERIA = ("oberzentrum", "university", "other_hochschule", "schwerpunkt_hospital", "long_distance_station",
            "catchment", "culture")


@dataclass(frozen=True)
class Checklist:
    """What the core of a region offers of the classic Oberzentrum catalogue: the facility rows
    behind each criterion and :meth:`frame` with the verdicts."""

    region: str
    place: pd.DataFrame          # the core's central-place designation: name, level
    universities: pd.DataFrame   # name, students, type
    others: pd.DataFrame         # further Hochschulen (HAW, art, administration)
    hospitals: pd.DataFrame      # Schwerpunkt candidates: name, beds, university_clinic
    hospital_year: int
    stations: pd.DataFrame       # long-distance stations: name, category
    served: float                # population served by the core's hospitals (Huff model)
    thresholds: dict

    def frame(self) -> pd.DataFrame:
        """criterion, met (boolean; <NA> where no official data are embedded)."""
        met = {
            "oberzentrum": bool((self.place["level"] == "Oberzentrum").any()),
            "university": len(self.universities) > 0,
            "other_hochschule": len(self.others) > 0,
            "schwerpunkt_hospital": len(self.hospitals) > 0,
            "long_distance_station": len(self.stations) > 0,
            "catchment": self.served >= self.thresholds["catchment_population"],
            "culture": pd.NA,
        }
        return pd.DataFrame({"criterion": list(CRITERIA), "met": pd.array([met[c] for c in CRITERIA], dtype="boolean")})

    def __repr__(self) -> str:
        met = self.frame()["met"]
        return f"Checklist({self.region}: {int(met.sum())} of {int(met.notna().sum())} criteria met)"


def _core_rows(r: regions.Region, table: pd.DataFrame) -> pd.DataFrame:
    """Facilities of the core: in the core Kreis; for a city inside a Landkreis only those whose
    address names the city (the point data have no Gemeinde boundaries)."""
    rows = table[table["ags"] == r.core_kreis]
    if r.core_gemeinde is not None:
        rows = rows[rows["city"].fillna("").str.startswith(r.name)]
    return rows


def check(region, served: float) -> Checklist:
    """The checklist of the region's core; ``served`` is the population its hospitals serve
    (:func:`regiopol.methods.catchment.served_by_core` of the Huff model for beds)."""
    r = regions.as_region(region)
    thresholds = settings()["oberzentrum"]
    universities = data.load("universities")
    universities = _core_rows(r, universities[~centrality.is_distance_learning(universities)])
    unis = universities[universities["type"].str.startswith("Universit")]
    hospitals = data.load("hospitals")
    year = centrality.supply().attrs["years"]["beds"]
    sites = _core_rows(r, hospitals[hospitals["year"] == year])
    big = sites[sites["university_clinic"].fillna(False) | (sites["beds"].fillna(0) >= thresholds["schwerpunkt_beds"])]
    stations = data.load("rail_stations")
    code = r.core_gemeinde or f"{r.core_kreis}000"
    places = data.load("central_places")
    return Checklist(
        region=r.slug, place=places[places["gemeinde_ags"] == code],
        universities=unis, others=universities[~universities.index.isin(unis.index)],
        hospitals=big.sort_values("beds", ascending=False), hospital_year=int(year),
        stations=stations[(stations["gemeinde_ags"] == code) & stations["long_distance"].fillna(False)],
        served=float(served), thresholds=dict(thresholds))
