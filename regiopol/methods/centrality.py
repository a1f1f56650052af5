"""Module 1 – central functions ("Zentrale Funktionen"): how far a Kreis supplies more than
its own population with hospital beds, doctors, university places and jobs.

Pure functions over the committed tables (:mod:`regiopol.data`), vectorised over all 400
Kreise; they return tidy DataFrames with English column names (the report layer translates).

Everything refers to the core *Kreis* of a region. For Paderborn and Siegen, Regiopolen that
are Gemeinden inside a Landkreis, that is the whole Landkreis (05774, 05970): hospitals and
universities come with coordinates, but there are no Gemeinde boundaries in the data and
employment, doctors and population exist per Kreis only.

>>> from regiopol.methods import centrality
>>> round(centrality.surplus("beds").loc["09663", "surplus"])   # Christaller's surplus of Würzburg's beds
1682
>>> table = centrality.surplus_table("trier")     # region, all four measures, tidy
>>> jobs = centrality.job_centrality("trier")     # jobs per 1,000 inhabitants, index Germany = 1
"""

from __future__ import annotations

import pandas as pd

from regiopol import data, regions
from regiopol.core.cache import memo
from regiopol.core.errors import ConfigError
from regiopol.data import frames
from regiopol.regions import ROLE_CORE, ROLE_GERMANY, ROLE_KREIS, ROLE_REGION, ROLE_SURROUNDING

__all__ = ["MEASURES", "TABLES", "JOBS_TOTAL", "DOCTORS_INDICATOR", "STUDENTS_YEAR",
           "DISTANCE_LEARNING_HS_NO", "SUPPLY_OPTIONS", "is_distance_learning", "supply",
           "importance_surplus", "surplus", "surplus_table", "job_centrality", "core_shares"]

MEASURES = ("beds", "doctors", "students", "jobs")
TABLES = ("hospitals", "inkar", "universities", "employment", "population_series")  # for source lines
JOBS_TOTAL = "Insgesamt"         # the sector value that is the total over all sectors
DOCTORS_INDICATOR = "q_ärzte_bev"  # INKAR: doctors per 10,000 inhabitants
STUDENTS_YEAR = 2023              # Hochschulkompass student numbers

# Distance-learning providers are counted at their seat (FernUniversität Hagen: 62,638
# students). The name rule needs the word, not the letters: a bare "Fern" would also drop
# the Hochschule für Fernsehen und Film München; APOLLON's name has no "Fern", but its
# Hochschulkompass short name is "Bremen FernFH".
_DISTANCE_NAME = r"(?i)fern-?(?:hochschule|universität)"
_DISTANCE_SHORT_NAME = r"\bFern(?:FH|H|U)\b"
# Providers that teach mainly at a distance although their names do not say so (hs_no of
# the Hochschulkompass). IU alone reports 108,364 students at its seat Erfurt.
DISTANCE_LEARNING_HS_NO = {
    329: "IU Internationale Hochschule (Erfurt)",
    156: "AKAD Hochschule Stuttgart",
    318: "DIPLOMA Hochschule (Bad Sooden-Allendorf)",
    338: "Allensbach Hochschule Konstanz",
    391: "Deutsche Hochschule für Prävention und Gesundheitsmanagement (Saarbrücken)",
    449: "IST-Hochschule für Management (Düsseldorf)",
}

SUPPLY_OPTIONS = ("year_beds", "year_doctors", "year_jobs", "exclude_distance_learning")
_SUMMABLE = ["supply", "population", "expected", "surplus", "served_beyond_own"]



def _check(field: str, value, allowed, problem: str = "no data for year {!r}") -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise ConfigError(problem.format(value), field=field, fix=f"use one of: {', '.join(map(str, allowed))}")


def _population() -> pd.DataFrame:
    """Population 31.12. per Kreis (rows) and year (columns), float."""
    return frames.population_wide()


@memo
def _years(measure: str) -> list[int]:
    """The years with both ``measure`` ("beds", "doctors", "jobs") and the population (31.12.)."""
    if measure == "beds":
        years = data.load("hospitals")["year"]
    elif measure == "doctors":
        inkar = data.load("inkar")
        years = inkar.loc[inkar["indicator"] == DOCTORS_INDICATOR, "year"]
    else:
        years = _jobs().columns
    return sorted(set(map(int, years)) & set(_population().columns))


def _students_population_year() -> int:
    """The year of population_series closest to the student count (the latest, so far)."""
    return min(_population().columns, key=lambda year: (abs(year - STUDENTS_YEAR), -year))


@memo(maxsize=1)
def _jobs() -> pd.DataFrame:
    """Employees at place of work 30.06. per Kreis (rows) and year (columns)."""
    employment = data.load("employment")
    total = employment[employment["sector"] == JOBS_TOTAL]
    return total.pivot(index="ags", columns="year", values="employees").astype("float64")


def is_distance_learning(universities: pd.DataFrame) -> pd.Series:
    """True for providers that teach mainly at a distance: "Fernhochschule", "Fern-Hochschule"
    or "FernUniversität" in the name, a "FernFH/FernH/FernU" short name, or listed in
    :data:`DISTANCE_LEARNING_HS_NO`."""
    return (universities["name"].str.contains(_DISTANCE_NAME)
            | universities["short_name"].str.contains(_DISTANCE_SHORT_NAME)
            | universities["hs_no"].isin(list(DISTANCE_LEARNING_HS_NO)))


def supply(year_beds: int | None = None, year_doctors: int | None = None, year_jobs: int | None = None,
           exclude_distance_learning: bool = True) -> pd.DataFrame:
    """Supply of central functions for all 400 Kreise (index ags), with the population each
    measure is set against (population_series, 31.12. of the year given; by default the latest
    year with both – 2019, 2020 and 2020 in the committed tables):

    - beds: beds of all hospital sites in ``year_beds`` (G-BA quality reports, located by
      coordinates; Kreise without a site = 0); population_beds of ``year_beds``.
    - doctors: ambulatory doctors (KBV, excl. psychotherapists) *reconstructed* as INKAR
      ``q_ärzte_bev`` × population / 10,000 – INKAR publishes the ratio, not the count;
      population_doctors of ``year_doctors``.
    - students: Hochschulkompass students (2023) summed per Kreis of the seat; set against the
      population of the year closest to it (the latest of population_series). Multi-site providers count at their seat;
      with ``exclude_distance_learning`` the providers of :func:`is_distance_learning` are
      dropped (also from the German total). Universities without a student number count 0.
    - jobs: employees subject to social insurance at place of work, all sectors, 30.06.
      ``year_jobs`` (Regionalstatistik 13111-07-05-4; 16054 Suhl and 16063 Wartburgkreis are
      estimates for 2015–2018); population_jobs of ``year_jobs``.

    Cached; the frame returned is a copy.
    """
    years = [_years(measure)[-1] if year is None else year
             for measure, year in (("beds", year_beds), ("doctors", year_doctors), ("jobs", year_jobs))]
    return _supply(*years, exclude_distance_learning).copy()


@memo(maxsize=8)
def _supply(year_beds: int, year_doctors: int, year_jobs: int, exclude_distance_learning: bool) -> pd.DataFrame:
    population = _population()
    hospitals = data.load("hospitals")
    inkar = data.load("inkar")
    doctors_rate = inkar[inkar["indicator"] == DOCTORS_INDICATOR].pivot(index="ags", columns="year", values="value")
    for measure, year in (("beds", year_beds), ("doctors", year_doctors), ("jobs", year_jobs)):
        _check(f"year_{measure}", year, _years(measure))

    universities = data.load("universities")
    if exclude_distance_learning:
        universities = universities[~is_distance_learning(universities)]
    index = population.index
    table = pd.DataFrame({
        "beds": hospitals[hospitals["year"] == year_beds].groupby("ags")["beds"].sum(),
        "doctors": doctors_rate[year_doctors] * population[year_doctors] / 10_000,
        "students": universities.groupby("ags")["students"].sum(),
        "jobs": _jobs()[year_jobs],
    }).reindex(index).astype("float64").fillna(0.0)
    for measure, year in zip(MEASURES, (year_beds, year_doctors, _students_population_year(), year_jobs)):
        table[f"population_{measure}"] = population[year]
    table.attrs["years"] = {"beds": year_beds, "doctors": year_doctors, "students": STUDENTS_YEAR,
                            "jobs": year_jobs}
    return table


def importance_surplus(supply: pd.Series, population: pd.Series) -> pd.DataFrame:
    """Christaller's Bedeutungsüberschuss of ``supply`` over the areas given (their total is
    the reference, i.e. Germany when all 400 Kreise are passed).

    national_rate = Σ supply / Σ population; expected = population × national_rate;
    surplus = supply − expected; served_beyond_own = surplus / national_rate (inhabitants
    served beyond the own population); surplus_ratio = supply / expected (location quotient).
    """
    rate = supply.sum() / population.sum()
    expected = population * rate
    return pd.DataFrame({
        "supply": supply, "population": population, "national_rate": rate, "expected": expected,
        "surplus": supply - expected, "served_beyond_own": (supply - expected) / rate,
        "surplus_ratio": supply / expected,
    })


def surplus(measure: str, **options) -> pd.DataFrame:
    """Bedeutungsüberschuss of one measure ("beds", "doctors", "students", "jobs") for all 400
    Kreise (index ags); ``options`` are passed to :func:`supply`."""
    _check("measure", measure, MEASURES, "unknown measure {!r}")
    table = _supply_from(options)
    return importance_surplus(table[measure], table[f"population_{measure}"])


def _supply_from(options: dict) -> pd.DataFrame:
    unknown = set(options) - set(SUPPLY_OPTIONS)
    if unknown:
        raise ConfigError(f"unknown option(s) {', '.join(sorted(unknown))}", field=sorted(unknown)[0],
                          fix=f"use {', '.join(SUPPLY_OPTIONS)}")
    return supply(**options)


def surplus_table(region, **options) -> pd.DataFrame:
    """Bedeutungsüberschuss for the region's Kreise (core first) and the region as a whole
    (sums; its surplus_ratio = Σ supply / Σ expected), for all four measures.

    Tidy: one row per measure × area, columns measure, ags ("" for the region), name, role
    ("core", "surrounding", "region") and those of :func:`importance_surplus`.
    """
    r = regions.as_region(region)
    frames = []
    for measure in MEASURES:
        table = surplus(measure, **options).loc[list(r.kreise)]
        total = table[_SUMMABLE].sum()
        table.loc[ROLE_REGION] = {**total, "national_rate": table["national_rate"].iloc[0],
                                  "surplus_ratio": total["supply"] / total["expected"]}
        frames.append(table)
    out = pd.concat(frames, keys=MEASURES, names=["measure", "key"]).reset_index()
    return _labelled(out, r)


def _labelled(table: pd.DataFrame, r: regions.Region | None) -> pd.DataFrame:
    """Replace the area ``key`` (a Kreis code, "region" or "germany") by ags, name and role."""
    key = table.pop("key")
    names = data.load("kreise").set_index("ags")["label"]
    aggregate = key.isin([ROLE_REGION, ROLE_GERMANY])
    if r is None:
        kreis_role = ROLE_KREIS
    else:
        kreis_role = key.map(lambda a: ROLE_CORE if a == r.core_kreis else ROLE_SURROUNDING)
    labels = {ROLE_GERMANY: "Germany", **({ROLE_REGION: f"Region {r.name}"} if r else {})}
    at = 1 if "measure" in table.columns else 0
    table.insert(at, "ags", key.where(~aggregate, ""))
    table.insert(at + 1, "name", key.map(names).fillna(key.map(labels)))
    table.insert(at + 2, "role", key.where(aggregate, kreis_role))
    return table


def job_centrality(region=None, years=None) -> pd.DataFrame:
    """Arbeitsplatzzentralität: jobs at place of work (30.06.) per 1,000 inhabitants (31.12.
    of the same year) and its index relative to Germany (Germany = 1.0) per area and year.

    An index above 1 points to net in-commuting. It is a proxy: the commuter statistics of the
    Bundesagentur für Arbeit (Pendlerstatistik, in- and out-commuters) are not available here,
    and the ratio also reflects age structure and employment outside social insurance.

    ``years`` default to every year with both jobs and population (2015–2020 in the committed tables).
    Without ``region``: all 400 Kreise (role "kreis") and Germany (ags "", role "germany");
    with a region: its Kreise (core first), the region as a whole and Germany. Tidy: one row
    per area × year with ags, name, role, year, jobs, population, jobs_per_1000, index.
    """
    jobs, population = _jobs(), _population()
    years = _years("jobs") if years is None else list(years)
    for year in years:
        _check("years", year, _years("jobs"))
    r = None if region is None else regions.as_region(region)
    kreise = list(r.kreise) if r else list(population.index)

    def areas(frame: pd.DataFrame) -> pd.DataFrame:
        totals = {ROLE_REGION: frame.loc[kreise, years].sum()} if r else {}
        totals[ROLE_GERMANY] = frame[years].sum()
        return pd.concat([frame.loc[kreise, years], pd.DataFrame(totals).T])

    out = pd.DataFrame({"jobs": areas(jobs).stack(), "population": areas(population).stack()})
    out = out.rename_axis(["key", "year"]).reset_index()
    out["jobs_per_1000"] = 1000 * out["jobs"] / out["population"]
    germany = out[out["key"] == ROLE_GERMANY].set_index("year")["jobs_per_1000"]
    out["index"] = out["jobs_per_1000"] / out["year"].map(germany)
    return _labelled(out, r)


def core_shares(region, **options) -> pd.DataFrame:
    """The core Kreis' share of the region's beds, doctors, students and jobs against its
    share of the region's population (of the year each measure is set against, see
    :func:`supply`); ratio = core_share / population_share (> 1: the core supplies more
    than its population share)."""
    r = regions.as_region(region)
    table = _supply_from(options).loc[list(r.kreise)]
    core, total = table.loc[r.core_kreis], table.sum()
    measures = list(MEASURES)
    population = [f"population_{m}" for m in MEASURES]
    out = pd.DataFrame({
        "measure": measures,
        "core_value": core[measures].to_numpy(),
        "region_value": total[measures].to_numpy(),
        "core_share": (core[measures] / total[measures]).to_numpy(),
        "population_share": (core[population] / total[population]).to_numpy(),
    })
    out["ratio"] = out["core_share"] / out["population_share"]
    return out
