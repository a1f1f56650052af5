"""Harmonise additive Kreis figures to the current 400 Kreise (boundaries from 01.07.2021).

Figures of year *y* lie on the Kreis boundaries of 31.12.*y*. The BBSR conversion keys
(:func:`regiopol.data.readers.bbsr.read_bbsr_keys`) carry them to the Kreise of 31.12.2020,
splitting an old Kreis in proportion to its population, area or employees; the one
reform after 2020, :data:`KREIS_REFORMS_AFTER_2020`, then carries them to today's Kreise.
"""

from __future__ import annotations

import pandas as pd

from regiopol.core.errors import InputFormatError
from regiopol.data.readers.bbsr import TARGET_YEAR
from regiopol.data.readers.demandregio import BOUNDARY_YEAR

__all__ = ["KREIS_REFORMS_AFTER_2020", "WEIGHTS", "KEY_TOLERANCE", "JUMP_THRESHOLD",
           "BBSR_POPULATION_ERRATA", "BBSR_SHEET_OF_1989", "BBSR_PRE_CENSUS_YEARS", "DEMANDREGIO_TOLERANCE",
           "SOURCES", "DOCUMENTED_JUMPS", "to_current_kreise", "harmonised_population", "population_jumps"]

KREIS_REFORMS_AFTER_2020 = {
    # Eisenach, kreisfreie Stadt (16056) → Wartburgkreis (16063), in force 01.07.2021.
    # Legal source: Thüringer Neugliederungsgesetz for the voluntary merger of the city of
    # Eisenach with the Wartburgkreis, passed by the Thüringer Landtag in autumn 2019
    # (Gesetz- und Verordnungsblatt für den Freistaat Thüringen). Official record:
    # Destatis GV100AD, Gebietsstand 30.11.2021 – Eisenach is Gemeinde 16063105, 400 Kreise.
    "16056": "16063",
}
WEIGHTS = {"population": "key_population", "area": "key_area", "employment": "key_employment"}
KEY_TOLERANCE = 1e-6
JUMP_THRESHOLD = 0.15

# Errata of the BBSR workbook, found by the jump check on the harmonised series:
# (sheet year, old Kreis) → factor for its population_old.
BBSR_POPULATION_ERRATA = {
    (1991, "11000"): 0.1,  # Berlin 1991: 34,460.3 thousand, decimal shifted (1990: 3,409.7; 1992: 3,465.7)
}
# The sheet "1990-2020" states the population of 31.12.1989, not of 31.12.1990: its total,
# 79,113.6 thousand, is Germany's 31.12.1989 figure (31.12.1990: 79,753,227) and every
# Land matches its 1989 total. 1990 is therefore estimated as the mean of 1989 and 1991.
BBSR_SHEET_OF_1989 = 1990
# Sheets whose population precedes the Zensus 2011 revision (2011: 81.8 M, Destatis 80.3 M).
BBSR_PRE_CENSUS_YEARS = (2011,)
# DemandRegio is used where it agrees with the BBSR-harmonised figure within this relative
# tolerance (rounding of the BBSR figures to 100 persons stays below 0.2 %). Where it does
# not, DemandRegio is not on the boundaries of 2016 and the BBSR figure is taken (159 of
# 7,200 values): Sachsen 1997–1998/1999 (Gemeindegebietsreform 1999; +30 % in 14729
# Landkreis Leipzig, −11 % in 14713 Leipzig), Sachsen-Anhalt 1997–2006 (DemandRegio's
# estimates for the reform of 2007; −12 % in 15001 Dessau-Roßlau) and 15003/15083 to 2000,
# 07135/07140 and 07231/07235 1997–2010 (1–2 %), 16054 Suhl 1997–2008 (0.5–0.9 %), and
# 16063/16066 in 1997 (Eisenach still inside the Wartburgkreis).
DEMANDREGIO_TOLERANCE = 0.005
SOURCES = {
    "kreis_population": "Destatis 12411-0018",
    "kreis_population_split": "Destatis 12411-0018, Gebietsänderung mit BBSR-Bevölkerungsschlüssel umgerechnet",
    "demandregio": "DemandRegio (Datenbasis Destatis)",
    "demandregio_split": "DemandRegio (Datenbasis Destatis), Gebietsänderung mit BBSR-Bevölkerungsschlüssel umgerechnet",
    "demandregio_estimate": "DemandRegio, Schätzung für reformgeteilte Kreise (Datenbasis Destatis)",
    "bbsr": "BBSR-Umsteigeschlüssel: Bevölkerung in 1000 × Bevölkerungsschlüssel",
    "bbsr_not_demandregio": "BBSR-Umsteigeschlüssel: Bevölkerung in 1000 × Bevölkerungsschlüssel "
                            "(DemandRegio nicht auf Gebietsstand 2016)",
    "bbsr_1990": "Schätzung: Mittel aus BBSR 31.12.1989 (Blatt 1990) und 31.12.1991",
}
# Year-on-year changes above JUMP_THRESHOLD that remain after harmonisation, with the reason.
# None remain on the official files; the largest real changes are the Zensus 2011 revision
# (down to −7 %, e.g. 08222 Mannheim, 09663 Würzburg) and 2015 (+5.9 % 07211 Trier, +5.1 %
# 13004 Schwerin: initial reception of refugees).
DOCUMENTED_JUMPS: dict[tuple[str, int], str] = {}


def to_current_kreise(
    df: pd.DataFrame, keys: pd.DataFrame, *, value_cols: list[str], weight: str = "population",
    boundary_year: int | None = None, mark_estimates: bool = False,
) -> pd.DataFrame:
    """Map additive figures per Kreis onto the current 400 Kreise.

    ``df`` has columns ``ags`` (5-digit), ``year`` and ``value_cols``; any other column
    is a dimension kept as grouping key (e.g. sex, age group). Rows of year *y* are on the
    boundaries of 31.12.*y* – or of ``boundary_year`` for data already harmonised to one
    Gebietsstand – and are split with the BBSR key of sheet "*y*-2020" (``weight``:
    population, area or employment); from 2020 the codes are taken as they are. A Kreis
    dissolved in the course of year *y* (data of 30.06.) is split with the key of *y* − 1.
    Then :data:`KREIS_REFORMS_AFTER_2020` applies. A sum over parts is NaN if any part is NaN.
    ``mark_estimates`` adds a column ``estimated``: True where a value contains a key-based
    share of a split Kreis rather than whole official figures.

    Raises :class:`InputFormatError` for a code not in the key of its year, a year
    without key, or keys of an old Kreis that do not sum to 1.
    """
    if weight not in WEIGHTS:
        raise InputFormatError(f"unknown weight '{weight}'", field="weight", fix=f"use one of {', '.join(WEIGHTS)}")
    key = WEIGHTS[weight]
    where = _name(df)
    missing = [c for c in ["ags", "year", *value_cols] if c not in df.columns]
    if missing:
        raise InputFormatError(f"column '{missing[0]}' missing", file=where, field=missing[0],
                               fix="pass a table with columns ags, year and the value columns")
    dims = [c for c in df.columns if c not in ("ags", "year", *value_cols)]
    data = df.assign(boundary=df["year"] if boundary_year is None else boundary_year)
    mapping = _mapping(keys, key, data[["boundary", "ags"]].drop_duplicates(), where)
    mapped = data.merge(mapping, on=["boundary", "ags"], how="left")
    unknown = mapped["ags_2020"].isna()
    if unknown.any():
        row = mapped[unknown].iloc[0]
        raise InputFormatError(
            f"Kreis code {row['ags']} does not exist on the boundaries of 31.12.{row['boundary']} "
            f"(year {row['year']})", file=where, field="ags",
            fix="check the code and that the figures are on the boundaries of their year "
                "(else pass boundary_year=…)")
    mapped[value_cols] = mapped[value_cols].astype(float).mul(mapped["share"], axis=0)
    mapped["ags"] = mapped["ags_2020"].replace(KREIS_REFORMS_AFTER_2020)
    groups = [mapped[c] for c in ["ags", "year", *dims]]
    sums = mapped[value_cols].groupby(groups, sort=True, dropna=False).sum()
    sums = sums.mask(mapped[value_cols].isna().groupby(groups, sort=True, dropna=False).any())
    if mark_estimates:
        sums["estimated"] = (mapped["share"] < 1 - KEY_TOLERANCE).groupby(groups, sort=True, dropna=False).any()
        value_cols = [*value_cols, "estimated"]
    result = sums.reset_index()[["ags", "year", *dims, *value_cols]].astype({"ags": object})
    result.attrs = dict(df.attrs)
    return result


def harmonised_population(
    keys: pd.DataFrame, demandregio: pd.DataFrame, kreis_population: pd.DataFrame
) -> pd.DataFrame:
    """Total population per current Kreis and year (31.12.), 1990 to the last year of
    ``kreis_population``: columns ags, year, population (Int64), source.

    - from the first year of ``kreis_population`` (Destatis 12411-0018, ags/year/population
      on each year's boundaries, 2015 to the latest year of the release): those figures;
    - 1997 up to that year: DemandRegio (:func:`~regiopol.data.readers.demandregio.read_demandregio_population`,
      boundaries of 2016), where it agrees with the BBSR figure (:data:`DEMANDREGIO_TOLERANCE`);
    - otherwise and 1991–1996: the BBSR workbook's population (in 1000, rounded to 100
      persons) × population key, with :data:`BBSR_POPULATION_ERRATA` applied;
    - 1990: the mean of 31.12.1989 (:data:`BBSR_SHEET_OF_1989`) and 31.12.1991.
    """
    first_destatis = int(kreis_population["year"].min())
    recent = to_current_kreise(kreis_population[["ags", "year", "population"]], keys, value_cols=["population"],
                               mark_estimates=True)
    recent["source"] = recent.pop("estimated").map(
        {False: SOURCES["kreis_population"], True: SOURCES["kreis_population_split"]})

    bbsr = _bbsr_population(keys[keys["year"] < first_destatis])
    dr = demandregio[demandregio["year"] < first_destatis]
    harmonised = to_current_kreise(dr[["ags", "year", "population"]], keys, value_cols=["population"],
                                   boundary_year=BOUNDARY_YEAR, mark_estimates=True)
    flagged = dr[dr["estimated"]] if "estimated" in dr else dr.iloc[:0]
    estimated = pd.MultiIndex.from_arrays([flagged["ags"].replace(KREIS_REFORMS_AFTER_2020), flagged["year"]])
    harmonised["source"] = harmonised.pop("estimated").map(
        {False: SOURCES["demandregio"], True: SOURCES["demandregio_split"]})
    harmonised.loc[pd.MultiIndex.from_frame(harmonised[["ags", "year"]]).isin(estimated), "source"] = \
        SOURCES["demandregio_estimate"]
    both = bbsr.merge(harmonised, on=["ags", "year"], how="left", suffixes=("_bbsr", ""))
    agrees = (both["population"] / both["population_bbsr"] - 1).abs() <= DEMANDREGIO_TOLERANCE
    use_dr = both["population"].notna() & (agrees | both["year"].isin(BBSR_PRE_CENSUS_YEARS))
    replaced = both["population"].notna() & ~use_dr
    both["population"] = both["population"].where(use_dr, both["population_bbsr"])
    both["source"] = both["source"].where(use_dr, both["source_bbsr"])
    both.loc[replaced, "source"] = SOURCES["bbsr_not_demandregio"]

    series = pd.concat([both[["ags", "year", "population", "source"]], recent], ignore_index=True)
    series["population"] = series["population"].round().astype("Int64")
    series = series.sort_values(["ags", "year"], ignore_index=True)
    series.attrs = {}
    return series


def population_jumps(series: pd.DataFrame, threshold: float = JUMP_THRESHOLD) -> pd.DataFrame:
    """Year-on-year changes of ``population`` above ``threshold`` (relative) per Kreis:
    ags, year, previous, population, change, documented (reason or ``None``)."""
    data = series.sort_values(["ags", "year"])
    previous = data.groupby("ags")["population"].shift()
    change = data["population"] / previous - 1
    jumps = data.assign(previous=previous, change=change)[change.abs() > threshold]
    jumps = jumps[["ags", "year", "previous", "population", "change"]].reset_index(drop=True)
    jumps["documented"] = [DOCUMENTED_JUMPS.get((a, int(y))) for a, y in zip(jumps["ags"], jumps["year"])]
    return jumps


def _mapping(keys: pd.DataFrame, key: str, needed: pd.DataFrame, where) -> pd.DataFrame:
    """(boundary, ags) → (ags_2020, share) for the (boundary, ags) pairs in ``needed``.

    A code missing from the key of its year but present in the key of the year before is
    a Kreis dissolved in the course of the year, in data of an earlier reference date
    (employees on 30.06.2016 still in Göttingen 03152, merged on 01.11.2016): it is mapped
    with the key of the year before.
    """
    frames = []
    for year, codes in needed.groupby("boundary")["ags"]:
        frame = _sheet_mapping(keys, key, year, where)
        dissolved = set(codes) - set(frame["ags"])
        if dissolved and (keys["year"] == year - 1).any():
            previous = _sheet_mapping(keys, key, year - 1, where)
            frames.append(previous[previous["ags"].isin(dissolved)].assign(year=year))
        frames.append(frame)
    if not frames:  # empty input: nothing to map
        return pd.DataFrame({"boundary": pd.Series(dtype="int64"), "ags": pd.Series(dtype=object),
                             "ags_2020": pd.Series(dtype=object), "share": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True).rename(columns={"year": "boundary"})


def _sheet_mapping(keys: pd.DataFrame, key: str, year: int, where) -> pd.DataFrame:
    """The key of one year as year, ags, ags_2020, share (identity from TARGET_YEAR on)."""
    if year >= TARGET_YEAR:
        current = pd.Index(keys["ags_2020"].unique())
        return pd.DataFrame({"year": year, "ags": current, "ags_2020": current, "share": 1.0})
    sheet = keys[keys["year"] == year]
    if sheet.empty:
        raise InputFormatError(f"no BBSR key for year {year}", file=where, field="year",
                               fix=f"use the BBSR workbook with the sheet '{year}-{TARGET_YEAR}'")
    if sheet[key].isna().any():
        raise InputFormatError(f"the BBSR key for year {year} has no {key}", file=where, field=key,
                               fix="use another weight (employment keys start in 1997)")
    sums = sheet.groupby("ags_old")[key].sum()
    off = sums[(sums - 1).abs() > KEY_TOLERANCE]
    if len(off):
        raise InputFormatError(
            f"the {key} of Kreis {off.index[0]} in year {year} sums to {off.iloc[0]:.6f}, not 1",
            file=_name(keys), field=key, fix="correct the conversion key: the shares of an old Kreis sum to 1")
    return pd.DataFrame({"year": year, "ags": sheet["ags_old"], "ags_2020": sheet["ags_2020"], "share": sheet[key]})


def _bbsr_population(keys: pd.DataFrame) -> pd.DataFrame:
    """The BBSR population of each sheet (errata applied) on the current Kreise, with 1990
    estimated from 1989 and 1991; columns ags, year, population, source."""
    old = keys.drop_duplicates(["year", "ags_old"])
    factor = [BBSR_POPULATION_ERRATA.get(k, 1.0) for k in zip(old["year"], old["ags_old"])]
    table = to_current_kreise(
        pd.DataFrame({"ags": old["ags_old"], "year": old["year"], "population": old["population_old"] * factor}),
        keys, value_cols=["population"])
    table["source"] = SOURCES["bbsr"]
    is_1990 = table["year"] == BBSR_SHEET_OF_1989
    following = table[table["year"] == BBSR_SHEET_OF_1989 + 1].set_index("ags")["population"]
    table.loc[is_1990, "population"] = (
        table.loc[is_1990, "population"].to_numpy() + following.reindex(table.loc[is_1990, "ags"]).to_numpy()) / 2
    table.loc[is_1990, "source"] = SOURCES["bbsr_1990"]
    return table


def _name(df: pd.DataFrame) -> str | None:
    source = df.attrs.get("source")
    return getattr(source, "file", None)
