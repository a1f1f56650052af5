"""Indicator profiles: the Regiopole, its surrounding Kreise and the region against peer
groups, as values and percentile ranks, and trends of the key indicators.

Peer groups (:func:`peer_groups`): the core Kreise of the eight Regiopolen, all
kreisfreie Städte of 100,000–350,000 inhabitants (31.12.2020), and all 400 Kreise.
Germany's value is INKAR's own value for the Bund (or the national sum for derived
indicators). Region and surrounding-area values are population-weighted means of their
Kreis values – exact for indicators per inhabitant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regiopol import data, regions
from regiopol.core.cache import memo
from regiopol.data import frames
from regiopol.methods import indicators

__all__ = ["CITY_KINDS", "CITY_POPULATION", "COVERAGE", "TREND_YEARS", "PEERS", "peer_groups",
           "percentile_rank", "latest_year", "weighted_mean", "region_values", "profile", "trend",
           "strongest_area", "lead_area", "favourability", "area_scores"]

CITY_KINDS = ("Kreisfreie Stadt", "Stadtkreis")
CITY_POPULATION = (100_000, 350_000)
COVERAGE = 0.9  # a year counts as the indicator's latest when ≥ 90 % of the Kreise report it
TREND_YEARS = (2010, 2022)
PEERS = ("regiopolen", "cities", "kreise")


@memo(maxsize=1)
def peer_groups() -> dict[str, tuple[str, ...]]:
    """Kreis codes per peer group: regiopolen, cities, kreise."""
    kreise = data.load("kreise")
    low, high = CITY_POPULATION
    cities = kreise[kreise["kind"].isin(CITY_KINDS) & kreise["population"].between(low, high)]
    return {"regiopolen": tuple(r.core_kreis for r in regions.registry().peer_regions()),
            "cities": tuple(cities["ags"]),
            "kreise": tuple(kreise["ags"])}


def percentile_rank(peers, score: float) -> float:
    """Percentile rank of ``score`` among ``peers`` (NaN ignored): share of peers below
    plus half the share equal, in percent – scipy's ``percentileofscore(kind="mean")``."""
    peers = np.asarray(peers, dtype="float64")
    peers = peers[~np.isnan(peers)]
    if np.isnan(score) or peers.size == 0:
        return np.nan
    return 100.0 * (np.sum(peers < score) + 0.5 * np.sum(peers == score)) / peers.size


@memo(maxsize=1)
def _wide() -> pd.DataFrame:
    """indicator × year rows, one column per ags (incl. Germany)."""
    return indicators.values().pivot_table(index=["indicator", "year"], columns="ags", values="value")


@memo(maxsize=1)
def _population() -> pd.DataFrame:
    """Population weights year × ags; years after the series end use its last year."""
    return frames.population_wide().T


def _weights(year: int) -> pd.Series:
    population = _population()
    return population.loc[min(max(year, population.index.min()), population.index.max())]


def latest_year(indicator: str) -> int:
    """The latest year in which at least 90 % of the Kreise have a value."""
    kreise = list(peer_groups()["kreise"])
    counts = _wide().loc[indicator][kreise].notna().mean(axis=1)
    years = counts.index[counts >= COVERAGE]
    if not len(years):  # no year is complete enough: the latest of the best-covered years
        years = counts.index[counts == counts.max()]
    return int(years.max())


def weighted_mean(values: pd.Series, kreise, year: int) -> float:
    """Population-weighted mean of the Kreis values (Kreise without a value left out)."""
    kreise = list(kreise)
    chosen = values.reindex(kreise).to_numpy(dtype="float64")
    weights = _weights(year).reindex(kreise).to_numpy(dtype="float64")
    known = ~np.isnan(chosen)
    if not known.any():
        return np.nan
    return float(np.average(chosen[known], weights=weights[known]))


@memo
def region_values(indicator: str, year: int) -> pd.Series:
    """The indicator for each configured region as a whole (index: slug)."""
    row = _wide().loc[(indicator, year)]
    return pd.Series({r.slug: weighted_mean(row, r.kreise, year) for r in regions.registry()})


def favourability(rank, direction: str):
    """A percentile rank turned by the indicator's direction: 100 = most favourable ("higher":
    the rank itself, "lower": 100 − rank); NaN for "neutral" indicators, which have no rating."""
    return rank if direction == "higher" else 100 - rank if direction == "lower" else np.nan


def profile(region, codes=None) -> pd.DataFrame:
    """One row per indicator (all listed, or ``codes``) in its latest year: values of the
    core Kreis, the surrounding Kreise, the region, Germany and the peer medians; the core's
    percentile rank in each peer group (``rank_*``, by value) and the same by favourability
    (``favour_*``, 100 = most favourable, see :func:`favourability`); ``region_rank`` is the
    region's rank among the regions of the peer group – and the region itself where it is not
    a member – with 1 = the most favourable value (<NA> for neutral indicators),
    ``region_group`` the size of that group."""
    r = regions.as_region(region)
    compared = [p.slug for p in regions.registry().peer_regions(r)]
    listed = indicators.load().set_index("code")
    codes = list(listed.index) if codes is None else list(codes)
    groups = peer_groups()
    wide = _wide()
    rows = []
    for code in codes:
        year = latest_year(code)
        row = wide.loc[(code, year)]
        core = row.get(r.core_kreis, np.nan)
        by_region = region_values(code, year).reindex(compared)
        entry = {"indicator": code, "area": listed.loc[code, "area"], "label": listed.loc[code, "label"],
                 "unit": listed.loc[code, "unit"], "direction": listed.loc[code, "direction"], "year": year,
                 "core": core,
                 "surrounding": weighted_mean(row, r.surrounding_kreise, year),
                 "region": by_region[r.slug],
                 "germany": row.get(indicators.GERMANY, np.nan)}
        direction = listed.loc[code, "direction"]
        for group in PEERS:
            peers = row.reindex(list(groups[group]))
            entry[f"median_{group}"] = float(peers.median())
            entry[f"rank_{group}"] = percentile_rank(peers, core)
            entry[f"favour_{group}"] = favourability(entry[f"rank_{group}"], direction)
        rated = direction != "neutral" and pd.notna(by_region[r.slug])
        entry["region_rank"] = int(by_region.rank(ascending=direction == "lower", method="min")[r.slug]) \
            if rated else pd.NA
        entry["region_group"] = len(compared)
        rows.append(entry)
    return pd.DataFrame(rows)


def trend(region, codes, years: tuple[int, int] = TREND_YEARS) -> pd.DataFrame:
    """Key indicators over time: indicator, year, and columns core, surrounding, region,
    germany, median_regiopolen (NaN where a year is not published)."""
    r = regions.as_region(region)
    wide = _wide()
    regiopolen = list(peer_groups()["regiopolen"])
    rows = []
    for code in codes:
        block = wide.loc[code]
        for year in block.index[(block.index >= years[0]) & (block.index <= years[1])]:
            row = block.loc[year]
            rows.append({"indicator": code, "year": int(year), "core": row.get(r.core_kreis, np.nan),
                         "surrounding": weighted_mean(row, r.surrounding_kreise, year),
                         "region": weighted_mean(row, r.kreise, year),
                         "germany": row.get(indicators.GERMANY, np.nan),
                         "median_regiopolen": float(row.reindex(regiopolen).median())})
    return pd.DataFrame(rows)


def area_scores(region) -> pd.DataFrame:
    """Per area with rated indicators: the core's mean favourability among the peer cores
    (``score``, 0–100) and the number of indicators behind it (``indicators``), best first."""
    table = profile(regions.as_region(region)).dropna(subset=["favour_regiopolen"])
    scores = table.groupby("area")["favour_regiopolen"].agg(score="mean", indicators="count")
    return scores.sort_values("score", ascending=False)


def strongest_area(region) -> str:
    """The area in which the core is most favourably placed among the peer cores (:func:`area_scores`)."""
    return str(area_scores(region).index[0])


def lead_area(region) -> tuple[str, bool]:
    """(area, published): the lead area published for the region, else the core's strongest area."""
    r = regions.as_region(region)
    published = r.lead_area in regions.registry().areas and r.lead_area != regions.UNKNOWN_AREA
    return (r.lead_area, True) if published else (strongest_area(r), False)
