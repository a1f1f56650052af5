"""Module 2 projection engine: hand-computed steps, identities and real values."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regiopol import data, regions
from regiopol.core.errors import ConfigError, InputFormatError, MissingInputError
from regiopol.core.paths import DATA_DIR
from regiopol.methods import projection

TRIER, WUERZBURG = "07211", "09663"
CONFIG_TEXT = (DATA_DIR / "projection.toml").read_text(encoding="utf-8")


def rates_file(name: str) -> pd.DataFrame:
    return pd.read_csv(projection.rates_dir() / projection.RATE_FILES[name][0], comment="#", dtype={"land_ags": str})


@pytest.fixture(scope="module")
def medium() -> projection.Projection:
    return projection.project("medium")


@pytest.fixture(scope="module")
def period() -> projection.BasePeriod:
    return projection.base_period()


def observed_groups(year: int) -> pd.DataFrame:
    table = data.load("population_by_age")
    return table[table["year"] == year]


# --------------------------------------------------------------------------- one step by hand

def test_toy_population_one_step_by_hand():
    # One Kreis, ages 0, 1, 2+ (open); women aged 1 bear children (fertile ages = slice(1, 2)).
    start = np.array([[[100.0, 90.0, 50.0], [100.0, 80.0, 60.0]]])   # (Kreis, sex m/w, age)
    s = np.array([[0.99, 0.9, 0.5], [0.99, 0.9, 0.5]])                 # S_0, S_1, S_2+
    s0 = np.array([0.995, 0.996])                                      # newborns to 31.12.
    migration = np.array([[[1.0, 2.0, 3.0], [0.0, -5.0, 4.0]]])
    end, births, deaths, moved = projection.step(start, s, s0, migration, fertility=np.array([1.0]),
                                                 asfr=np.array([0.5]), boys=0.5, fertile=slice(1, 2))
    # survivors m: age 1 = 100·0.99 = 99, age 2+ = 90·0.9 + 50·0.5 = 106; plus migration 2 and 3
    # survivors w: age 1 = 99, age 2+ = 80·0.9 + 60·0.5 = 102; plus migration −5 and 4
    # births = 0.5 · ½(women aged 0 at the start 100 + women aged 1 at the end 94) = 48.5, half boys
    # age 0: m 24.25·0.995 + 1 = 25.12875, w 24.25·0.996 + 0 = 24.153
    np.testing.assert_allclose(end, [[[25.12875, 101.0, 109.0], [24.153, 94.0, 106.0]]])
    np.testing.assert_allclose(births, [[24.25, 24.25]])
    # deaths m: 100·0.01 + 90·0.1 + 50·0.5 + 24.25·0.005 = 35.12125; w: 1 + 8 + 30 + 24.25·0.004 = 39.097
    np.testing.assert_allclose(deaths, [[35.12125, 39.097]])
    np.testing.assert_allclose(moved, migration)
    np.testing.assert_allclose(end.sum(-1), start.sum(-1) + births - deaths + moved.sum(-1))


def test_migration_that_would_make_a_cohort_negative_is_cut():
    start = np.array([[[10.0, 10.0], [10.0, 10.0]]])
    s = np.ones((2, 2))
    migration = np.array([[[0.0, -50.0], [0.0, 0.0]]])
    end, births, deaths, moved = projection.step(start, s, np.ones(2), migration, np.array([0.0]),
                                                 np.array([0.0]), 0.5, fertile=slice(1, 2))
    assert end[0, 0, 1] == 0.0 and moved[0, 0, 1] == -20.0  # only the 20 survivors can leave
    np.testing.assert_allclose(end.sum(-1), start.sum(-1) + births - deaths + moved.sum(-1))


# --------------------------------------------------------------------------- single years of age

def test_single_years_keep_every_group_total_of_all_kreise():
    groups = observed_groups(2020)
    single = projection.single_years(groups)
    assert list(single.columns) == ["ags", "year", "sex", "age", "population"]
    assert len(single) == 400 * 2 * 101 and (single["population"] >= 0).all()
    edges = np.array(projection.GROUP_EDGES)
    lower = edges[np.searchsorted(edges, single["age"], side="right") - 1]
    regrouped = single.assign(age_from=lower).groupby(["ags", "sex", "age_from"])["population"].sum()
    original = groups.set_index(["ags", "sex", "age_from"])["population"].sort_index()
    np.testing.assert_allclose(regrouped.sort_index().to_numpy(), original.to_numpy(), rtol=1e-12)
    assert regrouped.sort_index().index.equals(original.index)
    assert single.loc[single["ags"] == TRIER, "population"].sum() == pytest.approx(110_674, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=34, max_size=34))
def test_single_years_keep_random_group_totals(values):
    groups = np.array(values).reshape(2, 17)
    single = projection.single_years(groups)
    assert single.shape == (2, 101)
    np.testing.assert_allclose(projection.to_groups(single), groups, rtol=1e-9, atol=1e-6)
    assert single.min() >= -1e-9 * max(1.0, groups.max())


def test_open_group_is_split_by_the_life_table():
    table = rates_file("life_table")
    male = table[(table["period"] == "2020/2022") & (table["sex"] == "male")].set_index("age")
    groups = np.zeros((2, 17))
    groups[:, -1] = 1000.0
    single = projection.single_years(groups)
    weights = np.append(male.loc[75:99, "Lx_person_years"].to_numpy(), male.loc[100, "Tx_person_years"])
    np.testing.assert_allclose(single[0, 75:], 1000.0 * weights / weights.sum())
    assert single[0, 75] / single[0, 76] == pytest.approx(male.loc[75, "Lx_person_years"] /
                                                          male.loc[76, "Lx_person_years"])
    assert single[:, :75].sum() == 0


def test_joint_split_keeps_totals_and_removes_edge_artefacts(period):
    np.testing.assert_allclose(projection.to_groups(period.single), period.groups, rtol=1e-9)
    assert period.single.min() >= 0
    # National net migration held per single year: the year-by-year split gives ±40,000 at
    # ages 40–64 and +100,000 at 75 from the group edges; real values are a few thousand.
    national = period.migration.sum(axis=(0, 1))
    assert np.abs(national[40:65]).max() < 10_000
    assert abs(national[75]) < 5_000
    assert 10_000 < national[20:25].mean() < 25_000        # the peak of young adults
    # the 75+ split is tilted so that national net migration 75+ is about zero (untilted: +40,000)
    steps = period.residual[period.chosen]
    assert np.abs(steps[..., 75:].sum(axis=(1, 3)).mean(axis=0)).max() < 500
    assert 0 < period.tilt[1] < period.tilt[0] < 0.1       # fewer very old men (war, cohort mortality)


# --------------------------------------------------------------------------- base year and rates

@pytest.mark.parametrize("method", projection.METHODS)
def test_base_year_equals_observed_2020(method):
    result = projection.project("medium", method)
    assert result.years[0] == 2020 and result.years[-1] == 2045
    base = result.at(2020)
    groups = observed_groups(2020)
    wide = groups.pivot_table(index="ags", columns=["sex", "age_from"], values="population")
    expected = wide.loc[result.ags].to_numpy().reshape(400, 2, 17)
    np.testing.assert_allclose(projection.to_groups(base), expected, rtol=1e-12)
    assert base[list(result.ags).index(TRIER)].sum() == pytest.approx(110_674, abs=1e-6)
    assert base.sum() == pytest.approx(83_155_031, abs=1e-4)


def test_survival_from_the_life_table_by_hand():
    table = rates_file("life_table")
    male = table[(table["period"] == "2022/2024") & (table["sex"] == "male")].set_index("age")
    s, s0 = projection.life_tables()["2022/2024"].survival()
    assert s[0, 70] == male.loc[71, "Lx_person_years"] / male.loc[70, "Lx_person_years"]
    assert s0[0] == male.loc[0, "Lx_person_years"] / 100_000
    assert s[0, 99] == s[0, 100] == male.loc[100, "Tx_person_years"] / male.loc[99, "Tx_person_years"]
    improved, _ = projection.life_tables()["2022/2024"].survival(0.015, 2)
    assert improved[0, 70] == pytest.approx(1 - (1 - s[0, 70]) * 0.985**2)


def test_life_expectancy_of_the_variants():
    assert projection.life_expectancy("medium", 2023) == {"m": 78.47, "w": 83.19}  # e0 of 2022/2024
    e2045 = [projection.life_expectancy(v, 2045)["m"] for v in ("life_low", "medium", "life_high")]
    assert 78.5 < e2045[0] < e2045[1] < e2045[2] < 84


def test_sex_ratio_at_birth():
    births = rates_file("births").set_index("year").loc[2019:2024]
    share = births["live_births_male"].sum() / births["live_births_total"].sum()
    assert projection.share_boys(range(2019, 2025)) == pytest.approx(share) == pytest.approx(0.51334, abs=1e-5)
    result = projection.project("medium")
    boys = result.births[:, 0].sum() / result.births.sum()
    assert boys == pytest.approx(share)


def test_births_match_the_registered_births_2021_to_2024(medium):
    registered = rates_file("births").set_index("year")["live_births_total"]
    model = medium.births.sum(axis=(0, 1))
    for i, year in enumerate(range(2021, 2025)):
        assert model[i] == pytest.approx(registered[year], rel=0.015)


def test_fertility_path_reaches_the_target():
    config = projection.load_config()
    path = projection.fertility_path([2024, 2027, 2030, 2040], config.variant("medium").fertility, config)
    tfr = path.sum(axis=1)
    assert tfr[0] == pytest.approx(1.3525)            # published 2024 (12612-0008, rounded rates)
    assert tfr[1] == pytest.approx(1.3525 + 0.5 * (1.48 - 1.3525))
    assert tfr[2] == tfr[3] == pytest.approx(1.48)


def test_kreis_fertility_against_the_land_tfr(period):
    factor = projection.kreis_fertility()
    assert factor[WUERZBURG] < 0.8 and factor[TRIER] < 0.8  # university cities
    women = period.single[-1][:, 1, 15:50].sum(axis=1)
    land = (pd.DataFrame({"land": [a[:2] for a in period.ags], "f": factor.to_numpy(), "w": women})
            .groupby("land").apply(lambda g: np.average(g["f"], weights=g["w"])))
    tfr = rates_file("tfr_land").query("year in [2018, 2019, 2020]").groupby("land_ags")["tfr_children_per_woman"]
    assert np.corrcoef(land, tfr.mean().reindex(land.index))[0, 1] > 0.8


def test_land_tfr_method_by_hand(tmp_path):
    path = tmp_path / "projection.toml"
    path.write_text(CONFIG_TEXT.replace('kreis_method = "child_woman_ratio"', 'kreis_method = "land_tfr"'),
                    encoding="utf-8")
    factor = projection.kreis_fertility(config=path)
    land = rates_file("tfr_land").query("land_ags == '09' and year in [2019, 2020, 2021]")
    national = rates_file("tfr").set_index("year").loc[2019:2021, "tfr_children_per_woman_age15_49"]
    assert factor[WUERZBURG] == pytest.approx(land["tfr_children_per_woman"].mean() / national.mean())


def test_residual_migration_table(period):
    table = projection.residual_migration(rates=True)
    assert len(table) == 400 * 2 * 101
    row = table[(table["ags"] == TRIER) & (table["sex"] == "w") & (table["age"] == 20)].iloc[0]
    k = list(period.ags).index(TRIER)
    by_hand = period.residual[period.chosen, k, 1, 20].mean()
    assert row["migration"] == pytest.approx(by_hand) and row["migration"] > 0  # students arrive
    assert row["rate"] == pytest.approx(by_hand / period.single[period.chosen + 1, k, 1, 20].mean())


# --------------------------------------------------------------------------- projection

def test_balancing_identity_per_kreis_and_year(medium):
    components = medium.components()
    assert len(components) == 400 * 25
    gap = components["start"] + components["births"] - components["deaths"] + components["migration"] \
        - components["end"]
    assert gap.abs().max() < 1e-6
    np.testing.assert_allclose(medium.population.sum(axis=2)[..., 1:],
                               medium.population.sum(axis=2)[..., :-1] + medium.births - medium.deaths
                               + medium.migration.sum(axis=2), atol=1e-6)
    assert medium.population.min() >= 0


def test_variants_differ_in_the_expected_direction(period):
    k = list(period.ags).index(WUERZBURG)
    assert period.migration[k].sum() > 0
    totals = {v: projection.project(v).population[k].sum(axis=(0, 1)) for v in
              ("migration_low", "medium", "migration_high")}
    assert (totals["migration_high"] >= totals["medium"]).all() and (totals["medium"] >= totals["migration_low"]).all()
    assert totals["migration_high"][-1] > totals["medium"][-1] > totals["migration_low"][-1]
    births = {v: projection.project(v).births[..., -1].sum() for v in ("fertility_low", "medium", "fertility_high")}
    assert births["fertility_high"] > births["medium"] > births["fertility_low"]
    old = {v: projection.project(v).population[:, :, 80:, -1].sum() for v in ("life_low", "medium", "life_high")}
    assert old["life_high"] > old["medium"] > old["life_low"]


def test_external_migration_is_scaled_by_the_variant():
    low, mid, high = (projection.project(v).migration[..., -1].sum()
                      for v in ("migration_low", "medium", "migration_high"))
    assert mid == pytest.approx(2 * low, rel=1e-3) and high == pytest.approx(3 * low, rel=1e-3)
    assert 300_000 < mid < 420_000   # mean 2017–2020 of the national residual


def test_hamilton_perry_by_hand(period):
    result = projection.project("medium", "hamilton_perry")
    assert list(result.years) == list(range(2020, 2046))
    k = list(period.ags).index(TRIER)
    first, last = period.single[0, k], period.single[-1, k]
    # men aged 30 in 2025 = men aged 25 in 2020 × (aged 30 in 2020 / aged 25 in 2015)
    assert result.population[k, 0, 30, 5] == pytest.approx(last[0, 25] * last[0, 30] / first[0, 25])
    women = result.population[k, 1, 15:50, 5].sum()
    assert result.population[k, 1, 2, 5] == pytest.approx(women * last[1, 2] / last[1, 15:50].sum())
    # between the 5-year steps geometric: 2022 = 2020 × (2025 / 2020)^(2/5)
    cell_2020, cell_2025 = result.population[k, 0, 30, 0], result.population[k, 0, 30, 5]
    assert result.population[k, 0, 30, 2] == pytest.approx(cell_2020 * (cell_2025 / cell_2020) ** 0.4)
    with pytest.raises(ConfigError, match="no component assumptions"):
        projection.project("migration_high", "hamilton_perry")


def test_frame_aggregate_and_functional_groups(medium):
    frame = medium.frame()
    assert list(frame.columns) == ["ags", "year", "sex", "age", "population"]
    assert len(frame) == 400 * 26 * 2 * 101
    assert frame["population"].sum() == pytest.approx(medium.population.sum())
    trier = projection.aggregate(medium, "trier")
    assert trier.ags.tolist() == ["trier"] and trier.members == (regions.get("trier").kreise,)
    codes = [list(medium.ags).index(a) for a in regions.get("trier").kreise]
    np.testing.assert_allclose(trier.population[0], medium.population[codes].sum(axis=0))
    germany = projection.aggregate(medium)
    assert germany.population[..., 0].sum() == pytest.approx(83_155_031, abs=1e-4)

    groups = projection.functional_groups(projection.aggregate(medium, [TRIER]).frame())
    assert list(groups["age_group"].cat.categories) == ["0–2", "3–5", "6–9", "10–15", "16–18", "19–24",
                                                       "25–44", "45–64", "65–79", "80+"]
    base = groups[groups["year"] == 2020].groupby("age_group", observed=True)["population"].sum()
    under_3 = observed_groups(2020).query("ags == @TRIER and age_from == 0")["population"].sum()
    assert base["0–2"] == pytest.approx(under_3)
    assert base.sum() == pytest.approx(110_674)
    with pytest.raises(ConfigError, match="99999"):
        projection.aggregate(medium, ["99999"])


# --------------------------------------------------------------------------- bad inputs

def test_unknown_variant_lists_the_variants():
    with pytest.raises(ConfigError) as err:
        projection.project("optimistic")
    message = str(err.value)
    assert "projection.toml" in message and "variant" in message
    assert "medium" in message and "migration_high" in message and "fertility_low" in message


def test_missing_rates_file_is_named(tmp_path, monkeypatch):
    for name, (file, _) in projection.RATE_FILES.items():
        if name != "births":
            shutil.copy(projection.rates_dir() / file, tmp_path / file)
    monkeypatch.setenv(projection.RATES_ENV, str(tmp_path))
    with pytest.raises(MissingInputError, match="sex_ratio_at_birth_12612-0001.csv"):
        projection.project("medium")


def test_missing_column_is_named(tmp_path, monkeypatch):
    file = projection.RATE_FILES["life_table"][0]
    text = (projection.rates_dir() / file).read_text(encoding="utf-8")
    (tmp_path / file).write_text(text.replace("Lx_person_years", "L_x"), encoding="utf-8")
    monkeypatch.setenv(projection.RATES_ENV, str(tmp_path))
    with pytest.raises(InputFormatError) as err:
        projection.life_tables()
    assert "Lx_person_years" in str(err.value) and file in str(err.value)


def test_missing_rates_directory(tmp_path, monkeypatch):
    monkeypatch.setenv(projection.RATES_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(MissingInputError, match="REGIOPOL_RATES_DIR"):
        projection.rates_dir()


def test_negative_tfr_names_the_field(tmp_path):
    path = tmp_path / "projection.toml"
    path.write_text(CONFIG_TEXT.replace("tfr = 1.35", "tfr = -1.35"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        projection.load_config(path)
    assert err.value.field == "fertility.low.tfr" and str(path) in str(err.value)
    with pytest.raises(ConfigError):
        projection.project(config=path)


def test_variant_with_an_unknown_level(tmp_path):
    path = tmp_path / "projection.toml"
    path.write_text(CONFIG_TEXT.replace('migration = "high"', 'migration = "extreme"', 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="low, medium, high") as err:
        projection.load_config(path)
    assert err.value.field == "variant.migration_high.migration"


def test_assumptions_for_reports():
    table = projection.assumptions("fertility_low")
    assert list(table.columns) == ["component", "label", "source", "basis"]
    assert list(table["component"]) == ["fertility", "life_expectancy", "migration"]
    assert "1,35" in table.loc[0, "label"] and "12612-0009" in table.loc[0, "source"]
    labels = projection.variants()
    assert list(labels)[0] == "medium" and labels["medium"].startswith("Hauptvariante")


def test_base_outside_the_data():
    with pytest.raises(ConfigError, match="2016 to 2020"):
        projection.project(base=2021)
