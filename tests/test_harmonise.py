"""Harmonisation of Kreis figures to the current 400 Kreise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regiopol.core.errors import InputFormatError
from regiopol.data.harmonise import (
    DOCUMENTED_JUMPS,
    KREIS_REFORMS_AFTER_2020,
    SOURCES,
    harmonised_population,
    population_jumps,
    to_current_kreise,
)
from regiopol.data.readers import genesis
from regiopol.data.readers.bbsr import read_bbsr_keys
from regiopol.data.readers.demandregio import read_demandregio_population


def toy_keys() -> pd.DataFrame:
    """2010: old 01001 is split 60/40 (population) into 01001 and 01002; old 01003 and
    01004 merge into 01003; Eisenach 16056 and the Wartburgkreis 16063 stay as they are.
    2009 also has 01005, merged into 01003 during 2010."""
    rows = [  # ags_old, ags_2020, key_area, key_population
        ("01001", "01001", 0.5, 0.6), ("01001", "01002", 0.5, 0.4), ("01002", "01002", 1, 1),
        ("01003", "01003", 1, 1), ("01004", "01003", 1, 1), ("16056", "16056", 1, 1), ("16063", "16063", 1, 1),
    ]
    keys = pd.DataFrame(rows, columns=["ags_old", "ags_2020", "key_area", "key_population"])
    key_2009 = pd.concat([keys, pd.DataFrame([("01005", "01003", 1, 1)], columns=keys.columns)])
    return pd.concat([keys.assign(year=2010), key_2009.assign(year=2009)], ignore_index=True).assign(
        key_employment=np.nan)


def test_split_and_merger_by_hand():
    df = pd.DataFrame({"ags": ["01001", "01002", "01003", "01004"], "year": 2010,
                       "persons": [100.0, 50.0, 30.0, 20.0]})
    result = to_current_kreise(df, toy_keys(), value_cols=["persons"])
    assert result.set_index("ags")["persons"].to_dict() == {"01001": 60.0, "01002": 40.0 + 50.0, "01003": 50.0}
    by_area = to_current_kreise(df, toy_keys(), value_cols=["persons"], weight="area")
    assert by_area.set_index("ags")["persons"].to_dict() == {"01001": 50.0, "01002": 100.0, "01003": 50.0}


def test_dimensions_kept_and_missing_part_gives_nan():
    df = pd.DataFrame({"ags": ["01003", "01004", "01003", "01004"], "year": 2010, "sex": ["m", "m", "w", "w"],
                       "persons": [1.0, 2.0, 3.0, np.nan]})
    result = to_current_kreise(df, toy_keys(), value_cols=["persons"]).set_index(["ags", "sex"])["persons"]
    assert result[("01003", "m")] == 3.0 and np.isnan(result[("01003", "w")])


def test_eisenach_merged_into_wartburgkreis():
    assert KREIS_REFORMS_AFTER_2020 == {"16056": "16063"}
    df = pd.DataFrame({"ags": ["16056", "16063", "16056", "16063"], "year": [2010, 2010, 2020, 2020],
                       "persons": [40.0, 120.0, 41.0, 118.0]})
    result = to_current_kreise(df, toy_keys(), value_cols=["persons"]).set_index(["ags", "year"])["persons"]
    assert result.to_dict() == {("16063", 2010): 160.0, ("16063", 2020): 159.0}


def test_boundary_year_uses_that_key():
    df = pd.DataFrame({"ags": ["01001"], "year": [1999], "persons": [10.0]})
    result = to_current_kreise(df, toy_keys(), value_cols=["persons"], boundary_year=2010)
    assert result.set_index("ags")["persons"].to_dict() == {"01001": 6.0, "01002": 4.0}
    assert result["year"].tolist() == [1999, 1999]


def test_kreis_dissolved_during_the_year_uses_previous_key():
    df = pd.DataFrame({"ags": ["01003", "01005"], "year": 2010, "persons": [5.0, 7.0]})  # e.g. on 30.06.2010
    result = to_current_kreise(df, toy_keys(), value_cols=["persons"])
    assert result.set_index("ags")["persons"].to_dict() == {"01003": 12.0}


def test_keys_not_summing_to_one():
    keys = toy_keys()
    keys.loc[1, "key_population"] = 0.3
    df = pd.DataFrame({"ags": ["01001"], "year": [2010], "persons": [1.0]})
    with pytest.raises(InputFormatError, match="01001 in year 2010 sums to 0.900000"):
        to_current_kreise(df, keys, value_cols=["persons"])


def test_unknown_code():
    df = pd.DataFrame({"ags": ["01001", "09999"], "year": 2010, "persons": [1.0, 2.0]})
    with pytest.raises(InputFormatError, match="09999 does not exist on the boundaries of 31.12.2010") as info:
        to_current_kreise(df, toy_keys(), value_cols=["persons"])
    assert info.value.field == "ags" and "Fix:" in str(info.value)


def test_unknown_code_after_2020():
    df = pd.DataFrame({"ags": ["01004"], "year": [2020], "persons": [1.0]})  # merged away before 2020
    with pytest.raises(InputFormatError, match="01004 does not exist"):
        to_current_kreise(df, toy_keys(), value_cols=["persons"])


def test_year_without_key():
    df = pd.DataFrame({"ags": ["01001"], "year": [2005], "persons": [1.0]})
    with pytest.raises(InputFormatError, match="no BBSR key for year 2005"):
        to_current_kreise(df, toy_keys(), value_cols=["persons"])


def test_employment_key_absent():
    df = pd.DataFrame({"ags": ["01001"], "year": [2010], "persons": [1.0]})
    with pytest.raises(InputFormatError, match="no key_employment"):
        to_current_kreise(df, toy_keys(), value_cols=["persons"], weight="employment")


def test_missing_value_column():
    df = pd.DataFrame({"ags": ["01001"], "year": [2010]})
    with pytest.raises(InputFormatError, match="'persons' missing"):
        to_current_kreise(df, toy_keys(), value_cols=["persons"])


@pytest.mark.parametrize("mark_estimates", [False, True])
def test_empty_input_gives_empty_result(mark_estimates):
    df = pd.DataFrame({"ags": pd.Series([], dtype=object), "year": pd.Series([], dtype=int),
                       "sex": pd.Series([], dtype=object), "persons": pd.Series([], dtype=float)})
    result = to_current_kreise(df, toy_keys(), value_cols=["persons"], mark_estimates=mark_estimates)
    assert result.empty
    assert list(result.columns) == ["ags", "year", "sex", "persons"] + (["estimated"] if mark_estimates else [])


def test_population_jumps():
    series = pd.DataFrame({"ags": ["01001"] * 3, "year": [2000, 2001, 2002], "population": [100, 120, 121]})
    jumps = population_jumps(series)
    assert jumps[["ags", "year"]].values.tolist() == [["01001", 2001]]
    assert jumps["change"].iloc[0] == pytest.approx(0.2) and jumps["documented"].iloc[0] is None


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real(raw_dir):
    keys = read_bbsr_keys(raw_dir / "bbsr" / "ref-kreise-umrech-2020-1990-2019.xlsx")
    by_age = genesis.population_by_age(raw_dir / "destatis" / "12411-0018.csv")
    totals = by_age.groupby(["ags", "year"], as_index=False)["population"].sum()
    dr = read_demandregio_population(raw_dir / "demandregio" / "population.csv")
    return keys, totals, harmonised_population(keys, dr, totals), by_age


def test_real_eisenach_in_wartburgkreis(real):
    _, totals, series, _ = real
    official = totals[totals["year"] == 2020].set_index("ags")["population"]
    value = series[(series["year"] == 2020) & (series["ags"] == "16063")]["population"].item()
    assert value == official["16056"] + official["16063"]
    assert "16056" not in set(series["ags"])


def test_real_400_kreise_and_totals(real):
    _, _, series, _ = real
    assert list(series.columns) == ["ags", "year", "population", "source"]
    per_year = series.groupby("year").agg(kreise=("ags", "nunique"), total=("population", "sum"))
    assert per_year.index.tolist() == list(range(1990, 2021))
    assert (per_year["kreise"] == 400).all() and series["population"].notna().all()
    total = per_year["total"]
    assert total[2020] == 83_155_031 and total[2015] == 82_175_684 and total[2011] == 80_327_900
    assert total[1990] == pytest.approx(79_753_227, rel=0.005)  # estimate from 1989 and 1991
    assert total[1991] == pytest.approx(80_274_564, rel=0.001)
    assert total[1997] == pytest.approx(82_057_379, rel=0.0001)
    assert total.between(79.0e6, 83.5e6).all()


def test_real_sources(real):
    _, _, series, _ = real
    source = series.set_index(["ags", "year"])["source"]
    assert source[("05711", 2020)] == SOURCES["kreis_population"]
    assert source[("05711", 2005)] == SOURCES["demandregio"]
    assert source[("05711", 1995)] == SOURCES["bbsr"]
    assert source[("05711", 1990)] == SOURCES["bbsr_1990"]
    assert source[("14729", 1997)] == SOURCES["bbsr_not_demandregio"]  # DemandRegio on 1998 boundaries
    assert source[("15001", 2000)] == SOURCES["bbsr_not_demandregio"]  # DemandRegio estimate off by 12 %


def test_real_no_undocumented_jumps(real):
    _, _, series, _ = real
    jumps = population_jumps(series)
    undocumented = jumps[jumps["documented"].isna()]
    assert undocumented.empty, undocumented.to_string()
    assert set(DOCUMENTED_JUMPS) >= set(zip(jumps["ags"], jumps["year"]))


def test_real_berlin_1991_erratum_corrected(real):
    _, _, series, _ = real
    berlin = series[series["ags"] == "11000"].set_index("year")["population"]
    assert 3_400_000 < berlin[1991] < 3_500_000  # the workbook says 34,460.3 thousand


def test_real_by_age_harmonised(real):
    keys, totals, _, by_age = real
    harmonised = to_current_kreise(by_age, keys, value_cols=["population"])
    assert len(harmonised) == 6 * 400 * 2 * 17
    assert harmonised.groupby("year")["ags"].nunique().eq(400).all()
    assert harmonised["age_to"].isna().sum() == 6 * 400 * 2  # "75 Jahre und mehr" kept as a group
    assert harmonised.groupby("year")["population"].sum().round().tolist() == \
        totals.groupby("year")["population"].sum().astype(float).tolist()
