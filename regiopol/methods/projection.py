"""Module 2 – population projection for all 400 Kreise from the latest 31.12. of the data
(:func:`regiopol.data.vintage`; 2020 in the committed tables), horizon 2045.

Two methods with one output form, :class:`Projection` (arrays Kreis × sex × age × year):

* ``"cohort"`` – cohort-component model in single years of age (0–99, 100 = 100 and over)
  and one-year steps. Survival from the Destatis period life tables (12621-0001), births
  from the national age-specific fertility rates (12612-0008) scaled to each Kreis by its
  indirectly standardised child-woman ratio, net migration by age and sex per Kreis from
  the residual method on the observed age structures 2015–2020, split into single years
  jointly over the six years (:func:`cohort_single_years`).
* ``"hamilton_perry"`` – cohort-change ratios 2015→2020 and child-woman ratios, 5-year steps.

Uncertainty: :func:`regiopol.methods.backtest.band` puts the 80 % and 95 % intervals of the
empirical back-test errors around the projected totals.

Variants (in the style of the Destatis G/L/W variants) and every assumption with its source
and German label are in ``data/projection.toml``; the official rates are read, never
copied, from :func:`rates_dir`. Population is always at 31.12. of the year.

>>> from regiopol.methods import projection
>>> result = projection.project("medium")
>>> groups = projection.functional_groups(projection.aggregate(result, "trier").frame())
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.interpolate import PchipInterpolator

from regiopol import data, regions
from regiopol.core import config
from regiopol.core.cache import disk, memo
from regiopol.core.config import SOURCE, Array, Field, Invalid, Table
from regiopol.core.constants import GERMANY, SEXES
from regiopol.core.constants import OLDEST_AGE as OLDEST
from regiopol.core.errors import ConfigError, InputFormatError, MissingInputError
from regiopol.core.paths import RATES_ENV, data_dir, rates_dir

__all__ = ["CONFIG_FILE", "END", "HORIZONS", "FIRST_YEAR", "METHODS", "MALE", "FEMALE", "AGES",
           "GROUP_EDGES", "OPEN_AGE", "FERTILE", "FUNCTIONAL_GROUPS", "COMPONENTS", "RATE_FILES",
           "read_rates", "LifeTable", "life_tables", "national_asfr", "share_boys", "Level", "Variant",
           "Settings", "Config", "SCHEMA", "load_config", "variants", "open_group_weights", "single_years",
           "cohort_single_years", "open_group_tilt", "to_groups", "BasePeriod", "base_year", "base_period",
           "kreis_fertility", "residual_migration", "step", "Projection", "project", "fertility_path",
           "aggregate", "functional_groups", "life_expectancy", "assumptions"]

CONFIG_FILE = "projection.toml"

END = 2045
HORIZONS = horizons = (2025, 2030, 2035, 2040, 2045)
FIRST_YEAR = 2015                     # first year of population_by_age
METHODS = ("cohort", "hamilton_perry")
MALE, FEMALE = 0, 1
AGES = np.arange(101)                 # single years; 100 stands for "100 and over"
# Lower bounds of the 17 official groups of 12411-0018; the last one, 75, is open.
GROUP_EDGES = (0, 3, 6, 10, 15, 18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 75)
OPEN_AGE = GROUP_EDGES[-1]
FERTILE = slice(15, 50)               # ages of the fertility rates, 15–49
FUNCTIONAL_GROUPS = {                 # label: first age – infrastructure groups of module 2
    "0–2": 0, "3–5": 3, "6–9": 6, "10–15": 10, "16–18": 16, "19–24": 19,
    "25–44": 25, "45–64": 45, "65–79": 65, "80+": 80,
}
COMPONENTS = ("fertility", "life_expectancy", "migration")
_LEVELS = {  # component: the number each level [component.NAME] sets
    "fertility": ("tfr", Field(float, min=0.5, max=4.0, unit="children per woman in the target year")),
    "life_expectancy": ("improvement", Field(float, min=0.0, max=0.05, unit="yearly decline of mortality")),
    "migration": ("scale", Field(float, min=0.0, max=5.0, unit="factor on the external migration")),
}

# --------------------------------------------------------------------------- official rates

RATE_FILES = {
    "life_table": ("life_table_destatis_12621-0001.csv",
                   ("period", "sex", "age", "lx_survivors_of_100000", "Lx_person_years", "Tx_person_years")),
    "asfr": ("fertility_asfr_germany_12612-0008.csv", ("year", "age_of_mother", "live_births_per_woman")),
    "tfr": ("fertility_tfr_germany_12612-0009.csv", ("year", "tfr_children_per_woman_age15_49")),
    "tfr_land": ("fertility_tfr_bundesland.csv", ("land_ags", "year", "tfr_children_per_woman")),
    "births": ("sex_ratio_at_birth_12612-0001.csv", ("year", "live_births_male", "live_births_total")),
}
_TEXT_COLUMNS = {"period", "sex", "land_ags"}


def read_rates(name: str, directory: str | Path | None = None) -> pd.DataFrame:
    """One official rate file by name (a key of ``RATE_FILES``), checked for its columns."""
    if name not in RATE_FILES:
        raise MissingInputError(f"unknown rate file '{name}'", field=name, fix=f"use one of: {', '.join(RATE_FILES)}")
    return _read_rates(name, str(rates_dir(directory))).copy()


@memo
def _read_rates(name: str, directory: str) -> pd.DataFrame:
    file, columns = RATE_FILES[name]
    path = Path(directory) / file
    restore = f"restore {file} in the rates directory or set {RATES_ENV} to the folder that has it"
    if not path.is_file():
        raise MissingInputError(f"rate file {file} is missing", file=path, fix=restore)
    try:
        table = pd.read_csv(path, comment="#", dtype={"land_ags": str})
    except (ValueError, UnicodeDecodeError) as err:
        raise InputFormatError(f"not a readable CSV ({err})", file=path, fix=restore) from None
    for column in columns:
        if column not in table.columns:
            raise InputFormatError(f"column '{column}' is missing", file=path, field=column,
                                   fix=f"{restore} (README of the rates, sections 1–2, lists the columns)")
        if column not in _TEXT_COLUMNS:
            values = pd.to_numeric(table[column], errors="coerce")
            if values.isna().any():
                row = int(np.flatnonzero(values.isna().to_numpy())[0])
                raise InputFormatError(f"'{table[column].iloc[row]}' is not a number", file=path, field=column,
                                       fix=restore)
            table[column] = values.astype("float64")
    return table


@dataclass(frozen=True, eq=False)
class LifeTable:
    """One Destatis period life table: survivors ``l``, person-years ``L`` and ``T`` at ages 0–100,
    arrays (sex, age) with sex 0 = male, 1 = female."""

    period: str
    l: np.ndarray  # noqa: E741 – the demographic symbol
    L: np.ndarray
    T: np.ndarray

    def survival(self, improvement: float = 0.0, years: float = 0) -> tuple[np.ndarray, np.ndarray]:
        """Survival over one calendar year: ``S`` (sex, age) of those aged x on 31.12., S_x = L_{x+1}/L_x,
        with ages 99 and 100+ both closed as T_100/T_99; and ``s0`` (sex), newborns to the end of
        their birth year, L_0/l_0. ``improvement`` lowers the one-year death ratios 1 − S by the
        factor (1 − improvement)^years – a constant yearly decline of mortality."""
        s = np.empty((2, 101))
        s[:, :99] = self.L[:, 1:100] / self.L[:, :99]
        s[:, 99:] = (self.T[:, 100] / self.T[:, 99])[:, None]
        s0 = self.L[:, 0] / self.l[:, 0]
        if improvement == 0 or years <= 0:
            return s, s0
        factor = (1.0 - improvement) ** years
        return 1.0 - (1.0 - s) * factor, 1.0 - (1.0 - s0) * factor


def life_tables(directory: str | Path | None = None) -> dict[str, LifeTable]:
    """The periods of 12621-0001 (e.g. "2022/2024") as :class:`LifeTable`."""
    return _life_tables(str(rates_dir(directory)))


@memo
def _life_tables(directory: str) -> dict[str, LifeTable]:
    table = _read_rates("life_table", directory)
    path = Path(directory) / RATE_FILES["life_table"][0]
    tables = {}
    for period, rows in table.groupby("period", sort=True):
        wide = rows.pivot_table(index="sex", columns="age", aggfunc="first",
                                values=["lx_survivors_of_100000", "Lx_person_years", "Tx_person_years"])
        if list(wide.index) != ["female", "male"] or wide.shape[1] != 3 * 101 or wide.isna().any().any():
            raise InputFormatError(f"period {period} does not have ages 0–100 for male and female", file=path,
                                   field="age", fix="restore the complete GENESIS 12621-0001 export")
        arrays = [wide[column].loc[["male", "female"], list(range(101))].to_numpy(dtype="float64")
                  for column in ("lx_survivors_of_100000", "Lx_person_years", "Tx_person_years")]
        tables[str(period)] = LifeTable(str(period), *arrays)
    return tables


def _life_table(period: str, directory: str, config_path: Path, field: str) -> LifeTable:
    tables = _life_tables(directory)
    if period not in tables:
        raise ConfigError(f"life table period '{period}' is not in 12621-0001", file=config_path, field=field,
                          fix=f"use one of: {', '.join(tables)}")
    return tables[period]


def national_asfr(year: int, directory: str | Path | None = None) -> np.ndarray:
    """Age-specific fertility rates of Germany (births per woman, ages 15–49, 12612-0008) for an
    observed year; years before the file's first year take its age profile scaled to that
    year's TFR (12612-0009)."""
    return _national_asfr(int(year), str(rates_dir(directory)))


@memo
def _asfr_table(directory: str) -> pd.DataFrame:
    table = _read_rates("asfr", directory)
    wide = table.pivot_table(index="year", columns="age_of_mother", values="live_births_per_woman", aggfunc="first")
    wide.index = wide.index.astype(int)
    wide.columns = wide.columns.astype(int)
    if list(wide.columns) != list(range(15, 50)) or wide.isna().any().any():
        raise InputFormatError("every year needs the ages 15–49", file=Path(directory) / RATE_FILES["asfr"][0],
                               field="age_of_mother", fix="restore the complete GENESIS 12612-0008 export")
    return wide


def _national_tfr(year: int, directory: str) -> float:
    tfr = _read_rates("tfr", directory).set_index("year")["tfr_children_per_woman_age15_49"]
    if year not in tfr.index:
        raise MissingInputError(f"no national TFR for {year}", file=Path(directory) / RATE_FILES["tfr"][0],
                                field="year", fix=f"use years {int(tfr.index.min())}–{int(tfr.index.max())}")
    return float(tfr.loc[year])


@memo
def _national_asfr(year: int, directory: str) -> np.ndarray:
    wide = _asfr_table(directory)
    if year in wide.index:
        return wide.loc[year].to_numpy(dtype="float64")
    first = int(wide.index.min())
    if year > first:
        raise MissingInputError(f"no fertility rates for {year}", file=Path(directory) / RATE_FILES["asfr"][0],
                                field="year", fix=f"the file covers {first}–{int(wide.index.max())}")
    shape = wide.loc[first].to_numpy(dtype="float64")
    return shape * _national_tfr(year, directory) / shape.sum()


def share_boys(years: Iterable[int], directory: str | Path | None = None) -> float:
    """Share of boys among live births (12612-0001), pooled over ``years``."""
    table = read_rates("births", directory).set_index("year")
    years = [int(y) for y in years]
    missing = [y for y in years if y not in table.index]
    if missing:
        raise MissingInputError(f"no live births for {missing[0]}", file=rates_dir(directory) / RATE_FILES["births"][0],
                                field="year", fix="choose sex_ratio_years that the file covers")
    rows = table.loc[years]
    return float(rows["live_births_male"].sum() / rows["live_births_total"].sum())


# --------------------------------------------------------------------------- configuration

@dataclass(frozen=True)
class Level:
    """One assumption of a component, e.g. fertility "medium": TFR 1.48 from 2030."""

    component: str
    name: str
    label: str
    value: float
    source: str


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    fertility: Level
    life_expectancy: Level
    migration: Level


@dataclass(frozen=True)
class Settings:
    """What the estimation from the base period depends on (shared by all variants)."""

    kreis_fertility: str
    land_tfr_years: tuple[int, ...]
    sex_ratio_years: tuple[int, ...]
    observed_tables: tuple[tuple[int, str], ...]
    open_group_table: str
    base_steps: tuple[int, ...]


@dataclass(frozen=True)
class Config:
    path: Path
    settings: Settings
    target_year: int
    trend_table: str
    trend_from: int
    seed: int
    draws: int
    persistence: float
    sources: tuple[tuple[str, str], ...]
    variants: tuple[Variant, ...]

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variants]

    def variant(self, name: str) -> Variant:
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise ConfigError(f"no variant '{name}'", file=self.path, field="variant",
                          fix=f"use one of: {', '.join(self.names)} – or add a [variant.{name}] table")


def _observed(tables: dict, _) -> None:
    for year in tables:
        if not year.isdigit():
            raise Invalid(year, f"'{year}' is not a calendar year", 'write e.g. 2021 = "2020/2022"')
    years = sorted(map(int, tables))
    if years != list(range(FIRST_YEAR + 1, years[-1] + 1)):
        raise Invalid("", f"observed_tables must cover every year from {FIRST_YEAR + 1} without gaps",
                      f"add the missing years from {FIRST_YEAR + 1} to {years[-1]}")


def _trend_from(mortality: dict, _) -> None:
    last = max(map(int, mortality["observed_tables"]))
    if mortality["trend_from"] > last + 1:
        raise Invalid("trend_from", f"trend_from {mortality['trend_from']} leaves years without a life table",
                      f"set trend_from to at most {last + 1}")


def _observed_steps(migration: dict, _) -> None:
    base = data.vintage().base_year
    late = [year for year in migration["base_steps"] if year > base]
    if late:
        raise Invalid("base_steps", f"base step {late[0]} lies after the latest observed year {base}",
                      f"use years from {FIRST_YEAR + 1} to {base}")


def _component(name: str, settings: dict, rules=()) -> Table:
    """The table [name]: its settings, a source, and any number of levels [name.LEVEL]."""
    key, value = _LEVELS[name]

    def has_levels(table: dict, _) -> None:
        if not _levels(name, table):
            raise Invalid("", f"no levels for {name}", f"add [{name}.medium] with {key}, label and source")
    level = Table({"label": Field(str), key: value, "source": SOURCE})
    return Table({**settings, "source": SOURCE}, extra=level, rules=(*rules, has_levels))


def _levels(component: str, table: dict) -> list[str]:
    return [name for name in table if name not in SCHEMA.fields[component].fields]


_VARIANT = Table({"label": Field(str), **{
    c: Field(str, choices=lambda file, c=c: _levels(c, file[c]), what=f"{c} level") for c in COMPONENTS}})
SCHEMA = Table({
    "projection": Table({"seed": Field(int, min=0, max=2**63 - 1), "draws": Field(int, min=10, max=100_000),
                         "persistence": Field(float, min=0.0, max=0.95)}),
    "fertility": _component("fertility", {
        "kreis_method": Field(str, choices=("child_woman_ratio", "land_tfr")),
        "land_tfr_years": Array(Field(int, min=2015, max=2023)),
        "sex_ratio_years": Array(Field(int, min=2010, max=2024)),
        "target_year": Field(int, min=2025, max=2100),
    }),
    "life_expectancy": _component("life_expectancy", {
        "observed_tables": Table({}, extra=Field(str), rules=(_observed,)),
        "trend_table": Field(str), "trend_from": Field(int, min=2000, max=2100), "open_group_table": Field(str),
    }, rules=(_trend_from,)),
    "migration": _component("migration", {"base_steps": Array(Field(int, min=FIRST_YEAR + 1))}, rules=(_observed_steps,)),
    "variant": Table({"medium": _VARIANT}, extra=_VARIANT),
})


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate the projection assumptions (default ``data/projection.toml``)."""
    path = Path(path) if path is not None else data_dir() / CONFIG_FILE
    raw = config.load(path, SCHEMA, what="projection file")
    fertility, mortality, migration = (raw[c] for c in COMPONENTS)
    levels = {c: {name: Level(c, name, raw[c][name]["label"], float(raw[c][name][_LEVELS[c][0]]),
                              raw[c][name]["source"]) for name in _levels(c, raw[c])} for c in COMPONENTS}
    return Config(
        path=path,
        settings=Settings(
            kreis_fertility=fertility["kreis_method"],
            land_tfr_years=tuple(sorted(set(fertility["land_tfr_years"]))),
            sex_ratio_years=tuple(sorted(set(fertility["sex_ratio_years"]))),
            observed_tables=tuple(sorted((int(y), p) for y, p in mortality["observed_tables"].items())),
            open_group_table=mortality["open_group_table"],
            base_steps=tuple(sorted(set(migration["base_steps"]))),
        ),
        target_year=fertility["target_year"],
        trend_table=mortality["trend_table"],
        trend_from=mortality["trend_from"],
        seed=raw["projection"]["seed"],
        draws=raw["projection"]["draws"],
        persistence=float(raw["projection"]["persistence"]),
        sources=tuple((c, raw[c]["source"]) for c in COMPONENTS),
        variants=tuple(Variant(name, block["label"], **{c: levels[c][block[c]] for c in COMPONENTS})
                       for name, block in raw["variant"].items()),
    )


def variants(config: str | Path | Config | None = None) -> dict[str, str]:
    """Variant names and their German labels, in file order."""
    config = _config(config)
    return {v.name: v.label for v in config.variants}


def _config(config: str | Path | Config | None) -> Config:
    return config if isinstance(config, Config) else load_config(config)


# --------------------------------------------------------------------------- single years of age

def open_group_weights(period: str | None = None, tilt=0.0, directory: str | Path | None = None) -> np.ndarray:
    """Shares (sex, 26) of ages 75…99 and 100+ within "75 and over": L_75…L_99 and T_100 of a life
    table (default 2020/2022) – the age structure of a stationary population; ``tilt`` r (scalar
    or per sex) multiplies age x by e^(−r(x−75)), as in a stable population growing at r."""
    table = life_tables(directory)[period or load_config().settings.open_group_table]
    return _open_weights(table, tilt)


def _open_weights(table: LifeTable, tilt=0.0) -> np.ndarray:
    weights = np.concatenate([table.L[:, OPEN_AGE:100], table.T[:, 100:]], axis=1)
    weights = weights * np.exp(-np.reshape(tilt, (-1, 1)) * np.arange(101 - OPEN_AGE))
    return weights / weights.sum(axis=1, keepdims=True)


def single_years(groups: np.ndarray | pd.DataFrame, open_weights: np.ndarray | None = None):
    """Split the 17 official age groups into single years 0–100 (100 = 100 and over); every
    group total is kept.

    Closed groups (0–74): a monotone cubic (PCHIP) through the cumulative population at the
    group edges, differenced at whole ages – a smooth, never negative, mean-preserving split.
    The open group 75+ is split by ``open_weights`` (default :func:`open_group_weights`: the
    life table's stationary population), since its inner age structure is not observed.

    ``groups`` is an array (..., sex, 17) with sex m, w → array (..., sex, 101); or rows of
    ``population_by_age`` (any Kreise and years, all groups of both sexes) → tidy frame
    ags, year, sex, age, population. This splits each year on its own; the projection's base
    period uses :func:`cohort_single_years`, which keeps the cohorts consistent across years.
    """
    if isinstance(groups, pd.DataFrame):
        return _single_years_frame(groups, open_weights)
    groups = np.asarray(groups, dtype="float64")
    if groups.ndim < 2 or groups.shape[-2:] != (2, len(GROUP_EDGES)):
        raise InputFormatError(f"age groups must have shape (..., 2, {len(GROUP_EDGES)}), not {groups.shape}",
                               fix="put sex (m, w) on the second-to-last axis and the 17 groups on the last")
    weights = open_group_weights() if open_weights is None else np.asarray(open_weights, dtype="float64")
    edges = np.asarray(GROUP_EDGES, dtype="float64")
    closed = groups[..., :-1]
    knots = np.concatenate([np.zeros(closed.shape[:-1] + (1,)), np.cumsum(closed, axis=-1)], axis=-1)
    with np.errstate(divide="ignore", over="ignore"):  # PCHIP's harmonic mean of tiny slopes; the limit is right
        cumulative = PchipInterpolator(edges, knots, axis=-1)(np.arange(OPEN_AGE + 1.0))
    cumulative[..., list(GROUP_EDGES)] = knots  # exact at the edges, so each group sums to its total
    out = np.empty(groups.shape[:-1] + (101,))
    out[..., :OPEN_AGE] = np.diff(cumulative, axis=-1)
    out[..., OPEN_AGE:] = groups[..., -1:] * weights
    return out


def _group_array(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.MultiIndex, np.ndarray]:
    """Rows of population_by_age → (index of the key combinations, array (n, sex, 17))."""
    wide = frame.pivot_table(index=keys, columns=["sex", "age_from"], values="population", aggfunc="sum")
    columns = pd.MultiIndex.from_product([SEXES, GROUP_EDGES])
    if wide.shape[1] != len(columns) or wide.reindex(columns=columns).isna().any().any():
        raise InputFormatError("every Kreis and year needs all 17 age groups of both sexes",
                               field="age_from", fix="pass complete rows of data.load('population_by_age')")
    array = wide.reindex(columns=columns).to_numpy(dtype="float64").reshape(len(wide), 2, len(GROUP_EDGES))
    return wide.index, array


def _single_years_frame(frame: pd.DataFrame, open_weights) -> pd.DataFrame:
    keys = [k for k in ("ags", "year") if k in frame.columns]
    index, array = _group_array(frame, keys)
    single = single_years(array, open_weights)
    n = len(index)
    out = index.to_frame(index=False).loc[np.repeat(np.arange(n), 2 * 101)].reset_index(drop=True)
    out["sex"] = np.tile(np.repeat(np.array(SEXES), 101), n)
    out["age"] = np.tile(AGES, 2 * n)
    out["population"] = single.ravel()
    return out


# Relative weights of the joint split over the base period (the solution is linear in the data).
_SMOOTH_MIGRATION = 1.0   # second differences over age of each year's net migration
_SMOOTH_AGE = 0.01        # second differences over age of the population – weak, fills what the data leave open
_OLD_MIGRATION = 10.0     # net migration from _OLD_FROM on kept small: at old ages it is mostly mortality
_OLD_FROM = 60
_OPEN_PRIOR = 1.0         # the first year's 75+ close to the (tilted) life-table split
_WIDTHS = np.diff([*GROUP_EDGES, 101])


def cohort_single_years(groups: np.ndarray, survival: np.ndarray, open_weights: np.ndarray) -> np.ndarray:
    """Single years for consecutive years jointly, consistent along the cohorts.

    Splitting each year on its own (:func:`single_years`) is smooth within every group, so the
    residual P(x+1, t+1) − S_x·P(x, t) turns the interpolation error at each group edge into
    migration – nationally ±40,000 a year at single ages 40–60 and +100,000 at age 75. Here the
    single years of all years are chosen together: every group total is reproduced exactly and
    the implied yearly net migration is as smooth over age as possible, with weak smoothness of
    the population itself, small net migration from 60 on and the first year's 75+ close to
    ``open_weights``. The solution is linear in the data – one map per sex for all Kreise; the
    rare negative values (oldest ages of small Kreise) are set to zero and their group rescaled.

    ``groups`` (year, ..., sex, 17), ``survival`` (year − 1, sex, 101) of each step,
    ``open_weights`` (sex, 26) → (year, ..., sex, 101).
    """
    years = groups.shape[0]
    flat = np.moveaxis(groups, 0, -2)                        # (..., sex, year, 17)
    out = np.empty(flat.shape[:-1] + (101,))
    for sex in (MALE, FEMALE):
        data_map, prior_map = _joint_maps(survival[:, sex])
        g = flat[..., sex, :, :].reshape(-1, years * len(GROUP_EDGES))
        values = g @ data_map.T + np.outer(g[:, len(GROUP_EDGES) - 1], prior_map @ open_weights[sex])
        out[..., sex, :, :] = values.reshape(flat.shape[:-3] + (years, 101))
    out = np.moveaxis(np.maximum(out, 0.0), -2, 0)
    sums = to_groups(out)
    scale = np.divide(groups, sums, out=np.zeros_like(sums), where=sums > 0)
    return out * np.repeat(scale, _WIDTHS, axis=-1)


def _joint_maps(survival: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For one sex with ``survival`` (step, 101): the maps (year·101, year·17) from the group
    totals and (year·101, 26) from the first year's 75+ target to the single years."""
    return _joint_maps_cached(np.ascontiguousarray(survival, dtype="float64").tobytes(), len(survival) + 1)


@memo(maxsize=16)
def _joint_maps_cached(survival: bytes, years: int) -> tuple[np.ndarray, np.ndarray]:
    from scipy import sparse
    from scipy.sparse.linalg import splu

    s = np.frombuffer(survival).reshape(years - 1, 101)
    n, groups, open_ages = years * 101, len(GROUP_EDGES), 101 - OPEN_AGE
    # Net migration of year t + 1 at ages 1–100: P(t+1, x) − S_{x−1}·P(t, x−1) (− S_100·P(t, 100) at 100+);
    # age 0 would need the births.
    t, x = np.meshgrid(np.arange(years - 1), np.arange(1, 101), indexing="ij")
    row = (t * 100 + x - 1).ravel()
    rows = np.concatenate([row, row, row[x.ravel() == OLDEST]])
    cols = np.concatenate([((t + 1) * 101 + x).ravel(), (t * 101 + x - 1).ravel(), t[:, -1] * 101 + OLDEST])
    values = np.concatenate([np.ones(row.size), -s[:, :-1].ravel(), -s[:, OLDEST]])
    migration = sparse.csr_array((values, (rows, cols)), shape=((years - 1) * 100, n))

    def second_differences(size: int, blocks: int):
        d = sparse.diags_array([1.0, -2.0, 1.0], offsets=[0, 1, 2], shape=(size - 2, size))
        return sparse.kron(sparse.eye_array(blocks), d)

    rough_migration = second_differences(100, years - 1) @ migration
    rough_age = second_differences(101, years)
    old = migration[np.flatnonzero(np.tile(np.arange(1, 101) >= _OLD_FROM, years - 1))]
    prior = sparse.eye_array(open_ages, n, k=OPEN_AGE)          # the first year's 75, …, 100+
    member = np.repeat(np.arange(groups), _WIDTHS)
    totals = sparse.kron(sparse.eye_array(years), sparse.csr_array((np.ones(101), (member, np.arange(101)))))
    quadratic = (_SMOOTH_MIGRATION * rough_migration.T @ rough_migration + _SMOOTH_AGE * rough_age.T @ rough_age
                 + _OLD_MIGRATION * old.T @ old + _OPEN_PRIOR * prior.T @ prior + 1e-9 * sparse.eye_array(n))
    kkt = sparse.block_array([[quadratic, totals.T], [totals, None]], format="csc")
    rhs = np.zeros((n + years * groups, open_ages + years * groups))
    rhs[:n, :open_ages] = _OPEN_PRIOR * prior.T.toarray()
    rhs[n:, open_ages:] = np.eye(years * groups)
    solution = splu(kkt).solve(rhs)[:n]
    return solution[:, open_ages:], solution[:, :open_ages]


def open_group_tilt(groups: np.ndarray, survival: np.ndarray, weights: np.ndarray,
                    steps: Iterable[int] | None = None) -> np.ndarray:
    """Tilt r (per sex) of the first year's 75+ split, weights ∝ L_x·e^(−r(x−75)), such that the
    national net migration of 75+ implied over ``steps`` (indices, default all) is zero.

    The period life table overstates how many of today's very old are alive – mortality fell
    during their lives, and men born before 1928 lost many in the war; at 75+ international
    migration is negligible, so the national residual there measures that error.
    ``groups`` (year, Kreis, sex, 17) → array (sex,).
    """
    from scipy.optimize import brentq

    national = groups.sum(axis=1)
    years = len(national)
    chosen = list(range(years - 1)) if steps is None else list(steps)
    ages = np.arange(101 - OPEN_AGE)
    tilts = np.zeros(2)
    for sex in (MALE, FEMALE):
        data_map, prior_map = _joint_maps(survival[:, sex])
        g = national[:, sex].ravel()
        fixed, response = data_map @ g, prior_map * g[len(GROUP_EDGES) - 1]

        def residual(r, sex=sex, fixed=fixed, response=response):
            w = weights[sex] * np.exp(-r * ages)
            p = (fixed + response @ (w / w.sum())).reshape(years, 101)
            entering = (p[:-1, OPEN_AGE - 1:] * survival[:, sex, OPEN_AGE - 1:]).sum(axis=-1)
            return float((national[1:, sex, -1] - entering)[chosen].mean())

        lo, hi = -0.05, 0.25
        tilts[sex] = brentq(residual, lo, hi) if residual(lo) * residual(hi) < 0 else 0.0
    return tilts


def to_groups(single: np.ndarray) -> np.ndarray:
    """Single years (..., 101) back to the 17 official groups (..., 17)."""
    return np.add.reduceat(single, GROUP_EDGES, axis=-1)


# --------------------------------------------------------------------------- base period

@dataclass(frozen=True, eq=False)
class BasePeriod:
    """The observed years 2015…base in single years and what is estimated from them."""

    ags: np.ndarray               # (Kreis,)
    years: np.ndarray             # 2015 … base
    groups: np.ndarray            # (year, Kreis, sex, 17) observed
    single: np.ndarray            # (year, Kreis, sex, 101), see cohort_single_years
    tilt: np.ndarray              # (sex,) of the first year's 75+ split, see open_group_tilt
    fertility: np.ndarray         # (Kreis,) Kreis factor on the national fertility rates
    boys: float                   # share of boys at birth
    steps: np.ndarray             # calendar years of the residual steps (2016 … base)
    chosen: np.ndarray            # indices of the steps whose mean is held (migration.base_steps)
    residual: np.ndarray          # (step, Kreis, sex, 101) net migration by age at the end of the year
    migration: np.ndarray         # (Kreis, sex, 101) mean of the residual over the chosen base steps
    external: np.ndarray          # (sex, 101) its national sum, i.e. migration across Germany's border
    key: np.ndarray               # (Kreis,) distribution key of the external migration (population share)

    def index(self, year: int) -> int:
        return int(year - self.years[0])


def base_year(base: int | None = None) -> int:
    """``base``, or by default the latest 31.12. of population_by_age (:func:`regiopol.data.vintage`)."""
    return data.vintage().base_year if base is None else int(base)


def base_period(base: int | None = None, config: str | Path | Config | None = None) -> BasePeriod:
    """Observed age structures 2015…``base`` (default :func:`base_year`) and the estimates the
    projection starts from (cached)."""
    config = _config(config)
    latest, base = base_year(), base_year(base)
    if not FIRST_YEAR < base <= latest:
        raise ConfigError(f"base year {base} is outside the data", field="base",
                          fix=f"choose a base from {FIRST_YEAR + 1} to {latest} (population_by_age covers "
                              f"{FIRST_YEAR}–{latest})")
    return _base_period(config.settings, base, str(data_dir()), str(rates_dir()), config.path)


@memo(maxsize=8)
def _base_period(settings: Settings, base: int, data_directory: str, rates_directory: str,
                 config_path: Path) -> BasePeriod:
    table = data.load("population_by_age", data_directory)
    table = table[table["year"] <= base]
    index, array = _group_array(table, ["year", "ags"])
    years = np.arange(FIRST_YEAR, base + 1)
    ags = index.get_level_values("ags").unique().sort_values().to_numpy()
    if len(index) != len(years) * len(ags):
        raise InputFormatError("population_by_age must have every Kreis in every year",
                               file=data.table_path("population_by_age", data_directory), field="ags",
                               fix="run `regiopol data build`")
    groups = array.reshape(len(years), len(ags), 2, len(GROUP_EDGES))
    observed = dict(settings.observed_tables)
    if base not in observed:
        raise ConfigError(f"no observed life table for {base}", file=config_path,
                          field="life_expectancy.observed_tables", fix=f"map every year up to {base} to a period")
    tables = {p: _life_table(p, rates_directory, config_path, "life_expectancy.observed_tables")
              for p in observed.values()}
    open_table = _life_table(settings.open_group_table, rates_directory, config_path,
                             "life_expectancy.open_group_table")
    steps = years[1:]
    survival = [tables[observed[year]].survival() for year in steps]
    chosen = [i for i, year in enumerate(steps) if year in settings.base_steps] or list(range(len(steps)))
    tilt = open_group_tilt(groups, np.array([s for s, _ in survival]), _open_weights(open_table), chosen)
    single = cohort_single_years(groups, np.array([s for s, _ in survival]), _open_weights(open_table, tilt))
    boys = share_boys(settings.sex_ratio_years, rates_directory)
    fertility = _kreis_fertility(settings, single[-1], groups[-1], ags, base, tables[observed[base]],
                                 rates_directory)

    residual = np.empty((len(steps),) + single.shape[1:])
    for i, (year, (s, s0)) in enumerate(zip(steps, survival)):
        start, end = single[i], single[i + 1]
        residual[i] = end - _survive(start, s)
        births = _births(fertility, national_asfr(year, rates_directory), start, end)
        residual[i][..., 0] = end[..., 0] - births[:, None] * np.array([boys, 1 - boys]) * s0

    migration = residual[chosen].mean(axis=0)
    population = groups[-1].sum(axis=(1, 2))
    return BasePeriod(ags=ags, years=years, groups=groups, single=single, tilt=tilt, fertility=fertility, boys=boys,
                      steps=steps, chosen=np.array(chosen), residual=residual, migration=migration,
                      external=migration.sum(axis=0), key=population / population.sum())


def _kreis_fertility(settings: Settings, single: np.ndarray, groups: np.ndarray, ags: np.ndarray, base: int,
                     table: LifeTable, directory: str) -> np.ndarray:
    """Kreis factor φ on the national fertility rates (Kreis TFR = φ × national TFR).

    ``child_woman_ratio``: the children under 3 on 31.12.``base`` against those expected from
    the Kreis's women and the national rates of the three birth years (women aged x + j at the
    base were x in the birth year base − j, which is the Geburtsjahrmethode age; of the births
    L_j/l_0 are alive at the base), normalised so that Germany as a whole has φ = 1 – indirect
    standardisation, free of the women's age structure. ``land_tfr``: the Land TFR over the
    national TFR, means over ``land_tfr_years``.
    """
    if settings.kreis_fertility == "land_tfr":
        land = _read_rates("tfr_land", directory)
        land = land[land["year"].isin(settings.land_tfr_years)].groupby("land_ags")["tfr_children_per_woman"].mean()
        national = np.mean([_national_tfr(y, directory) for y in settings.land_tfr_years])
        codes = pd.Index([a[:2] for a in ags])
        if not codes.isin(land.index).all():
            raise InputFormatError(f"no Land TFR for Land {codes[~codes.isin(land.index)][0]}",
                                   file=Path(directory) / RATE_FILES["tfr_land"][0], field="land_ags",
                                   fix="restore the 16 Länder in fertility_tfr_bundesland.csv")
        return land.reindex(codes).to_numpy(dtype="float64") / national
    alive = (table.L / table.l[:, :1]).mean(axis=0)          # sexes of the children pooled
    women = single[:, FEMALE]
    expected = sum(women[:, 15 + j:50 + j] @ _national_asfr(base - j, directory) * alive[j] for j in range(3))
    children = groups[:, :, 0].sum(axis=1)
    return children / expected / (children.sum() / expected.sum())


def kreis_fertility(base: int | None = None, config: str | Path | Config | None = None) -> pd.Series:
    """Kreis factor on the national fertility rates (Kreis TFR = factor × national TFR), by ags."""
    period = base_period(base, config)
    return pd.Series(period.fertility, index=pd.Index(period.ags, name="ags"), name="fertility_factor")


def residual_migration(base: int | None = None, config: str | Path | Config | None = None, *,
                       rates: bool = False) -> pd.DataFrame:
    """Net migration per year by Kreis, sex and age (at the end of the year) held in the medium
    variant: mean of the residuals over the base steps. ``rates`` adds ``rate``: per inhabitant
    of that age, mean population on 31.12. of the same years."""
    period = base_period(base, config)
    k = len(period.ags)
    frame = pd.DataFrame({"ags": np.repeat(period.ags, 2 * 101), "sex": np.tile(np.repeat(np.array(SEXES), 101), k),
                          "age": np.tile(AGES, 2 * k), "migration": period.migration.ravel()})
    if rates:
        population = period.single[period.chosen + 1].mean(axis=0).ravel()
        frame["rate"] = np.divide(frame["migration"].to_numpy(), population, out=np.zeros(len(frame)),
                                  where=population > 0)
    return frame


def _survive(population: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Survivors one year on, aged x + 1 (the last, open age keeps its own survivors too);
    age 0 is left empty for the births."""
    out = np.empty_like(population)
    out[..., 0] = 0.0
    out[..., 1:] = population[..., :-1] * s[..., :-1]
    out[..., -1] += population[..., -1] * s[..., -1]
    return out


def _births(fertility: np.ndarray, asfr: np.ndarray, start: np.ndarray, end: np.ndarray,
            fertile: slice = FERTILE) -> np.ndarray:
    """Births of a calendar year per Kreis: the rate of Geburtsjahrmethode age x applied to the
    women of that birth cohort, the mean of aged x − 1 at the start and x at the end of the year."""
    exposure = 0.5 * (start[:, FEMALE, fertile.start - 1:fertile.stop - 1] + end[:, FEMALE, fertile])
    return fertility * (exposure @ asfr)


def step(start: np.ndarray, s: np.ndarray, s0: np.ndarray, migration: np.ndarray, fertility: np.ndarray,
         asfr: np.ndarray, boys: float, fertile: slice = FERTILE):
    """One calendar year of the cohort-component model on arrays (Kreis, sex, age), last age open.

    end(x + 1) = S_x·start(x) + M(x + 1), the open age also keeps S·start(open); births =
    φ·Σ_x f_x·½(W_{x−1}(start) + W_x(end)) over the ``fertile`` ages, split by the share of
    ``boys``; end(0) = births·s0 + M(0). Migration that would take a cell below zero is cut.
    Returns end, births (Kreis, sex), deaths (Kreis, sex) and the realised migration (Kreis, sex,
    age), so that end = start + births − deaths + migration per Kreis and sex.
    """
    survivors = _survive(start, s)
    end = np.maximum(survivors + migration, 0.0)
    births = _births(fertility, asfr, start, end, fertile)[:, None] * np.array([boys, 1.0 - boys])
    newborn = births * s0
    end[..., 0] = np.maximum(newborn + migration[..., 0], 0.0)
    moved = end - survivors
    moved[..., 0] = end[..., 0] - newborn
    deaths = (start * (1.0 - s)).sum(axis=-1) + births - newborn
    return end, births, deaths, moved


# --------------------------------------------------------------------------- projection

@dataclass(frozen=True, eq=False)
class Projection:
    """Projected population (Kreis, sex, age, year) and, for the cohort method, its components."""

    ags: np.ndarray
    years: np.ndarray
    population: np.ndarray                 # (Kreis, sex, age, year), 31.12.
    method: str
    variant: str
    label: str
    members: tuple[tuple[str, ...], ...]   # Kreise behind each row of ``ags``
    births: np.ndarray | None = None       # (Kreis, sex, year) during the years ``years[1:]``
    deaths: np.ndarray | None = None       # (Kreis, sex, year)
    migration: np.ndarray | None = None    # (Kreis, sex, age, year), age at the end of the year

    def frame(self) -> pd.DataFrame:
        """Tidy table ags, year, sex, age, population."""
        k, _, a, t = self.population.shape
        return pd.DataFrame({
            "ags": np.repeat(self.ags, t * 2 * a),
            "year": np.tile(np.repeat(self.years, 2 * a), k),
            "sex": np.tile(np.repeat(np.array(SEXES), a), k * t),
            "age": np.tile(AGES, k * t * 2),
            "population": np.moveaxis(self.population, -1, 1).ravel(),
        })

    def totals(self) -> pd.DataFrame:
        """Total population per Kreis and year: ags, year, population."""
        totals = self.population.sum(axis=(1, 2))
        return pd.DataFrame({"ags": np.repeat(self.ags, len(self.years)), "year": np.tile(self.years, len(self.ags)),
                             "population": totals.ravel()})

    def components(self) -> pd.DataFrame:
        """Per Kreis and projected year: population at the start, births, deaths, net migration and
        population at the end (end = start + births − deaths + migration)."""
        if self.births is None:
            raise ConfigError(f"the {self.method} method has no components of change", field="method",
                              fix="project with method='cohort'")
        totals = self.population.sum(axis=(1, 2))
        n = len(self.years) - 1
        return pd.DataFrame({
            "ags": np.repeat(self.ags, n), "year": np.tile(self.years[1:], len(self.ags)),
            "start": totals[:, :-1].ravel(), "births": self.births.sum(axis=1).ravel(),
            "deaths": self.deaths.sum(axis=1).ravel(), "migration": self.migration.sum(axis=(1, 2)).ravel(),
            "end": totals[:, 1:].ravel(),
        })

    def subset(self, kreise=None, years=None) -> Projection:
        """The rows of ``kreise`` (AGS codes) and the columns of ``years`` (None: all); components
        are dropped when years are chosen (they belong to consecutive years)."""
        rows = np.ones(len(self.ags), dtype=bool) if kreise is None else np.isin(self.ags, list(kreise))
        cols = np.ones(len(self.years), dtype=bool) if years is None else np.isin(self.years, list(years))
        chosen = {"births": None, "deaths": None, "migration": None} if years is not None else {
            name: None if getattr(self, name) is None else getattr(self, name)[rows]
            for name in ("births", "deaths", "migration")}
        return replace(self, ags=self.ags[rows], years=self.years[cols], population=self.population[rows][..., cols],
                       members=tuple(m for m, keep in zip(self.members, rows) if keep), **chosen)

    def at(self, year: int) -> np.ndarray:
        """Population (Kreis, sex, age) on 31.12. of ``year``."""
        hits = np.flatnonzero(self.years == year)
        if not len(hits):
            raise ConfigError(f"{year} is not a year of this projection", field="year",
                              fix=f"use one of {self.years[0]}–{self.years[-1]}")
        return self.population[..., hits[0]]


def project(variant: str = "medium", method: str = "cohort", base: int | None = None, end: int = END, *,
            config: str | Path | Config | None = None) -> Projection:
    """Project all Kreise from 31.12.``base`` (default :func:`base_year`) to 31.12.``end`` under a
    variant of ``data/projection.toml``.

    ``method="cohort"``: yearly cohort-component model; ``"hamilton_perry"``: cohort-change
    ratios in 5-year steps (no component assumptions, so only the variant "medium").
    """
    config = _config(config)
    chosen = config.variant(variant)
    base = base_year(base)
    if method not in METHODS:
        raise ConfigError(f"unknown method '{method}'", field="method", fix=f"use one of: {', '.join(METHODS)}")
    if end <= base:
        raise ConfigError(f"end {end} is not after base {base}", field="end", fix="choose an end year after the base")
    if method == "hamilton_perry":
        if variant != "medium":
            raise ConfigError("Hamilton–Perry has no component assumptions, so no variants", field="variant",
                              fix="use variant='medium' with method='hamilton_perry', or method='cohort'")
        if base - 5 < FIRST_YEAR or end - base < 5:
            raise ConfigError(f"Hamilton–Perry needs {base - 5} and a horizon of at least 5 years", field="base",
                              fix=f"use a base from {FIRST_YEAR + 5} and an end at least 5 years later")
    return _project(config, chosen, method, base, end)


@disk(rates=[file for file, _ in RATE_FILES.values()])
def _project(config: Config, chosen: Variant, method: str, base: int, end: int) -> Projection:
    if method == "hamilton_perry":
        return _hamilton_perry(base_period(base, config), chosen, base, end)
    return _cohort(base_period(base, config), chosen, config, base, end)


def _mortality(config: Config, level: Level, year: int) -> tuple[np.ndarray, np.ndarray]:
    directory = str(rates_dir())
    observed = dict(config.settings.observed_tables)
    if year in observed:
        return _life_table(observed[year], directory, config.path, "life_expectancy.observed_tables").survival()
    table = _life_table(config.trend_table, directory, config.path, "life_expectancy.trend_table")
    return table.survival(level.value, year - config.trend_from)


def fertility_path(years: Iterable[int], level: Level, config: Config) -> np.ndarray:
    """National rates (year, 15–49) of a fertility level: observed years as published; later years
    keep the last observed age profile, its TFR moving linearly to the level's TFR by
    ``target_year`` and constant after."""
    directory = str(rates_dir())
    observed = _asfr_table(directory)
    last = int(observed.index.max())
    shape = observed.loc[last].to_numpy(dtype="float64")
    start = shape.sum()
    rows = []
    for year in years:
        if year <= last:
            rows.append(_national_asfr(int(year), directory))
        else:
            weight = min(1.0, (year - last) / max(config.target_year - last, 1))
            rows.append(shape * (start + weight * (level.value - start)) / start)
    return np.array(rows)


def _cohort(period: BasePeriod, variant: Variant, config: Config, base: int, end: int) -> Projection:
    years = np.arange(base, end + 1)
    fertility = fertility_path(years[1:], variant.fertility, config)
    # The variant scales the external part, spread like the population; internal moves stay as observed.
    migration = period.migration + (variant.migration.value - 1.0) * period.key[:, None, None] * period.external
    population = [period.single[period.index(base)]]
    births, deaths, moved = [], [], []
    for i, year in enumerate(years[1:]):
        s, s0 = _mortality(config, variant.life_expectancy, int(year))
        outcome = step(population[-1], s, s0, migration, period.fertility, fertility[i], period.boys)
        for store, value in zip((population, births, deaths, moved), outcome):
            store.append(value)
    return Projection(
        ags=period.ags, years=years, population=np.stack(population, axis=-1), method="cohort",
        variant=variant.name, label=variant.label, members=tuple((a,) for a in period.ags),
        births=np.stack(births, axis=-1), deaths=np.stack(deaths, axis=-1), migration=np.stack(moved, axis=-1),
    )


def _hamilton_perry(period: BasePeriod, variant: Variant, base: int, end: int) -> Projection:
    """Cohort-change ratios CCR_x = P(x, base) / P(x − 5, base − 5) for x = 5…99, the open group
    100+ from 95+; children 0–4 by child-woman ratios to the women aged 15–49, per sex."""
    first, last = period.single[period.index(base - 5)], period.single[period.index(base)]
    ccr = _ratio(last[..., 5:OLDEST], first[..., :OLDEST - 5])
    ccr_open = _ratio(last[..., OLDEST], first[..., OLDEST - 5:].sum(axis=-1))
    cwr = _ratio(last[..., :5], last[:, FEMALE, FERTILE].sum(axis=-1)[:, None, None])
    steps = np.arange(base, end + 5, 5)  # the last step reaches or passes ``end``
    population = np.empty((len(steps),) + last.shape)
    population[0] = last
    for i in range(1, len(steps)):
        previous, current = population[i - 1], population[i]
        current[..., 5:OLDEST] = ccr * previous[..., :OLDEST - 5]
        current[..., OLDEST] = ccr_open * previous[..., OLDEST - 5:].sum(axis=-1)
        current[..., :5] = cwr * current[:, FEMALE, FERTILE].sum(axis=-1)[:, None, None]
    years = np.arange(base, end + 1)
    return Projection(ags=period.ags, years=years, population=np.moveaxis(_between_steps(population, steps, years), 0, -1),
                      method="hamilton_perry", variant=variant.name,
                      label=f"Hamilton–Perry (Kohortenveränderungsraten {base - 5}–{base})",
                      members=tuple((a,) for a in period.ags))


def _between_steps(population: np.ndarray, steps: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Every year from 5-year steps (axis 0): geometric interpolation between neighbouring steps
    (linear where a cell is zero), so the step years keep their values and any base year reaches
    the horizons."""
    i = np.clip(np.searchsorted(steps, years, side="right") - 1, 0, len(steps) - 2)
    share = ((years - steps[i]) / 5.0).reshape((-1,) + (1,) * (population.ndim - 1))
    lower, upper = population[i], population[i + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = lower * np.power(upper / lower, share)
    return np.where((lower > 0) & (upper > 0), geometric, lower + share * (upper - lower))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator, denominator = np.broadcast_arrays(numerator, denominator)
    return np.divide(numerator, denominator, out=np.ones(numerator.shape), where=denominator > 0)


# --------------------------------------------------------------------------- regions and groups

def _members(kreise) -> tuple[str, tuple[str, ...]]:
    """(row name, codes): the slug of a region, else the codes joined; GERMANY for Germany."""
    if kreise is None:
        return GERMANY, ()
    if isinstance(kreise, regions.Region) or (isinstance(kreise, str) and not kreise.isdigit()):
        region = regions.as_region(kreise)
        return region.slug, region.kreise
    codes = regions.kreise_of(kreise)
    return "+".join(codes), codes


def aggregate(result: Projection, kreise=None) -> Projection:
    """Sum over Kreise: a region slug or :class:`regions.Region`, AGS codes, or None for Germany
    (row GERMANY). Returns a one-row :class:`Projection` (components summed too)."""
    name, codes = _members(kreise)
    if not codes:
        mask = np.ones(len(result.ags), dtype=bool)
        codes = tuple(a for m in result.members for a in m)
    else:
        unknown = sorted(set(codes) - set(result.ags))
        if unknown:
            raise ConfigError(f"Kreis {unknown[0]} is not in the projection", field="kreise",
                              fix="use 5-digit AGS of the 400 Kreise (`regiopol kreise` lists them)")
        mask = np.isin(result.ags, codes)

    def total(array):
        return None if array is None else array[mask].sum(axis=0, keepdims=True)

    return replace(result, ags=np.array([name]), population=total(result.population), members=(codes,),
                   births=total(result.births), deaths=total(result.deaths), migration=total(result.migration))


def functional_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum single years into the groups 0–2, 3–5, 6–9, 10–15, 16–18, 19–24, 25–44, 45–64, 65–79,
    80+ (column ``age_group``, ordered); the other key columns (ags, year, sex) are kept."""
    labels = list(FUNCTIONAL_GROUPS)
    group = pd.cut(frame["age"], [*FUNCTIONAL_GROUPS.values(), np.inf], right=False, labels=labels)
    keys = [k for k in ("ags", "year", "sex") if k in frame.columns]
    out = (frame.assign(age_group=group).groupby([*keys, "age_group"], observed=False, sort=True)["population"]
           .sum().reset_index())
    return out


def life_expectancy(variant: str = "medium", year: int = END, config: str | Path | Config | None = None) -> dict:
    """Period life expectancy at birth (m, w) implied by a variant's survival ratios in ``year``:
    L_0 = L_0/l_0, L_x = L_{x-1}·S_{x-1}, and the open end T_100 = L_99·S_99 / (1 − S_99)."""
    config = _config(config)
    s, s0 = _mortality(config, config.variant(variant).life_expectancy, year)
    L = s0[:, None] * np.concatenate([np.ones((2, 1)), np.cumprod(s[:, :99], axis=1)], axis=1)  # ages 0–99
    e0 = L.sum(axis=1) + L[:, -1] * s[:, 99] / (1.0 - s[:, 99])
    return {sex: round(float(value), 2) for sex, value in zip(SEXES, e0)}


# --------------------------------------------------------------------------- assumptions for reports

def assumptions(variant: str = "medium", config: str | Path | Config | None = None) -> pd.DataFrame:
    """The assumptions of a variant: component, label (the German text of ``data/projection.toml``),
    source, basis (the data the component rests on)."""
    config = _config(config)
    chosen = config.variant(variant)
    basis = dict(config.sources)
    return pd.DataFrame([{"component": c, "label": getattr(chosen, c).label, "source": getattr(chosen, c).source,
                          "basis": basis[c]} for c in COMPONENTS])
