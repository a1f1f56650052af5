"""Module 1 (Zentrale Funktionen) – catchment models: who uses which centre.

Pure functions over pandas/numpy: population-weighted Kreis centroids, great-circle
distances, the Huff model of competing centres and the two-step floating catchment area
method (2SFCA) for the supply of facilities per inhabitant.

>>> from regiopol.methods import catchment
>>> catchment.population_within("trier")     # inhabitants within 30 and 60 km of the core city
{30: 387220.0, 60: 1260284.0}
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from regiopol import data, regions
from regiopol.core.cache import disk, memo
from regiopol.core.errors import ConfigError, InputFormatError
from regiopol.core.paths import data_dir
from regiopol.methods import centrality
from regiopol.methods.checklist import settings

__all__ = ["EARTH_RADIUS_KM", "kreis_centroids", "haversine_km", "distance_matrix", "kreis_distances",
           "huff", "population_served", "huff_sensitivity", "two_step_fca", "kreis_accessibility",
           "population_within", "HUFF_MEASURES", "attractiveness", "kreis_population", "huff_defaults",
           "huff_model", "core_probabilities", "hospital_sites", "gemeinde_demand", "bed_accessibility",
           "bed_accessibility_by_role", "served_by_core"]

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


# --------------------------------------------------------------------------- input checks

def _numbers(frame: pd.DataFrame, column: str, what: str, *, nonnegative: bool = False) -> np.ndarray:
    """``frame[column]`` as float64; a missing column or a missing, non-numeric (or negative)
    value raises InputFormatError naming the row."""
    if column not in frame.columns:
        raise InputFormatError(f"{what} table lacks a column", field=column,
                               fix=f"add a numeric column '{column}'")
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values)
    if nonnegative:
        bad |= values < 0
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputFormatError(
            f"{what} row {frame.index[k]!r} has {column} = {frame[column].iloc[k]}"
            + (f" ({bad.sum()} rows in all)" if bad.sum() > 1 else ""),
            field=column,
            fix=f"give every row a {'non-negative ' if nonnegative else ''}number or drop the row",
        )
    return values


def _codes(codes) -> str:
    codes = sorted(map(str, codes))
    return ", ".join(codes[:10]) + (f" and {len(codes) - 10} more" if len(codes) > 10 else "")


# --------------------------------------------------------------------------- centroids, distances

def kreis_centroids(gemeinden: pd.DataFrame | None = None) -> pd.DataFrame:
    """Population-weighted centroid of each Kreis from its Gemeinden' coordinates.

    ``gemeinden`` needs ags (5-digit Kreis), lat, lon and population (default:
    ``data.load("gemeinden")``, cached). Gemeinden without coordinates or population are
    skipped; Kreise without inhabitants (the pseudo-areas 07000 and 13000 of the official
    directory) are left out. Returns index ``ags`` (sorted) and columns lat, lon and
    population (the sum of the weights used, float).
    """
    if gemeinden is None:
        return _default_centroids(str(data_dir())).copy()
    return _centroids(gemeinden)


@memo
@disk
def _default_centroids(directory: str) -> pd.DataFrame:
    return _centroids(data.load("gemeinden", directory))


def _centroids(gemeinden: pd.DataFrame) -> pd.DataFrame:
    if "ags" not in gemeinden.columns:
        raise InputFormatError("Gemeinde table lacks a column", field="ags", fix="add the 5-digit Kreis code 'ags'")
    points = pd.DataFrame({"ags": gemeinden["ags"].to_numpy()})
    for column in ("lat", "lon", "population"):
        if column not in gemeinden.columns:
            raise InputFormatError("Gemeinde table lacks a column", field=column, fix=f"add a column '{column}'")
        points[column] = pd.to_numeric(gemeinden[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    populated = points[points["population"] != 0]  # NaN != 0: unknown population stays to be reported
    usable = populated.dropna()
    lost = set(populated["ags"]) - set(usable["ags"])
    if lost:
        raise ConfigError(f"no Gemeinde with coordinates and population in Kreis {_codes(lost)}",
                          field="lat", fix="add lat/lon and population for the Kreis' Gemeinden")
    # A weighted mean of degrees is fine at the scale of a Kreis (far from poles and the dateline).
    sums = usable.assign(lat=usable["lat"] * usable["population"], lon=usable["lon"] * usable["population"])
    sums = sums.groupby("ags", sort=True)[["lat", "lon", "population"]].sum()
    sums[["lat", "lon"]] = sums[["lat", "lon"]].div(sums["population"], axis=0)
    sums.index.name = "ags"
    return sums


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points in degrees (numpy broadcasting)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype="float64")) for x in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_matrix(origins: pd.DataFrame, destinations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Great-circle distances (km) from each origin (rows) to each destination (columns);
    both frames need lat and lon, destinations default to the origins."""
    destinations = origins if destinations is None else destinations
    lat1, lon1 = (_numbers(origins, c, "origin") for c in ("lat", "lon"))
    lat2, lon2 = (_numbers(destinations, c, "destination") for c in ("lat", "lon"))
    km = haversine_km(lat1[:, None], lon1[:, None], lat2[None, :], lon2[None, :])
    return pd.DataFrame(km, index=origins.index.copy(), columns=destinations.index.copy())


def kreis_distances() -> pd.DataFrame:
    """Distances (km) between the population-weighted centroids of the 400 Kreise (cached).

    The diagonal is not 0 but an assumed distance within the Kreis: the mean distance of a
    population spread uniformly over a circle of the Kreis' area from its centre,
    (2/3)·sqrt(area_km2/π). This keeps d_ii > 0, so the Huff model is defined for a Kreis'
    own centre.
    """
    return _kreis_distances(str(data_dir())).copy()


@memo
@disk
def _kreis_distances(directory: str) -> pd.DataFrame:
    centroids = _default_centroids(directory)
    area = data.load("kreise", directory).set_index("ags")["area_km2"]
    if set(area.index) != set(centroids.index):
        raise InputFormatError(
            f"Kreise and Gemeinden do not match: {_codes(set(area.index) ^ set(centroids.index))}",
            field="ags", fix="rebuild data/ with `regiopol data build`")
    km = distance_matrix(centroids).to_numpy(copy=True)
    np.fill_diagonal(km, 2 / 3 * np.sqrt(area.reindex(centroids.index).to_numpy(dtype="float64") / np.pi))
    return pd.DataFrame(km, index=centroids.index.copy(), columns=centroids.index.copy())


# --------------------------------------------------------------------------- Huff model

def huff(attractiveness: pd.Series, distances: pd.DataFrame, alpha: float = 1.0, beta: float = 2.0) -> pd.DataFrame:
    """Huff model: P_ij = A_j^α d_ij^−β / Σ_k A_k^α d_ik^−β.

    Rows are the origins (``distances.index``), columns the destinations
    (``attractiveness.index``, a subset of ``distances.columns``); rows sum to 1.
    Destinations with A_j = 0 or missing get probability 0 and do not compete (also when
    α = 0).
    """
    if not alpha >= 0 or not beta >= 0:
        raise ConfigError(f"alpha = {alpha}, beta = {beta}: exponents must not be negative",
                          field="alpha" if not alpha >= 0 else "beta", fix="pass alpha >= 0 and beta >= 0")
    if not attractiveness.index.is_unique:
        raise ConfigError(f"destination {_codes(set(attractiveness.index[attractiveness.index.duplicated()]))} "
                          "is listed twice", field="attractiveness", fix="aggregate per destination first")
    unknown = attractiveness.index.difference(distances.columns)
    if len(unknown):
        raise ConfigError(f"destination {_codes(unknown)} has no distances", field="attractiveness",
                          fix="use destination codes that are columns of the distance matrix")
    a = pd.to_numeric(attractiveness, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if (a < 0).any():
        raise ConfigError(f"destination {_codes(attractiveness.index[a < 0])} has negative attractiveness",
                          field="attractiveness", fix="pass attractiveness >= 0 (0 = no supply)")
    active = a > 0  # NaN > 0 is False
    if not active.any():
        raise ConfigError("no destination has a positive attractiveness", field="attractiveness",
                          fix="pass at least one destination with attractiveness > 0")
    d = distances.loc[:, attractiveness.index].to_numpy(dtype="float64", na_value=np.nan)
    bad = ~(d > 0) | ~np.isfinite(d)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ConfigError(
            f"distance from {distances.index[i]} to {attractiveness.index[j]} is {d[i, j]}", field="distances",
            fix="pass positive, finite distances (e.g. kreis_distances(), whose diagonal is > 0)")
    # In logs, normalised by the row maximum: no overflow for large beta or tiny distances.
    log_u = np.where(active, alpha * np.log(np.where(active, a, 1.0)), -np.inf) - beta * np.log(d)
    u = np.exp(log_u - log_u.max(axis=1, keepdims=True))
    return pd.DataFrame(u / u.sum(axis=1, keepdims=True), index=distances.index.copy(),
                        columns=attractiveness.index.copy())


def population_served(probabilities: pd.DataFrame, population: pd.Series, destination: str) -> float:
    """Σ_i P_i,destination · population_i – the population a destination serves."""
    if destination not in probabilities.columns:
        raise ConfigError(f"destination {destination} is not a column of the probabilities", field="destination",
                          fix="pass a destination with attractiveness")
    missing = probabilities.index.difference(population.index)
    if len(missing):
        raise ConfigError(f"no population for origin {_codes(missing)}", field="population",
                          fix="pass a population for every origin (row) of the probabilities")
    pop = population.reindex(probabilities.index).to_numpy(dtype="float64", na_value=np.nan)
    return float(np.dot(probabilities[destination].to_numpy(dtype="float64"), pop))


def huff_sensitivity(attractiveness: pd.Series, distances: pd.DataFrame, population: pd.Series, destination: str,
                     alphas=(0.5, 1.0, 1.5), betas=(1.0, 1.5, 2.0, 2.5, 3.0)) -> pd.DataFrame:
    """Population served by ``destination`` for each combination of α and β.

    Columns: alpha, beta, population_served, own_population (of the destination, which
    must also be an origin), ratio (served/own) and share_outside (share of the served
    population living outside the destination).
    """
    if destination not in distances.index or destination not in population.index:
        raise ConfigError(f"destination {destination} is no origin with a population", field="destination",
                          fix="pass a destination that is a row of the distances and in the population")
    own = float(population[destination])
    rows = []
    for alpha in alphas:
        for beta in betas:
            p = huff(attractiveness, distances, alpha, beta)
            served = population_served(p, population, destination)
            inside = float(p.at[destination, destination]) * own
            rows.append({"alpha": float(alpha), "beta": float(beta), "population_served": served,
                         "own_population": own, "ratio": served / own if own else np.nan,
                         "share_outside": 1 - inside / served if served else np.nan})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- 2SFCA

def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def two_step_fca(supply: pd.DataFrame, demand: pd.DataFrame, threshold_km: float, *, return_sites: bool = False):
    """Two-step floating catchment area method (Luo & Wang 2003).

    ``supply``: lat, lon, capacity (one row per site); ``demand``: lat, lon, population.
    Step 1: R_j = S_j / Σ_{k: d_kj ≤ d0} P_k per site, 0 if no one lives within reach.
    Step 2: A_i = Σ_{j: d_ij ≤ d0} R_j. Distances are great-circle distances.

    Returns a frame indexed like ``demand`` with ``accessibility`` (capacity per
    inhabitant; × 1,000 for per 1,000) and ``sites_in_reach``. With ``return_sites=True``
    a tuple (that frame, sites): sites is indexed like ``supply`` with ``ratio`` (R_j) and
    ``population_in_reach``. Σ_i A_i·P_i equals the capacity of the sites with demand in
    reach.
    """
    if not (np.isfinite(threshold_km) and threshold_km > 0):
        raise ConfigError(f"threshold_km = {threshold_km}", field="threshold_km", fix="pass a positive distance in km")
    capacity = _numbers(supply, "capacity", "supply", nonnegative=True)
    population = _numbers(demand, "population", "demand", nonnegative=True)
    sites = _unit_vectors(_numbers(supply, "lat", "supply"), _numbers(supply, "lon", "supply"))
    people = _unit_vectors(_numbers(demand, "lat", "demand"), _numbers(demand, "lon", "demand"))
    # The chord of the great-circle threshold: chord ≤ c ⇔ arc ≤ d0, so the cut-off is exact.
    chord = 2 * np.sin(min(threshold_km / (2 * EARTH_RADIUS_KM), np.pi / 2))
    pairs = cKDTree(sites).sparse_distance_matrix(cKDTree(people), chord, output_type="ndarray")
    site, person = pairs["i"], pairs["j"]

    in_reach = np.bincount(site, weights=population[person], minlength=len(supply))
    ratio = np.divide(capacity, in_reach, out=np.zeros_like(capacity), where=in_reach > 0)
    result = pd.DataFrame({
        "accessibility": np.bincount(person, weights=ratio[site], minlength=len(demand)),
        "sites_in_reach": np.bincount(person, minlength=len(demand)),
    }, index=demand.index.copy())
    if not return_sites:
        return result
    return result, pd.DataFrame({"ratio": ratio, "population_in_reach": in_reach}, index=supply.index.copy())


def kreis_accessibility(result: pd.DataFrame, demand: pd.DataFrame) -> pd.Series:
    """Population-weighted mean accessibility per Kreis (``demand`` needs ``ags``)."""
    if "ags" not in demand.columns:
        raise InputFormatError("demand table lacks a column", field="ags", fix="add the 5-digit Kreis code 'ags'")
    population = _numbers(demand, "population", "demand", nonnegative=True)
    weighted = pd.DataFrame({"ags": demand["ags"].to_numpy(), "population": population,
                             "served": result["accessibility"].reindex(demand.index).to_numpy() * population})
    sums = weighted.groupby("ags", sort=True)[["served", "population"]].sum()
    return (sums["served"] / sums["population"]).rename("accessibility")


def population_within(region, radii=(30, 60)) -> dict[int, float]:
    """Population (31.12. of the Gemeinde directory) of the Gemeinden within each straight-line
    radius (km) of the core city."""
    lon, lat = regions.as_region(region).core_point()
    gemeinden = data.load("gemeinden").dropna(subset=["lat", "lon"])
    distance = haversine_km(lat, lon, gemeinden["lat"].to_numpy(), gemeinden["lon"].to_numpy())
    return {radius: float(gemeinden["population"][distance <= radius].sum()) for radius in radii}


# --------------------------------------------------------------------------- the models of module 1

HUFF_MEASURES = ("beds", "students")


def attractiveness(measure: str) -> pd.Series:
    """Supply per Kreis that draws the Huff model's trips: hospital beds or students."""
    if measure not in HUFF_MEASURES:
        raise ConfigError(f"no catchment model for '{measure}'", field="measure",
                          fix=f"use one of: {', '.join(HUFF_MEASURES)}")
    return centrality.supply()[measure]


def kreis_population() -> pd.Series:
    """Population per Kreis of the official directory (the origins' weights), float."""
    return data.load("kreise").set_index("ags")["population"].astype("float64")


def huff_defaults() -> tuple[float, float]:
    """(α, β) of ``data/zentrale_funktionen.toml``."""
    s = settings()["huff"]
    return float(s["alpha"]), float(s["beta"])


@memo(maxsize=32)
def huff_model(measure: str, alpha: float | None = None, beta: float | None = None) -> pd.DataFrame:
    """:func:`huff` of ``measure`` over all Kreise (origin × destination); α, β default to the settings."""
    default_alpha, default_beta = huff_defaults()
    alpha = default_alpha if alpha is None else alpha
    beta = default_beta if beta is None else beta
    return huff(attractiveness(measure), kreis_distances(), alpha, beta)


def core_probabilities(region, measure: str) -> pd.Series:
    """Probability of each Kreis' residents to use the region's core Kreis (default α, β)."""
    return huff_model(measure)[regions.as_region(region).core_kreis]


def hospital_sites() -> pd.DataFrame:
    """Hospital sites with beds in the supply year (index site_id): lat, lon, capacity."""
    hospitals = data.load("hospitals")
    sites = hospitals[(hospitals["year"] == centrality.supply().attrs["years"]["beds"])
                      & hospitals["beds"].fillna(0).gt(0)]
    return pd.DataFrame({"lat": sites["lat"].to_numpy(), "lon": sites["lon"].to_numpy(),
                         "capacity": sites["beds"].astype("float64").to_numpy()}, index=sites["site_id"])


def gemeinde_demand() -> pd.DataFrame:
    """Inhabited Gemeinden with coordinates (index gemeinde_ags): ags, name, lat, lon, population."""
    gemeinden = data.load("gemeinden").dropna(subset=["lat", "lon", "population"])
    return gemeinden.set_index("gemeinde_ags")[["ags", "name", "lat", "lon", "population"]].astype(
        {"population": "float64"})


@memo(maxsize=8)
def bed_accessibility(threshold_km: float) -> pd.DataFrame:
    """:func:`two_step_fca` of hospital beds for every Gemeinde within ``threshold_km``."""
    demand = gemeinde_demand()
    return demand.join(two_step_fca(hospital_sites(), demand, threshold_km))


def bed_accessibility_by_role(region, thresholds_km) -> pd.DataFrame:
    """Beds per 1,000 inhabitants within reach (2SFCA), population-weighted over the Gemeinden:
    one row per Kreis of the region (core first), the region and Germany (columns ags – empty for
    the region and Germany –, role), one column per threshold in km."""
    r = regions.as_region(region)
    rows = [(a, regions.ROLE_CORE if a == r.core_kreis else regions.ROLE_SURROUNDING, [a]) for a in r.kreise]
    rows += [("", regions.ROLE_REGION, list(r.kreise)), ("", regions.ROLE_GERMANY, None)]
    out = pd.DataFrame({"ags": [a for a, *_ in rows], "role": [role for _, role, _ in rows]})
    for threshold in thresholds_km:
        frame = bed_accessibility(float(threshold))
        by_kreis = kreis_accessibility(frame, frame)
        population = frame.groupby("ags")["population"].sum().reindex(by_kreis.index)
        values = []
        for *_, members in rows:
            chosen = by_kreis.index if members is None else members
            values.append(1000 * np.average(by_kreis[chosen], weights=population[chosen]))
        out[threshold] = values
    return out


def served_by_core(p: pd.Series, population: pd.Series, region) -> dict[str, float]:
    """Who the core Kreis serves, from the probabilities ``p`` (origin Kreis → core Kreis) and
    the population of each Kreis: served (all), core_kreis, surrounding (the region's other
    Kreise), outside (beyond the region), own_population (of the core Kreis), ratio (served / own)."""
    r = regions.as_region(region)
    served = p * population.reindex(p.index)
    own = float(population[r.core_kreis])
    return {"served": float(served.sum()), "core_kreis": float(served[r.core_kreis]),
            "surrounding": float(served[list(r.surrounding_kreise)].sum()),
            "outside": float(served.drop(list(r.kreise)).sum()), "own_population": own,
            "ratio": float(served.sum()) / own}
