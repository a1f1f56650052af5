"""Module 2 – infrastructure demand: projected population by age and sex × usage rates, and
the gap against today's supply (module 1, INKAR, Regionalstatistik).

Library functions that modules 3 and 4 call. They are pure over a *population frame* – the
projection engine's output form: one row per Kreis, year, sex and single year of age with
columns ``ags`` (5-digit str), ``year`` (int), ``sex`` ("m"/"w"), ``age`` (int 0..100, 100 =
100 and older) and ``population``. :func:`observed_population` builds such a frame from the
official age groups (2015–2020) – the observed baseline.

Every rate is written down, with source and verification level, in ``data/demand_rates.toml``
(:func:`rates`); the assumption files it refers to are read from the shared rates directory
(:func:`rates_dir`), never copied into the repository. Rates are status quo: today's observed
use held constant.

The model is linear: for each item, demand(Kreis, year) = Kreis factor × Σ population(Kreis,
year, sex, age) × profile(sex, age). Profiles are national; Kreis factors carry official Kreis
data where it exists (childcare quotas, GP density, care calibration, inpatient share, Land
class sizes). Everything is one matrix product over all Kreise and years.

>>> from regiopol.methods import demand, projection
>>> population = demand.observed_population(2020)
>>> need = demand.demand(population, ["u3_places", "care_recipients"])   # ags, year, item, demand
>>> supply = demand.supply_today()                                        # ags, item, supply, year, source
>>> list(demand.gap(projection.project(), "trier").columns)
['item', 'year', 'demand', 'supply', 'gap', 'gap_pct']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from regiopol import data, regions
from regiopol.core import config
from regiopol.core.cache import memo
from regiopol.core.config import IDENTIFIER, SOURCE, VERIFICATION_FIELD, Array, Either, Field, Invalid, Table, optional
from regiopol.core.constants import OLDEST_AGE as MAX_AGE
from regiopol.core.constants import SEXES
from regiopol.core.errors import CheckError, ConfigError, InputFormatError, MissingInputError
from regiopol.core.paths import data_dir, rates_dir
from regiopol.methods import centrality, projection

__all__ = ["RATES_FILE", "CELLS", "POPULATION_COLUMNS", "CALIBRATED", "OPEN_GROUP_QUOTAS", "LIFE_TABLE",
           "SCHEMA", "observed_population", "rates", "demand", "supply_today", "gap"]

RATES_FILE = "demand_rates.toml"
CELLS = pd.MultiIndex.from_product([SEXES, range(MAX_AGE + 1)], names=["sex", "age"])
POPULATION_COLUMNS = ("ags", "year", "sex", "age", "population")
CALIBRATED = "calibrated"

# Disaggregation of the open age group "75 Jahre und mehr" in observed_population():
OPEN_GROUP_QUOTAS = ("care_pflegequoten.csv", 2021)   # band populations implied by the exact GBE table
LIFE_TABLE = ("life_table_destatis_12621-0001.csv", "2016/2018")  # shape within the last band (90+)
_RATE_SEX = {"male": "m", "female": "w"}

_TEXT = Field(str)
_YEAR = Field(int)
_SCALE = Field(float, above=0, required=False, fix="write scale = 0.01 for a percentage")
_INKAR_REF = Table({"indicator": _TEXT, "year": _YEAR, "scale": _SCALE}, when="indicator")
_FILE_REF = Table({"file": _TEXT, "where": Table({}, extra=Either((_TEXT, Field(float))), required=False),
                   "column": _TEXT, "scale": _SCALE})
_LAND_REF = optional(Table({**_FILE_REF.fields, "key": Field(str, fix='write key = "land_ags" (the Land code)')}))
_AGES = Array(Field(int, min=0, max=MAX_AGE), length=2,
              fix=f"write ages = [6, 9] (inclusive; {MAX_AGE} = {MAX_AGE} and older)")


def _amount(number: Field, *, calibrated: bool = False) -> Either:
    """A number, a reference into a rate file or INKAR, or (where allowed) "calibrated"."""
    options = (number, _INKAR_REF, _FILE_REF) + ((Field(str, choices=(CALIBRATED,)),) if calibrated else ())
    return Either(options, fix='write a number or a reference { file = "…", where = { … }, column = "…" }'
                               + (' or "calibrated"' if calibrated else ""))


_AMOUNT = _amount(Field(float, min=0))
_POSITIVE = _amount(Field(float, above=0))
_RATE = optional(_amount(Field(float, min=0), calibrated=True))


def _quota(item: dict, _) -> None:
    if ("rate" in item) == ("per_inhabitants" in item):
        raise Invalid("rate", "give either 'rate' or 'per_inhabitants'", "write rate = 0.3 or per_inhabitants = 1609")
    if ("partial_ages" in item) != ("partial_rate" in item):
        raise Invalid("partial_rate" if "partial_ages" in item else "partial_ages",
                      "partial_ages and partial_rate go together", "give both or neither")
    if ("kreis_rate" in item or "land_rate" in item) and (item.get("rate") == CALIBRATED or "partial_ages" in item):
        raise Invalid("kreis_rate", "a Kreis or Land rate cannot be combined with a calibrated rate or a partial "
                      "age range", "drop kreis_rate/land_rate or write a number as rate")
    if item.get("rate") == CALIBRATED and item.get("partial_rate") == CALIBRATED:
        raise Invalid("partial_rate", "only one number per item can be calibrated", "write a number for rate")
    for name in ("ages", "partial_ages"):
        if name in item and item[name][0] > item[name][1]:
            raise Invalid(name, f"{name} {item[name]} must be [from, to] with from ≤ to", _AGES.fix)
    if "partial_ages" in item and _overlap(item["ages"], item["partial_ages"]):
        raise Invalid("partial_ages", "partial_ages overlaps ages", "give two separate age ranges")


def _calibration_target(item: dict, _) -> None:
    calibrated = [n for n in ("rate", "partial_rate", "factor") if item.get(n) == CALIBRATED]
    if calibrated and item["supply"]["kind"] == "observed_use":
        raise Invalid(calibrated[0], "a calibrated rate needs a supply other than observed_use",
                      "calibrate against a measured supply or write a number")


def _references(file: dict, _) -> None:
    keys = [item["key"] for item in file["item"]]
    for item in file["item"]:
        for name, other in (("of", item.get("of")), ("supply.minus", item["supply"].get("minus"))):
            if other is not None and other not in keys:
                raise Invalid(f"{item['key']}.{name}", f"unknown item '{other}'", f"use one of: {', '.join(keys)}")
            if other == item["key"]:
                raise Invalid(f"{item['key']}.{name}", "an item cannot refer to itself", "name another item")


_RULES = {
    "quota": Table({"ages": _AGES, "sex": Field(str, required=False, choices=("all", *SEXES)),
                    "rate": _RATE, "per_inhabitants": optional(_POSITIVE),
                    "kreis_rate": optional(_INKAR_REF), "land_rate": _LAND_REF, "partial_ages": optional(_AGES),
                    "partial_rate": _RATE}, rules=(_quota,)),
    "care_quotas": Table({"quotas": Table({"file": _TEXT, "year": _YEAR, "region": _TEXT}),
                          "calibrate": Table({"table": _TEXT, "column": _TEXT, "year": _YEAR}),
                          "by_sex": Field(bool, required=False)}),
    "hospital_profile": Table({
        "profile": Table({"file": _TEXT, "region": _TEXT, "year": _YEAR, "population_year": _YEAR}),
        "national_cases": _AMOUNT, "national_beds": _AMOUNT, "beds_per_100000": _AMOUNT}),
    "of_item": Table({"of": _TEXT, "factor": _RATE, "divisor": optional(_POSITIVE), "land_divisor": _LAND_REF,
                      "kreis_share": Table({"table": _TEXT, "column": _TEXT, "of": _TEXT, "year": _YEAR},
                                           required=False)}),
    "beds": Table({"of": _TEXT, "alos_days": _POSITIVE,
                   "occupancy": _amount(Field(float, above=0, max=1, fix="write occupancy = 0.69 (69 %)"))}),
}
_SUPPLY = {
    "observed_use": Table({}),
    "inkar": Table({"indicator": _TEXT, "year": _YEAR, "per": Field(float, above=0), "minus": optional(_TEXT)}),
    "module1": Table({"measure": Field(str, choices=centrality.MEASURES, what="module-1 measure")}),
    "care_recipients": Table({"column": _TEXT, "year": _YEAR}),
    "hospitals": Table({"column": _TEXT, "year": _YEAR, "scale": Field(str, required=False, choices=("national",))}),
}
SCHEMA = Table({"item": Array(Table({
    "key": IDENTIFIER,
    "label": _TEXT,
    "unit": _TEXT,
    "rule": Field(str, choices=_RULES),
    "supply": Table({"kind": Field(str, choices=_SUPPLY)}, cases=("kind", _SUPPLY)),
    "supply_note": _TEXT,
    "source": SOURCE,
    "verification": VERIFICATION_FIELD,
    "default": Field(bool, required=False, default=True),
    "note": Field(str, required=False),
}, cases=("rule", _RULES), rules=(_calibration_target,)), key="key")}, rules=(_references,))

_CARE_TABLE = "care_recipients"
_CARE_TOTAL_SEX = "insgesamt"


# --------------------------------------------------------------------------- rate files

@memo(maxsize=64)
def _read_rate_file(path: str) -> pd.DataFrame:
    file = Path(path)
    if not file.is_file():
        raise MissingInputError("rate file does not exist", file=file,
                                fix="restore it in the shared rates directory or set REGIOPOL_RATES_DIR")
    try:
        table = pd.read_csv(file, comment="#", dtype=str, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputFormatError(f"rate file cannot be read as UTF-8 CSV ({err})", file=file,
                               fix="restore the file from the shared rates directory") from None
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _rate_file(name: str, columns: Iterable[str], directory: Path) -> pd.DataFrame:
    """A rate CSV with the columns needed; a missing column is an InputFormatError naming the file."""
    path = directory / name
    table = _read_rate_file(str(path))
    columns = list(columns)
    for column in columns:
        if column not in table.columns:
            raise InputFormatError(f"column '{column}' is missing", file=path, field=column,
                                   fix=f"the file needs the columns {', '.join(columns)} – restore it "
                                       "from the shared rates directory")
    return table


def _number(text, path: Path, field: str) -> float:
    try:
        value = float(str(text).replace(",", ""))
    except ValueError:
        raise InputFormatError(f"'{text}' is not a number", file=path, field=field,
                               fix="restore the file from the shared rates directory") from None
    if not math.isfinite(value):
        raise InputFormatError(f"'{text}' is not a number", file=path, field=field,
                               fix="restore the file from the shared rates directory")
    return value


# --------------------------------------------------------------------------- configuration

def _config(path: Path) -> list[dict]:
    """Read and validate demand_rates.toml: a list of item blocks (file order)."""
    items = config.load(path, SCHEMA, what="demand rate file")["item"]
    _order(items, path)  # no cycles
    return items


def _overlap(a: list[int], b: list[int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _order(items: list[dict], path: Path) -> list[str]:
    """Item keys in an order where every item comes after the items it uses."""
    depends = {i["key"]: [d for d in (i.get("of"), i["supply"].get("minus")) if d] for i in items}
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(key: str) -> None:
        if key in ordered:
            return
        if key in visiting:
            raise ConfigError("items refer to each other in a circle", file=path, field=f"{key}.of",
                              fix="let derived items refer to base items only")
        visiting.add(key)
        for other in depends[key]:
            visit(other)
        visiting.discard(key)
        ordered.append(key)

    for item in items:
        visit(item["key"])
    return ordered


# --------------------------------------------------------------------------- population frames

def observed_population(year: int | None = None, kreise: Iterable[str] | None = None) -> pd.DataFrame:
    """Observed population (31.12. of ``year``, default the base year of :func:`regiopol.data.vintage`)
    as a population frame: ags, year, sex, age 0..100, population (float).

    A stop-gap adapter for tests and the observed baseline: each official age group of
    ``population_by_age`` (17 groups by sex) is spread uniformly over its single years. The open
    group "75 Jahre und mehr" cannot be spread uniformly (that would put 42 % of it at 90+):
    it is split by sex into 75–84, 85–89 and 90+ in the national proportions of 2021 implied by
    the exact GBE care table (persons / quota), uniformly within 75–84 and 85–89 and by the
    life-table person-years Lx (Destatis 12621-0001, 2016/2018) over 90..100. Every Kreis gets
    the national split. The projection engine (:mod:`regiopol.methods.projection`) disaggregates its
    own base population; its output replaces this frame wherever a projection exists.
    """
    year = data.vintage().base_year if year is None else year
    return _observed(year, None if kreise is None else tuple(kreise), str(rates_dir()))


def _observed(year: int, kreise: tuple[str, ...] | None, directory: str) -> pd.DataFrame:
    table = data.load("population_by_age")
    years = sorted(table["year"].unique())
    if year not in years:
        raise ConfigError(f"no observed population for {year}", field="year",
                          fix=f"use one of: {', '.join(map(str, years))}")
    table = table[table["year"] == year]
    if kreise is not None:
        kreise = list(kreise)
        missing = sorted(set(kreise) - set(table["ags"]))
        if missing:
            raise ConfigError(f"Kreis {missing[0]} is not in population_by_age", field="kreise",
                              fix="use 5-digit Kreis codes of the official directory (`regiopol kreise`)")
        table = table[table["ags"].isin(kreise)]
    return _spread(table, directory)


def _spread(table: pd.DataFrame, directory: str) -> pd.DataFrame:
    groups = (table[["age_from", "age_to"]].drop_duplicates()
              .sort_values("age_from").reset_index(drop=True))
    weights = {sex: _group_weights(groups, sex, directory) for sex in SEXES}
    frames = []
    for sex in SEXES:
        part = table[table["sex"] == sex]
        wide = part.pivot_table(index=["ags", "year"], columns="age_from", values="population",
                                aggfunc="sum", sort=True).reindex(columns=groups["age_from"]).fillna(0.0)
        single = wide.to_numpy(dtype="float64") @ weights[sex]
        frame = pd.DataFrame(single, index=wide.index, columns=range(MAX_AGE + 1))
        frame.columns.name = "age"
        long = frame.stack().rename("population").reset_index()
        long.insert(2, "sex", sex)
        frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    out["age"] = out["age"].astype("int64")
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["ags", "year", "sex", "age"], kind="stable").reset_index(drop=True)[
        list(POPULATION_COLUMNS)]


def _group_weights(groups: pd.DataFrame, sex: str, directory: str) -> np.ndarray:
    """(groups × 101) matrix: the share of each age group falling on each single year."""
    matrix = np.zeros((len(groups), MAX_AGE + 1))
    for row, (start, stop) in enumerate(zip(groups["age_from"], groups["age_to"])):
        if pd.isna(stop):
            matrix[row, start:] = _open_group_shape(int(start), sex, directory)
        else:
            matrix[row, start:int(stop)] = 1.0 / (int(stop) - start)
    return matrix


@memo(maxsize=8)
def _open_group_shape(start: int, sex: str, directory: str) -> np.ndarray:
    """Shares of single ages start..100 within the open age group, summing to 1."""
    bands = _care_bands(Path(directory), OPEN_GROUP_QUOTAS[1], "DE")
    bands = bands[(bands["sex"] == sex) & (bands["age_from"] >= start)]
    if bands.empty or bands["age_from"].min() != start or bands["age_to"].max() != MAX_AGE:
        raise CheckError(f"the care quota bands do not cover the open age group {start}+",
                         file=Path(directory) / OPEN_GROUP_QUOTAS[0],
                         fix="the GBE table needs bands from 75 to 90 and over for both sexes")
    implied = bands["persons"] / (bands["quota"])
    shares = implied / implied.sum()
    path = Path(directory) / LIFE_TABLE[0]
    life = _rate_file(LIFE_TABLE[0], ["period", "sex", "age", "Lx_person_years"], Path(directory))
    life = life[(life["period"] == LIFE_TABLE[1]) & (life["sex"].map(_RATE_SEX) == sex)]
    lx = pd.Series([_number(v, path, "Lx_person_years") for v in life["Lx_person_years"]],
                   index=[int(_number(a, path, "age")) for a in life["age"]])
    shape = np.zeros(MAX_AGE + 1 - start)
    for (_, band), share in zip(bands.iterrows(), shares):
        ages = np.arange(band["age_from"], band["age_to"] + 1)
        if band["age_to"] == MAX_AGE:
            weights = lx.reindex(ages)
            if weights.isna().any():
                raise InputFormatError(f"life table {LIFE_TABLE[1]} lacks ages {ages[0]}..{ages[-1]}", file=path,
                                       field="age", fix="restore the life table from the shared rates directory")
            weights = weights.to_numpy() / weights.sum()
        else:
            weights = np.full(len(ages), 1.0 / len(ages))
        shape[ages - start] = share * weights
    return shape


def _check_population(population: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(population, pd.DataFrame):
        raise InputFormatError("population must be a DataFrame", field="population",
                               fix=f"pass a frame with columns {', '.join(POPULATION_COLUMNS)}")
    for column in POPULATION_COLUMNS:
        if column not in population.columns:
            raise InputFormatError(f"population frame lacks column '{column}'", field=column,
                                   fix=f"pass columns {', '.join(POPULATION_COLUMNS)} (the projection engine's output)")
    frame = population[list(POPULATION_COLUMNS)]
    bad_sex = ~frame["sex"].isin(SEXES)
    if bad_sex.any():
        raise InputFormatError(f"sex '{frame['sex'][bad_sex].iloc[0]}' is not \"m\" or \"w\"", field="sex",
                               fix='code sex as "m" and "w"')
    age = pd.to_numeric(frame["age"], errors="coerce")
    if age.isna().any() or (age % 1 != 0).any() or (age < 0).any() or (age > MAX_AGE).any():
        raise InputFormatError(f"age must be whole years 0..{MAX_AGE}", field="age",
                               fix=f"use single years of age, {MAX_AGE} for {MAX_AGE} and older")
    values = pd.to_numeric(frame["population"], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise InputFormatError("population must be a number ≥ 0 in every row", field="population",
                               fix="fill missing cells with 0")
    year = pd.to_numeric(frame["year"], errors="coerce")
    if year.isna().any() or (year % 1 != 0).any():
        raise InputFormatError("year must be a whole number in every row", field="year", fix="use calendar years")
    frame = pd.DataFrame({"ags": frame["ags"].astype("str"), "year": year.astype("int64"),
                          "sex": frame["sex"].astype("str"), "age": age.astype("int64"),
                          "population": values.astype("float64")})
    duplicated = frame.duplicated(["ags", "year", "sex", "age"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise InputFormatError(f"population has two rows for {first['ags']}, {first['year']}, {first['sex']}, "
                               f"age {first['age']}", field="population", fix="one row per Kreis, year, sex and age")
    return frame


def _matrix(population: pd.DataFrame) -> tuple[pd.MultiIndex, np.ndarray]:
    """(ags, year) rows × CELLS columns of a checked population frame."""
    grouped = population.groupby(["ags", "year"], sort=True)
    rows = grouped.ngroup().to_numpy()
    index = grouped.size().index
    cells = (population["sex"] == SEXES[1]).to_numpy().astype(int) * (MAX_AGE + 1) + population["age"].to_numpy()
    matrix = np.zeros((len(index), len(CELLS)))
    np.add.at(matrix, (rows, cells), population["population"].to_numpy())
    return index, matrix


# --------------------------------------------------------------------------- the model

@dataclass
class _Item:
    key: str
    spec: dict
    profile: np.ndarray                       # per-person rate per cell (CELLS order)
    kreis: Callable[[pd.Index], np.ndarray]   # Kreis factor per ags
    rate: float = math.nan                    # one national per-person rate, where there is one
    resolved: dict = field(default_factory=dict)  # numbers looked up / calibrated, for rates()


def _ones(ags: pd.Index) -> np.ndarray:
    return np.ones(len(ags))


@dataclass
class _Model:
    path: Path
    directory: Path
    items: dict[str, _Item]           # in file order
    order: list[str]                  # dependency order
    base_index: pd.MultiIndex = None  # (ags, year) of the national base population
    base: np.ndarray = None           # its matrix (all Kreise, the base year)
    kreise: pd.Index = None

    def demand(self, index: pd.MultiIndex, matrix: np.ndarray, keys: list[str]) -> np.ndarray:
        ags = index.get_level_values("ags")
        unique, codes = np.unique(np.asarray(ags, dtype=str), return_inverse=True)
        unique = pd.Index(unique)
        out = np.empty((len(index), len(keys)))
        for j, key in enumerate(keys):
            item = self.items[key]
            out[:, j] = (matrix @ item.profile) * item.kreis(unique)[codes]
        return out

    def base_demand(self, key: str) -> pd.Series:
        """Demand per Kreis in the base year with the observed population."""
        values = self.demand(self.base_index, self.base, [key])[:, 0]
        return pd.Series(values, index=self.base_index.get_level_values("ags"))


def _cells(ages: list[int], sex: str = "all") -> np.ndarray:
    age = CELLS.get_level_values("age").to_numpy()
    sexes = CELLS.get_level_values("sex").to_numpy()
    mask = (age >= ages[0]) & (age <= ages[1])
    if sex != "all":
        mask &= sexes == sex
    return mask.astype("float64")


@memo(maxsize=8)
def _model_cached(path: str, directory: str) -> _Model:
    return _build(Path(path), Path(directory))


def _model(rates_file: str | Path | None = None) -> _Model:
    path = Path(rates_file) if rates_file is not None else data_dir() / RATES_FILE
    return _model_cached(str(path), str(rates_dir()))


def _build(path: Path, directory: Path) -> _Model:
    specs = _config(path)
    model = _Model(path=path, directory=directory, items={}, order=_order(specs, path))
    population = _observed(data.vintage().base_year, None, str(directory))
    model.base_index, model.base = _matrix(population)
    model.kreise = pd.Index(data.load("kreise")["ags"], name="ags")
    by_key = {s["key"]: s for s in specs}
    for key in model.order:
        model.items[key] = _resolve(by_key[key], model)
    model.items = {s["key"]: model.items[s["key"]] for s in specs}
    return model


def _resolve(spec: dict, model: _Model) -> _Item:
    rule = spec["rule"]
    item = {"quota": _quota, "care_quotas": _care, "hospital_profile": _hospital,
            "of_item": _of_item, "beds": _beds}[rule](spec, model)
    if not np.isfinite(item.profile).all() or (item.profile < 0).any():
        raise CheckError(f"rates of '{spec['key']}' are not finite numbers ≥ 0", file=model.path,
                         field=f"{spec['key']}.rule", fix="check the rate files it refers to")
    return item


def _reference(ref, name: str, spec: dict, model: _Model):
    """A number or a reference resolved to a float (scalar) or a Series (land: index Land code;
    INKAR Kreis reference: index ags)."""
    if isinstance(ref, (int, float)):
        return float(ref)
    scale = float(ref.get("scale", 1))
    field_name = f"{spec['key']}.{name}"
    if "indicator" in ref:
        kreise = data.load("inkar")
        values = kreise[(kreise["indicator"] == ref["indicator"]) & (kreise["year"] == ref["year"])]
        germany = data.load("inkar_germany")
        germany = germany[(germany["indicator"] == ref["indicator"]) & (germany["year"] == ref["year"])]
        if values.empty or germany.empty:
            raise ConfigError(f"INKAR indicator {ref['indicator']} has no values for {ref['year']}", file=model.path,
                              field=field_name, fix="use an indicator and year embedded in data/inkar.parquet "
                                                    "(data/indicators.toml, then `regiopol data build`)")
        if name == "kreis_rate":
            return values.set_index("ags")["value"].astype("float64") * scale
        return float(germany["value"].iloc[0]) * scale
    where = {str(k): str(v) for k, v in ref.get("where", {}).items()}
    columns = list(where) + [ref["column"]] + ([ref["key"]] if "key" in ref else [])
    table = _rate_file(ref["file"], list(dict.fromkeys(columns)), model.directory)
    file = model.directory / ref["file"]
    rows = table
    for column, value in where.items():
        rows = rows[rows[column].astype(str).str.strip() == value]
    if "key" in ref:
        if rows.empty or rows[ref["key"]].duplicated().any():
            raise ConfigError(f"the reference selects {'no rows' if rows.empty else 'a Land twice'} in {ref['file']}",
                              file=model.path, field=field_name, fix="make where select one row per Land")
        return pd.Series([_number(v, file, ref["column"]) * scale for v in rows[ref["column"]]],
                         index=rows[ref["key"]].str.strip().to_numpy(), dtype="float64")
    if len(rows) != 1:
        raise ConfigError(f"the reference selects {len(rows)} rows of {ref['file']}, not one", file=model.path,
                          field=field_name, fix="make where select exactly one row")
    return _number(rows[ref["column"]].iloc[0], file, ref["column"]) * scale


def _fallback(kreis: pd.Series | None, land: pd.Series | None, national: float) -> Callable[[pd.Index], np.ndarray]:
    """Kreis value where it exists, else the Land's (first two digits of the AGS), else Germany's."""
    def lookup(ags: pd.Index) -> np.ndarray:
        values = pd.Series(np.nan, index=ags, dtype="float64")
        if kreis is not None:
            values = kreis.reindex(ags).astype("float64")
        if land is not None:
            values = values.fillna(pd.Series(land.reindex(ags.str[:2]).to_numpy(), index=ags))
        return values.fillna(national).to_numpy()
    return lookup


def _national_supply(spec: dict, model: _Model) -> float:
    supply, _, _ = _supply(spec, model)
    return float(supply.sum())


def _solve(spec: dict, model: _Model, fixed: np.ndarray, free: np.ndarray,
           kreis: Callable[[pd.Index], np.ndarray] = _ones, name: str = "rate") -> float:
    """x such that Germany's base-year demand with profile fixed + x × free equals its supply."""
    ags = pd.Index(model.base_index.get_level_values("ags"))
    factor = kreis(ags)
    known = float(((model.base @ fixed) * factor).sum())
    unit = float(((model.base @ free) * factor).sum())
    target = _national_supply(spec, model)
    value = (target - known) / unit if unit > 0 else math.nan
    if not math.isfinite(value) or value < 0:
        raise CheckError(f"cannot calibrate {spec['key']}.{name}: Germany's supply {target:,.0f} is below the "
                         f"demand already fixed ({known:,.0f})", file=model.path, field=f"{spec['key']}.{name}",
                         fix="check the supply and the fixed rates of the item")
    return value


def _quota(spec: dict, model: _Model) -> _Item:
    mask = _cells(spec["ages"], spec.get("sex", "all"))
    resolved: dict = {}
    if "per_inhabitants" in spec:
        per = _reference(spec["per_inhabitants"], "per_inhabitants", spec, model)
        if per <= 0:
            raise ConfigError("per_inhabitants must be greater than 0", file=model.path,
                              field=f"{spec['key']}.per_inhabitants", fix="check the referenced value")
        rate = 1.0 / per
        resolved["per_inhabitants"] = per
    elif spec["rate"] == CALIBRATED:
        rate = _solve(spec, model, np.zeros(len(CELLS)), mask)
        resolved["rate (calibrated)"] = rate
    else:
        rate = _reference(spec["rate"], "rate", spec, model)
        resolved["rate"] = rate
    if rate < 0:
        raise ConfigError(f"negative rate {rate}", file=model.path, field=f"{spec['key']}.rate",
                          fix="check the referenced value")
    if "kreis_rate" in spec or "land_rate" in spec:
        kreis = _reference(spec["kreis_rate"], "kreis_rate", spec, model) if "kreis_rate" in spec else None
        land = _reference(spec["land_rate"], "land_rate", spec, model) if "land_rate" in spec else None
        for name, values in (("kreis_rate", kreis), ("land_rate", land)):
            if values is not None and (values < 0).any():
                raise ConfigError(f"negative rate in {name}", file=model.path, field=f"{spec['key']}.{name}",
                                  fix="check the referenced values")
        if kreis is not None:
            resolved["kreis_rate"] = f"{kreis.reindex(model.kreise).notna().sum()} of {len(model.kreise)} Kreise"
        if land is not None:
            resolved["land_rate"] = ", ".join(f"{k} {v:.4g}" for k, v in land.items())
        return _Item(spec["key"], spec, mask, _fallback(kreis, land, rate), rate, resolved)
    profile = mask * rate
    if "partial_ages" in spec:
        partial = _cells(spec["partial_ages"], spec.get("sex", "all"))
        if spec["partial_rate"] == CALIBRATED:
            share = _solve(spec, model, profile, partial, name="partial_rate")
            resolved["partial_rate (calibrated)"] = share
        else:
            share = _reference(spec["partial_rate"], "partial_rate", spec, model)
            resolved["partial_rate"] = share
        profile = profile + partial * share
        rate = math.nan  # two rates: no single one
    return _Item(spec["key"], spec, profile, _ones, rate, resolved)


_BAND = (
    (re.compile(r"^under (\d+)$"), lambda m: (0, int(m[1]) - 1)),
    (re.compile(r"^(\d+) to under (\d+)$"), lambda m: (int(m[1]), int(m[2]) - 1)),
    (re.compile(r"^(\d+) and over$"), lambda m: (int(m[1]), MAX_AGE)),
)


def _care_bands(directory: Path, year: int, region: str, file: str = OPEN_GROUP_QUOTAS[0]) -> pd.DataFrame:
    """The exact care quota table of ``year``: sex (m, w, total), age_from, age_to, persons, quota
    (share), bands tiling 0..100 for each sex."""
    columns = ["year", "region", "age_group", "sex", "persons_in_need_of_care", "pflegequote_pct"]
    table = _rate_file(file, columns, directory)
    path = directory / file
    rows = table[(table["year"].str.strip() == str(year)) & (table["region"].str.strip() == region)
                 & (table["age_group"].str.strip() != "all ages")]
    out = []
    for _, row in rows.iterrows():
        for pattern, bounds in _BAND:
            match = pattern.match(row["age_group"].strip())
            if match:
                start, stop = bounds(match)
                break
        else:
            raise InputFormatError(f"age group '{row['age_group']}' of {year} is not understood", file=path,
                                   field="age_group", fix="write 'under 75', '75 to under 85' or '90 and over'")
        sex = {"male": "m", "female": "w", "total": "total"}.get(row["sex"].strip())
        if sex is None:
            raise InputFormatError(f"sex '{row['sex']}' is not male, female or total", file=path, field="sex",
                                   fix="restore the file from the shared rates directory")
        out.append({"sex": sex, "age_from": start, "age_to": stop,
                    "persons": _number(row["persons_in_need_of_care"], path, "persons_in_need_of_care"),
                    "quota": _number(row["pflegequote_pct"], path, "pflegequote_pct") / 100})
    bands = pd.DataFrame(out, columns=["sex", "age_from", "age_to", "persons", "quota"])
    for sex in ("m", "w", "total"):
        part = bands[bands["sex"] == sex].sort_values("age_from")
        ages = np.concatenate([np.arange(a, b + 1) for a, b in zip(part["age_from"], part["age_to"])]) \
            if len(part) else np.array([])
        if len(ages) != MAX_AGE + 1 or (np.sort(ages) != np.arange(MAX_AGE + 1)).any():
            raise InputFormatError(f"the {year} care quotas for sex '{sex}' do not cover ages 0..{MAX_AGE} once",
                                   file=path, field="age_group", fix="restore the exact GBE table in the file")
    return bands.sort_values(["sex", "age_from"]).reset_index(drop=True)


@memo(maxsize=8)
def _kreis_population(year: int, directory: str) -> tuple[pd.MultiIndex, np.ndarray]:
    return _matrix(_observed(year, None, directory))


def _care(spec: dict, model: _Model) -> _Item:
    quotas, calibrate = spec["quotas"], spec["calibrate"]
    bands = _care_bands(model.directory, quotas["year"], quotas["region"], quotas["file"])
    by_sex = spec.get("by_sex", True)
    profile = np.zeros(len(CELLS))
    for sex in SEXES:
        part = bands[bands["sex"] == (sex if by_sex else "total")]
        for _, band in part.iterrows():
            profile += _cells([int(band["age_from"]), int(band["age_to"])], sex) * band["quota"]
    observed = _observed_care(calibrate["table"], calibrate["column"], calibrate["year"], spec, model)
    index, matrix = _kreis_population(calibrate["year"], str(model.directory))
    expected = pd.Series(matrix @ profile, index=index.get_level_values("ags"))
    factors = (observed / expected.reindex(observed.index)).dropna()
    national = float(observed.sum() / expected.reindex(observed.index).sum())
    resolved = {"quotas": "; ".join(f"{s} {a}–{b}: {q:.1%}" for s, a, b, q in
                                    bands[["sex", "age_from", "age_to", "quota"]].itertuples(index=False)
                                    if s in (SEXES if by_sex else ("total",))),
                "Kreis factor": f"observed {calibrate['column']} {calibrate['year']} / expected; Germany {national:.3f}, "
                                f"range {factors.min():.2f}–{factors.max():.2f}"}
    return _Item(spec["key"], spec, profile, _fallback(factors, None, 1.0), math.nan, resolved)


def _observed_care(table: str, column: str, year: int, spec: dict, model: _Model, sex: str = _CARE_TOTAL_SEX):
    if table != _CARE_TABLE:
        raise ConfigError(f"unknown table '{table}'", file=model.path, field=f"{spec['key']}.calibrate",
                          fix=f'use table = "{_CARE_TABLE}"')
    care = data.load(_CARE_TABLE)
    if column not in care.columns or not column.startswith("care_"):
        raise ConfigError(f"unknown column '{column}' of {table}", file=model.path, field=f"{spec['key']}.calibrate",
                          fix="use care_total, care_inpatient, care_ambulatory or care_allowance")
    rows = care[(care["year"] == year) & (care["sex"] == sex)]
    if rows.empty:
        raise ConfigError(f"{table} has no year {year}", file=model.path, field=f"{spec['key']}.calibrate",
                          fix=f"use one of: {', '.join(map(str, sorted(care['year'].unique())))}")
    return rows.set_index("ags")[column].astype("float64")


def _hospital(spec: dict, model: _Model) -> _Item:
    ref = spec["profile"]
    columns = ["year", "region", "age_group", "measure", "value"]
    table = _rate_file(ref["file"], columns, model.directory)
    path = model.directory / ref["file"]
    rows = table[(table["year"].str.strip() == str(ref["year"])) & (table["region"].str.strip() == ref["region"])
                 & (table["measure"].str.strip() == "cases_per_100000_inhabitants")]
    total, anchors, lowest = math.nan, [], None
    for group, text in zip(rows["age_group"].str.strip(), rows["value"]):
        value = _number(text, path, "value")
        closed, open_ = re.fullmatch(r"(\d+)-(\d+)", group), re.fullmatch(r"(\d+)\+", group)
        if group == "all ages":
            total = value
        elif closed:
            start, stop = int(closed[1]), int(closed[2])
            anchors.append(((start + stop) / 2, value))
            lowest = start if lowest is None else min(lowest, start)
        elif open_:
            anchors.append((int(open_[1]), value))
            lowest = int(open_[1]) if lowest is None else min(lowest, int(open_[1]))
        # other groups (e.g. "90+ male") are not used
    if len(anchors) < 2 or not math.isfinite(total):
        raise InputFormatError(f"{ref['region']} {ref['year']} needs 'all ages' and at least two age groups of "
                               "cases_per_100000_inhabitants", file=path, field="age_group",
                               fix="restore the file from the shared rates directory")
    anchors.sort()
    ages = np.arange(MAX_AGE + 1)
    xs, ys = np.array([a for a, _ in anchors]), np.log([v for _, v in anchors])
    shape = np.exp(np.interp(ages, xs, ys))        # flat beyond the first and last anchor
    below = ages < lowest
    # the flat level below the lowest group reproduces the all-ages rate with the Land's population
    pop_year = ref["population_year"]
    index, matrix = _kreis_population(pop_year, str(model.directory))
    land = np.asarray(index.get_level_values("ags").str[:2] == _land_code(ref["region"], spec, model))
    by_age = matrix[land].sum(axis=0).reshape(len(SEXES), MAX_AGE + 1).sum(axis=0)
    level = (total * by_age.sum() - (by_age[~below] * shape[~below]).sum()) / by_age[below].sum()
    if not level > 0:
        raise CheckError(f"the {ref['region']} profile leaves no positive rate below age {lowest}", file=path,
                         field="value", fix="check the age-specific rates against the all-ages rate")
    shape[below] = level
    cases = _reference(spec["national_cases"], "national_cases", spec, model)
    beds = _reference(spec["national_beds"], "national_beds", spec, model)
    beds_rate = _reference(spec["beds_per_100000"], "beds_per_100000", spec, model)
    per_inhabitant = cases / (beds / (beds_rate / 100_000))
    national = model.base.sum(axis=0).reshape(len(SEXES), MAX_AGE + 1).sum(axis=0)
    scale = per_inhabitant / ((national * shape).sum() / national.sum())
    profile = np.tile(shape * scale, len(SEXES))
    resolved = {"profile per 100,000": f"{ref['region']} {ref['year']}: under {lowest} {level:,.0f} (solved), "
                + ", ".join(f"{x:g}: {v:,.0f}" for x, v in anchors) + f"; all ages {total:,.0f}",
                "cases per inhabitant (Germany 2022)": per_inhabitant,
                "profile × (Germany's level)": scale * 100_000}
    return _Item(spec["key"], spec, profile, _ones, math.nan, resolved)


_LAND_CODES = {"BW": "08", "BY": "09", "BE": "11", "BB": "12", "HB": "04", "HH": "02", "HE": "06", "MV": "13",
               "NI": "03", "NW": "05", "RP": "07", "SL": "10", "SN": "14", "ST": "15", "SH": "01", "TH": "16"}


def _land_code(region: str, spec: dict, model: _Model) -> str:
    if region in _LAND_CODES.values():
        return region
    if region not in _LAND_CODES:
        raise ConfigError(f"unknown Land '{region}'", file=model.path, field=f"{spec['key']}.profile",
                          fix=f"use a Land abbreviation: {', '.join(_LAND_CODES)}")
    return _LAND_CODES[region]


def _of_item(spec: dict, model: _Model) -> _Item:
    base = model.items[spec["of"]]
    resolved: dict = {}
    kreis_parts = [base.kreis]
    if "kreis_share" in spec:
        share = spec["kreis_share"]
        part = _observed_care(share["table"], share["column"], share["year"], spec, model)
        whole = _observed_care(share["table"], share["of"], share["year"], spec, model)
        ratio = (part / whole).replace([np.inf, -np.inf], np.nan).dropna()
        both = part.notna() & whole.notna()
        national = float(part[both].sum() / whole[both].sum())
        kreis_parts.append(_fallback(ratio, None, national))
        resolved["kreis_share"] = (f"{share['column']} / {share['of']} {share['year']}: Germany {national:.3f}, "
                                   f"range {ratio.min():.2f}–{ratio.max():.2f}")
    divisor = 1.0
    if "land_divisor" in spec:
        national_divisor = _reference(spec.get("divisor", 1.0), "divisor", spec, model)
        land = _reference(spec["land_divisor"], "land_divisor", spec, model)
        if (land <= 0).any() or national_divisor <= 0:
            raise ConfigError("divisors must be greater than 0", file=model.path, field=f"{spec['key']}.land_divisor",
                              fix="check the referenced values")
        lookup = _fallback(None, land.drop(index="DE", errors="ignore"), national_divisor)
        kreis_parts.append(lambda ags, lookup=lookup: 1.0 / lookup(ags))
        resolved["divisor"] = national_divisor
        resolved["land_divisor"] = ", ".join(f"{k} {v:g}" for k, v in land.items())
    elif "divisor" in spec:
        divisor = _reference(spec["divisor"], "divisor", spec, model)
        if divisor <= 0:
            raise ConfigError("divisor must be greater than 0", file=model.path, field=f"{spec['key']}.divisor",
                              fix="check the referenced value")
        resolved["divisor"] = divisor

    def kreis(ags: pd.Index) -> np.ndarray:
        out = np.ones(len(ags))
        for part in kreis_parts:
            out = out * part(ags)
        return out

    factor = spec.get("factor", 1.0)
    if factor == CALIBRATED:
        factor = _solve(spec, model, np.zeros(len(CELLS)), base.profile / divisor, kreis, name="factor")
        resolved["factor (calibrated)"] = factor
    else:
        factor = _reference(factor, "factor", spec, model)
        if "factor" in spec:
            resolved["factor"] = factor
    shown = resolved.get("divisor", divisor)  # with Land divisors: Germany's for the national rate
    rate = base.rate * factor / shown if math.isfinite(base.rate) else math.nan
    return _Item(spec["key"], spec, base.profile * factor / divisor, kreis, rate, resolved)


def _beds(spec: dict, model: _Model) -> _Item:
    base = model.items[spec["of"]]
    alos = _reference(spec["alos_days"], "alos_days", spec, model)
    occupancy = _reference(spec["occupancy"], "occupancy", spec, model)
    if not 0 < occupancy <= 1 or alos <= 0:
        raise ConfigError(f"occupancy {occupancy} / ALOS {alos} out of range", file=model.path,
                          field=f"{spec['key']}.occupancy", fix="occupancy is a share 0–1 (scale = 0.01 for %)")
    factor = alos / 365 / occupancy
    resolved = {"alos_days": alos, "occupancy": occupancy, "beds per annual case": factor}
    rate = base.rate * factor if math.isfinite(base.rate) else math.nan
    return _Item(spec["key"], spec, base.profile * factor, base.kreis, rate, resolved)


# --------------------------------------------------------------------------- supply

def _population_series(year: int, spec: dict, model: _Model) -> pd.Series:
    series = data.load("population_series")
    years = series["year"]
    series = series[years == year]
    if series.empty:
        raise ConfigError(f"no population for {year}", file=model.path, field=f"{spec['key']}.supply.year",
                          fix=f"use a year of population_series ({years.min()}–{years.max()})")
    return series.set_index("ags")["population"].astype("float64")


def _supply(spec: dict, model: _Model) -> tuple[pd.Series, int, str]:
    """Today's supply of one item for all Kreise, its year and a source line."""
    supply, key = spec["supply"], spec["key"]
    kreise = model.kreise
    kind = supply["kind"]
    if kind == "observed_use":
        values = model.base_demand(key)
        year = data.vintage().base_year
        source = f"observed use {year}: base-year demand with the observed population"
    elif kind == "inkar":
        inkar = data.load("inkar")
        rows = inkar[(inkar["indicator"] == supply["indicator"]) & (inkar["year"] == supply["year"])]
        if rows.empty:
            raise ConfigError(f"INKAR indicator {supply['indicator']} has no Kreis values for {supply['year']}",
                              file=model.path, field=f"{key}.supply",
                              fix="use an indicator and year embedded in data/inkar.parquet")
        rate = rows.set_index("ags")["value"].astype("float64")
        values = rate * _population_series(supply["year"], spec, model) / supply["per"]
        year = supply["year"]
        source = (f"BBSR INKAR 2024 {supply['indicator']} {year} × population {year} / {supply['per']:g}")
        if "minus" in supply:
            other = model.items[supply["minus"]]
            minus, _, _ = _supply(other.spec, model)
            values = values.reindex(kreise) - minus.reindex(kreise)
            source += f" − supply of {supply['minus']}"
    elif kind == "module1":
        table = centrality.supply()
        values = table[supply["measure"]]
        year = int(table.attrs["years"][supply["measure"]])
        source = f"module 1 (regiopol.methods.centrality.supply): {supply['measure']} {year}"
    elif kind == "care_recipients":
        values = _observed_care(_CARE_TABLE, supply["column"], supply["year"], spec, model)
        year = supply["year"]
        source = f"Regionalstatistik 22411-02-03-4: {supply['column']} {year}"
    else:  # hospitals
        hospitals = data.load("hospitals")
        rows = hospitals[hospitals["year"] == supply["year"]]
        if rows.empty or supply["column"] not in hospitals.columns:
            raise ConfigError(f"no hospital {supply['column']} for {supply['year']}", file=model.path,
                              field=f"{key}.supply", fix="use a column and year of the hospitals table "
                                                           f"({hospitals['year'].min()}–{hospitals['year'].max()})")
        values = rows.groupby("ags")[supply["column"]].sum().astype("float64").reindex(kreise).fillna(0.0)
        year = supply["year"]
        source = f"G-BA quality reports: {supply['column']} at the Kreis' hospital sites {year}"
        if supply.get("scale") == "national":
            target = float(model.base_demand(key).sum())
            values = values * (target / float(values.sum()))
            source += f", rescaled to Germany's base-year demand ({target:,.0f})"
    values = values.reindex(kreise).astype("float64")
    return values, year, source


# --------------------------------------------------------------------------- public API

def rates(path: str | Path | None = None) -> pd.DataFrame:
    """The demand items of ``data/demand_rates.toml`` (or ``path``), validated and resolved:
    one row per item (file order) with item, label, unit, rule, ages, sex, rate (one national
    rate per person where the item has one, else NaN), resolved (the numbers looked up in the
    rate files or calibrated), supply (kind), supply_note, source, verification, default, note.

    An invalid file raises ConfigError naming the field (``item.field``); a rate file without a
    needed column raises InputFormatError naming the file.
    """
    model = _model(path)
    rows = []
    for key, item in model.items.items():
        spec = item.spec
        ages = spec.get("ages")
        if "partial_ages" in spec:
            ages = [ages[0], spec["partial_ages"][1]] if spec["partial_ages"][0] > ages[1] else ages
        rows.append({
            "item": key, "label": spec["label"], "unit": spec["unit"], "rule": spec["rule"],
            "ages": f"{ages[0]}–{ages[1]}" if ages else "", "sex": spec.get("sex", "all"),
            "rate": item.rate,
            "resolved": "; ".join(f"{k}: {_fmt(v)}" for k, v in item.resolved.items()),
            "supply": spec["supply"]["kind"], "supply_note": spec["supply_note"], "source": spec["source"],
            "verification": spec["verification"], "default": spec.get("default", True),
            "note": spec.get("note", ""),
        })
    return pd.DataFrame(rows)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _keys(model: _Model, items) -> list[str]:
    if items is None:
        return [k for k, i in model.items.items() if i.spec.get("default", True)]
    keys = [items] if isinstance(items, str) else list(items)
    for key in keys:
        if key not in model.items:
            raise ConfigError(f"unknown demand item '{key}'", file=model.path, field="items",
                              fix=f"use one of: {', '.join(model.items)}")
    return list(dict.fromkeys(keys))


def demand(population: pd.DataFrame, items=None, *, rates_file: str | Path | None = None) -> pd.DataFrame:
    """Demand per Kreis, year and item for a population frame (ags, year, sex, age, population).

    ``items``: keys of ``data/demand_rates.toml`` (default: every item without default = false).
    Returns ags, year, item, demand (float, in the item's unit) sorted by ags, year and file
    order of the items. Kreise without official Kreis data (e.g. a toy code) get the Land's or
    Germany's rate, and the care factor 1.
    """
    model = _model(rates_file)
    keys = _keys(model, items)
    index, matrix = _matrix(_check_population(population))
    values = model.demand(index, matrix, keys)
    out = pd.DataFrame({
        "ags": np.repeat(np.asarray(index.get_level_values("ags"), dtype=object), len(keys)),
        "year": np.repeat(index.get_level_values("year").to_numpy(dtype="int64"), len(keys)),
        "item": np.tile(np.array(keys, dtype=object), len(index)),
        "demand": values.reshape(-1),
    })
    out["ags"] = out["ags"].astype("str")
    out["item"] = out["item"].astype("str")
    return out


def supply_today(items=None, *, rates_file: str | Path | None = None) -> pd.DataFrame:
    """Today's supply per Kreis (all 400) and item, converted to the item's demand unit:
    ags, item, supply, year (of the supply data), source.

    Where no capacity data exist per Kreis (childcare places, school places) the supply is
    approximated by observed use – the base-year demand with the observed base-year population
    (``kind = "observed_use"``), so the base-year gap is 0 and later gaps are the demographic
    change. See each item's ``supply_note`` in :func:`rates`.
    """
    model = _model(rates_file)
    frames = []
    for key in _keys(model, items):
        values, year, source = _supply(model.items[key].spec, model)
        frames.append(pd.DataFrame({"ags": values.index.astype("str"), "item": key, "supply": values.to_numpy(),
                                    "year": year, "source": source}))
    out = pd.concat(frames, ignore_index=True)
    out["item"] = out["item"].astype("str")
    out["source"] = out["source"].astype("str")
    out["year"] = out["year"].astype("int64")
    return out


def gap(population: projection.Projection | pd.DataFrame, kreise, years: Iterable[int] = (2030, 2035, 2045),
        items=None, *, rates_file: str | Path | None = None) -> pd.DataFrame:
    """Demand against today's supply for a set of Kreise (a region: a :class:`Region`, its
    slug or a list of AGS), summed over the Kreise: item, year, demand, supply, gap = demand −
    supply (positive: shortfall), gap_pct = 100 × gap / supply.

    ``population`` is a :class:`~regiopol.methods.projection.Projection` (only the region's Kreise
    and the years asked for are taken from it) or its tidy frame. The base year
    (:func:`regiopol.data.vintage`) is always the first row per item. It and ``years`` are taken
    from the population (a projection, whose base year is the observed population) and must
    be there for every Kreis: base and future years then rest on the same single-year
    disaggregation, so the change shows demography, not a change of method. Supply is today's
    (:func:`supply_today`), held constant.
    """
    model = _model(rates_file)
    keys = _keys(model, items)
    codes = list(regions.kreise_of(kreise))
    unknown = [c for c in codes if c not in model.kreise]
    if unknown:
        raise ConfigError(f"Kreis {unknown[0]} is not in the official directory", field="kreise",
                          fix="use 5-digit Kreis codes (`regiopol kreise`)")
    base = data.vintage().base_year
    wanted = [base, *sorted({int(y) for y in years} - {base})]
    if isinstance(population, projection.Projection):
        population = population.subset(codes, wanted).frame()
    frame = _check_population(population)
    frame = frame[frame["ags"].isin(codes) & frame["year"].isin(wanted)]
    have = set(zip(frame["ags"], frame["year"]))
    for year in wanted:
        for code in codes:
            if (code, year) not in have:
                raise ConfigError(f"the population frame has no {year} for Kreis {code}", field="years",
                                  fix=f"pass a projection from {base} with the years asked for, "
                                      "for every Kreis of the region")
    totals = demand(frame, keys, rates_file=rates_file).groupby(["item", "year"], sort=False)["demand"].sum()
    supply = supply_today(keys, rates_file=rates_file)
    supply = supply[supply["ags"].isin(codes)].groupby("item")["supply"].sum(min_count=1)
    out = pd.DataFrame([(key, year) for key in keys for year in wanted], columns=["item", "year"])
    out["demand"] = totals.reindex(pd.MultiIndex.from_frame(out[["item", "year"]])).to_numpy()
    out["supply"] = out["item"].map(supply).astype("float64")
    out["gap"] = out["demand"] - out["supply"]
    out["gap_pct"] = 100 * out["gap"] / out["supply"].where(out["supply"] != 0)
    out["item"] = out["item"].astype("str")
    out["year"] = out["year"].astype("int64")
    return out
