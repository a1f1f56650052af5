"""Module 1 – indicator profiles (regiopol.methods.profile) and the indicators behind them
(regiopol.methods.indicators.values): percentile ranks by hand and against scipy, peer groups against
the Kreis directory, real INKAR values, population-weighted region values and the derived
indicators recomputed from the committed tables."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from regiopol import data, regions
from regiopol.core.paths import DATA_DIR
from regiopol.methods import indicators, profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TRIER_KREISE = ["07211", "07231", "07232", "07233", "07235"]  # Trier + the four Landkreise around it
EARTH_RADIUS_KM = 6371.0088


def _value(indicator: str, ags: str, year: int) -> float:
    v = indicators.values()
    hit = v[(v["indicator"] == indicator) & (v["ags"] == ags) & (v["year"] == year)]
    assert len(hit) == 1, (indicator, ags, year, len(hit))
    return float(hit["value"].iloc[0])


def _population(year: int) -> pd.Series:
    series = data.load("population_series")
    return series[series["year"] == year].set_index("ags")["population"].astype("float64")


def _kreis_values(indicator: str, year: int) -> pd.Series:
    """The indicator for the 400 Kreise in ``year`` (no Germany row), from values()."""
    v = indicators.values()
    v = v[(v["indicator"] == indicator) & (v["year"] == year) & (v["ags"] != indicators.GERMANY)]
    return v.set_index("ags")["value"]


# --------------------------------------------------------------------------- percentile rank

def test_percentile_rank_by_hand():
    # 2 peers below 3, 1 equal: (2 + 0.5) / 4 · 100
    assert profile.percentile_rank([1, 2, 3, 4], 3) == 62.5
    # the maximum: 3 below, itself equal → (3 + 0.5) / 4 · 100 = 87.5, not 100
    assert profile.percentile_rank([1, 2, 3, 4], 4) == 87.5
    assert profile.percentile_rank([1, 2, 3, 4], 1) == 12.5
    # outside the peers: 0 and 100
    assert profile.percentile_rank([1, 2, 3, 4], 9) == 100.0
    assert profile.percentile_rank([1, 2, 3, 4], 0) == 0.0
    # ties: 1 below, 2 equal of 5 → (1 + 1) / 5 · 100 = 40
    assert profile.percentile_rank([1, 2, 2, 3, 4], 2) == pytest.approx(40.0)
    # a score between peers counts only those below: 2 of 4 → 50
    assert profile.percentile_rank([1, 2, 3, 4], 2.5) == 50.0


def test_percentile_rank_ignores_nan_peers():
    with_nan = [np.nan, 1, 2, np.nan, 3, 4, np.nan]
    assert profile.percentile_rank(with_nan, 3) == 62.5  # the NaN do not count in the denominator
    assert profile.percentile_rank(pd.Series(with_nan), 3) == 62.5


@pytest.mark.parametrize("peers", [[], [np.nan, np.nan], pd.Series([], dtype="float64")])
def test_percentile_rank_without_peers_is_nan(peers):
    assert np.isnan(profile.percentile_rank(peers, 3.0))


def test_percentile_rank_of_nan_is_nan():
    assert np.isnan(profile.percentile_rank([1, 2, 3], np.nan))


def test_percentile_rank_matches_scipy_on_random_data():
    rng = np.random.default_rng(20260126)
    for trial in range(300):
        n = int(rng.integers(1, 60))
        # small integers: many ties; floats: almost none
        peers = rng.integers(0, 12, n).astype("float64") if trial % 2 else rng.normal(50, 20, n)
        score = float(rng.choice(peers)) if rng.random() < 0.6 else float(rng.normal(50, 30))
        expected = stats.percentileofscore(peers, score, kind="mean")
        assert profile.percentile_rank(peers, score) == pytest.approx(expected, abs=1e-9), (peers, score)
        # NaN among the peers: scipy without them
        holes = np.where(rng.random(n) < 0.3, np.nan, peers)
        kept = holes[~np.isnan(holes)]
        if kept.size:
            assert profile.percentile_rank(holes, score) == pytest.approx(
                stats.percentileofscore(kept, score, kind="mean"), abs=1e-9)


# --------------------------------------------------------------------------- peer groups

def test_peer_group_regiopolen_are_the_core_kreise_of_regions_toml():
    config = tomllib.loads((DATA_DIR / "regions.toml").read_text(encoding="utf-8"))
    cores = tuple(block["core_kreis"] for block in config["region"])
    assert len(cores) == 8
    assert profile.peer_groups()["regiopolen"] == cores
    assert set(cores) == {"05711", "16051", "07111", "05774", "13003", "05970", "07211", "09663"}


def test_peer_group_cities_from_the_kreis_directory():
    kreise = data.load("kreise").set_index("ags")
    cities = profile.peer_groups()["cities"]
    assert len(cities) == len(set(cities))
    chosen = kreise.loc[list(cities)]
    assert set(chosen["kind"]) <= {"Kreisfreie Stadt", "Stadtkreis"}
    assert chosen["population"].between(100_000, 350_000).all()
    # independently: every kreisfreie Stadt / Stadtkreis in the range, and nothing else
    population = kreise["population"].astype("float64")
    expected = kreise.index[kreise["kind"].isin(["Kreisfreie Stadt", "Stadtkreis"])
                            & (population >= 100_000) & (population <= 350_000)]
    assert set(cities) == set(expected)
    assert len(cities) == 51
    # Trier 110,674 and Bielefeld 333,509 (≤ 350,000) are in; Würzburg, Erfurt, Koblenz, Rostock too
    assert kreise.loc["07211", "population"] == 110_674
    assert kreise.loc["05711", "population"] == 333_509
    assert {"07211", "05711", "09663", "16051", "07111", "13003"} <= set(cities)
    # out: Landkreise / Kreise (Paderborn, Siegen-Wittgenstein), Flensburg 89,934 (too small),
    # Köln (too big), Regionalverband Saarbrücken (not a kreisfreie Stadt)
    assert kreise.loc["01001", "population"] < 100_000
    assert not {"05774", "05970", "01001", "05315", "10041"} & set(cities)
    # a Stadtkreis of Baden-Württemberg counts: Heidelberg (~160,000)
    assert kreise.loc["08221", "kind"] == "Stadtkreis" and "08221" in cities


def test_peer_group_kreise_is_all_400():
    kreise = profile.peer_groups()["kreise"]
    assert len(kreise) == 400 == len(set(kreise))
    assert set(kreise) == set(data.load("kreise")["ags"])


# --------------------------------------------------------------------------- real INKAR values

def test_real_inkar_values():
    assert [_value("q_betten_bev", "09663", y) for y in (2019, 2020, 2021)] == [18.55, 18.85, 18.90]
    assert _value("q_ärzte_bev", "07211", 2021) == 22.52
    assert _value("q_betten_bev", indicators.GERMANY, 2019) == 5.99


def test_real_inkar_values_through_the_trend():
    trend = profile.trend("wuerzburg", ["q_betten_bev"]).set_index("year")
    assert list(trend.loc[[2019, 2020, 2021], "core"]) == [18.55, 18.85, 18.90]
    assert trend.loc[2019, "germany"] == 5.99
    assert trend.index.min() >= 2010 and trend.index.max() <= 2022
    doctors = profile.trend("trier", ["q_ärzte_bev"]).set_index("year")
    assert doctors.loc[2021, "core"] == 22.52


def test_values_cover_every_listed_indicator_for_kreise_and_germany():
    v = indicators.values()
    listed = indicators.load()
    assert set(v["indicator"]) == set(listed["code"])
    kreise = set(data.load("kreise")["ags"])
    assert set(v["ags"]) == kreise | {indicators.GERMANY}
    derived = v[v["indicator"].isin(list(indicators.DERIVED))]
    assert (derived.groupby(["indicator", "year"])["ags"].nunique() == 401).all()
    assert not v.duplicated(["indicator", "ags", "year"]).any()
    v.loc[:, "value"] = -1.0  # values() is a copy
    assert (indicators.values()["value"] != -1.0).any()


# --------------------------------------------------------------------------- region values

def test_weights_after_the_series_use_its_last_year():
    population = _population(2020)
    assert profile._weights(2021)["07211"] == population["07211"]
    assert profile._weights(2023)["07211"] == population["07211"]
    assert profile._weights(2016)["07211"] == _population(2016)["07211"]
    assert _population(2016)["07211"] != population["07211"]


def test_weighted_mean_by_hand_trier_beds():
    code = "q_betten_bev"
    year = profile.latest_year(code)
    assert year == 2021  # INKAR 2024: beds per 1,000 up to 2021 → weights of 2020, the series' end
    inkar = data.load("inkar")
    values = inkar[(inkar["indicator"] == code) & (inkar["year"] == year)].set_index("ags")["value"]
    weights = _population(2020)
    region = (values[TRIER_KREISE] * weights[TRIER_KREISE]).sum() / weights[TRIER_KREISE].sum()
    around = TRIER_KREISE[1:]
    surrounding = (values[around] * weights[around]).sum() / weights[around].sum()
    row = profile.profile("trier", [code]).iloc[0]
    assert row["year"] == year
    assert row["core"] == values["07211"] == 13.45
    assert row["region"] == pytest.approx(region, rel=1e-12)
    assert row["surrounding"] == pytest.approx(surrounding, rel=1e-12)
    assert row["region"] == pytest.approx(5.765478, abs=1e-6)
    # not the plain mean of the five Kreise (5.832): Trier's 13.45 weigh with its 110,674 inhabitants
    assert abs(row["region"] - values[TRIER_KREISE].mean()) > 0.05
    assert row["germany"] == _value(code, indicators.GERMANY, year)


def test_weighted_mean_uses_the_population_of_the_year():
    # beds per 1,000 in 2015: the region value (also in the trend) is weighted with the population of 31.12.2015
    code, year = "q_betten_bev", 2015
    values = _kreis_values(code, year)
    weights = _population(2015)
    expected = (values[TRIER_KREISE] * weights[TRIER_KREISE]).sum() / weights[TRIER_KREISE].sum()
    late = _population(2020)
    with_2020 = (values[TRIER_KREISE] * late[TRIER_KREISE]).sum() / late[TRIER_KREISE].sum()
    assert abs(expected - with_2020) > 1e-6  # the weight year makes a difference here
    assert profile.region_values(code, year)["trier"] == pytest.approx(expected, rel=1e-12)
    trend = profile.trend("trier", [code]).set_index("year")
    assert trend.loc[year, "region"] == pytest.approx(expected, rel=1e-12)


def test_weighted_mean_leaves_out_kreise_without_value():
    values = pd.Series({"07211": 10.0, "07231": np.nan, "07235": 4.0})
    w = profile._weights(2020)
    expected = (10 * w["07211"] + 4 * w["07235"]) / (w["07211"] + w["07235"])
    assert profile.weighted_mean(values, ["07211", "07231", "07235", "07232"], 2020) == pytest.approx(expected)
    assert np.isnan(profile.weighted_mean(values, ["07231", "07232"], 2020))


def test_region_values_and_rank_among_the_eight_regions():
    code, year = "q_betten_bev", 2021
    values = _kreis_values(code, year)
    weights = _population(2020)
    by_hand = pd.Series({r.slug: (values[list(r.kreise)] * weights[list(r.kreise)]).sum()
                         / weights[list(r.kreise)].sum() for r in regions.load()})
    computed = profile.region_values(code, year)
    assert list(computed.index) == list(by_hand.index)
    assert computed.to_numpy() == pytest.approx(by_hand.to_numpy(), rel=1e-12)
    rank = 1 + int((by_hand > by_hand["trier"]).sum())
    assert profile.profile("trier", [code]).iloc[0]["region_rank"] == rank


# --------------------------------------------------------------------------- profile ranks

def test_profile_trier_ranks_against_independent_computation():
    table = profile.profile("trier")
    assert list(table["indicator"]) == list(indicators.load()["code"])
    groups = profile.peer_groups()
    for _, row in table.iterrows():
        kreise = _kreis_values(row["indicator"], row["year"])
        core = kreise.get("07211", np.nan)
        assert row["core"] == core or (np.isnan(row["core"]) and np.isnan(core))
        every = kreise.reindex(list(groups["kreise"])).dropna()
        # latest_year: ≥ 90 % of the Kreise report it – except the shares of students, which
        # exist only where students are (a_stud_1, a_stud_a: 240 Kreise in 2021)
        assert len(every) >= 0.9 * 400 or row["indicator"] in ("a_stud_1", "a_stud_a")
        assert row["rank_kreise"] == pytest.approx(stats.percentileofscore(every, core, kind="mean")), row["indicator"]
        assert row["median_kreise"] == pytest.approx(every.median())
        eight = kreise.reindex(list(groups["regiopolen"])).dropna()
        assert row["rank_regiopolen"] == pytest.approx(stats.percentileofscore(eight, core, kind="mean"))
        cities = kreise.reindex(list(groups["cities"])).dropna()
        assert row["rank_cities"] == pytest.approx(stats.percentileofscore(cities, core, kind="mean"))
        assert 0 <= row["rank_kreise"] <= 100
        assert pd.isna(row["region_rank"]) if row["direction"] == "neutral" else 1 <= row["region_rank"] <= 8
    # a spot check by hand: Trier has more beds per 1,000 (13.45 in 2021) than ~94 % of the Kreise
    beds = table.set_index("indicator").loc["q_betten_bev"]
    assert beds["rank_kreise"] == pytest.approx(94.375)


def test_latest_year_needs_90_percent_of_the_kreise():
    v = indicators.values()
    v = v[v["ags"] != indicators.GERMANY].dropna(subset=["value"])
    for code in ("q_betten_bev", "q_ärzte_bev", "beschaeftigte_ao_je_1000_ew", "a_stud_1"):
        coverage = v[v["indicator"] == code].groupby("year")["ags"].nunique() / 400
        enough = coverage[coverage >= 0.9]
        expected = enough.index.max() if len(enough) else coverage[coverage == coverage.max()].index.max()
        assert profile.latest_year(code) == expected, code
    assert profile.latest_year("q_betten_bev") == 2021
    assert profile.latest_year("a_stud_1") == 2021  # 60 % of the Kreise (those with students)


def _fake_wide(counts: dict[int, int]) -> pd.DataFrame:
    """A _wide() table for one indicator "x": in each year the first ``n`` of the 400 Kreise have a value."""
    kreise = list(profile.peer_groups()["kreise"])
    rows = {("x", year): [1.0] * n + [np.nan] * (400 - n) for year, n in counts.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=kreise)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["indicator", "year"])
    return frame


def test_latest_year_on_a_toy_table(monkeypatch):
    # 2018 and 2019 reach 90 % (360 Kreise), 2020 does not: 2019
    monkeypatch.setattr(profile, "_wide", lambda: _fake_wide({2017: 400, 2018: 360, 2019: 380, 2020: 200}))
    assert profile.latest_year("x") == 2019
    # no year reaches 90 %: the year with the best coverage
    monkeypatch.setattr(profile, "_wide", lambda: _fake_wide({2017: 100, 2018: 250, 2019: 120}))
    assert profile.latest_year("x") == 2018


def test_latest_year_fallback_prefers_the_latest_of_equally_covered_years(monkeypatch):
    # an indicator defined for a fixed subset of Kreise (e.g. shares of students): 240 Kreise every year
    monkeypatch.setattr(profile, "_wide", lambda: _fake_wide({2017: 240, 2018: 240, 2019: 240, 2020: 240}))
    assert profile.latest_year("x") == 2020


# --------------------------------------------------------------------------- derived indicators

def test_jobs_per_1000_wuerzburg_2020():
    employment = data.load("employment")
    total = employment[(employment["sector"] == "Insgesamt") & (employment["year"] == 2020)]
    jobs = total.set_index("ags")["employees"]
    population = _population(2020)
    assert (jobs["09663"], population["09663"]) == (91_645, 126_954)
    assert _value("beschaeftigte_ao_je_1000_ew", "09663", 2020) == pytest.approx(91_645 / 126_954 * 1000)
    assert _value("beschaeftigte_ao_je_1000_ew", "09663", 2020) == pytest.approx(721.876, abs=1e-3)
    # Germany: Σ jobs / Σ population over the 400 Kreise, not a mean of the ratios
    assert len(jobs) == 400
    germany = _value("beschaeftigte_ao_je_1000_ew", indicators.GERMANY, 2020)
    assert germany == pytest.approx(1000 * jobs.sum() / population[jobs.index].sum())
    assert germany == pytest.approx(400.715, abs=1e-3)
    assert abs(germany - (1000 * jobs / population[jobs.index]).mean()) > 1


def test_service_share_wuerzburg_2020():
    employment = data.load("employment")
    e = employment[(employment["ags"] == "09663") & (employment["year"] == 2020)].set_index("sector")["employees"]
    expected = 100 * e["Dienstleistungsbereiche (G-U)"] / e["Insgesamt"]
    assert _value("anteil_beschaeftigte_dienstleistungen", "09663", 2020) == pytest.approx(expected)
    assert 50 < expected < 100


def _long_distance_gemeinden() -> set:
    stations = data.load("rail_stations")
    flag = stations["long_distance"].astype("boolean").fillna(False).astype(bool)
    return set(stations.loc[flag, "gemeinde_ags"].dropna())


def test_population_at_long_distance_station():
    served = _long_distance_gemeinden()
    gemeinden = data.load("gemeinden")
    assert "05711000" in served and "05774032" in served  # Bielefeld Hbf, Paderborn Hbf
    paderborn = gemeinden[gemeinden["ags"] == "05774"]
    at_station = paderborn.loc[paderborn["gemeinde_ags"].isin(served), "population"].sum()
    share = 100 * at_station / paderborn["population"].sum()
    assert 0 < share < 100
    value = _value("anteil_ew_gemeinde_mit_fernverkehrshalt", "05774", indicators.GEMEINDE_YEAR)
    assert value == pytest.approx(share)
    assert value == pytest.approx(52.2059, abs=1e-4)
    assert _value("anteil_ew_gemeinde_mit_fernverkehrshalt", "05711", indicators.GEMEINDE_YEAR) == 100.0
    usable = gemeinden.dropna(subset=["lat", "lon"])
    germany = 100 * usable.loc[usable["gemeinde_ags"].isin(served), "population"].sum() / usable["population"].sum()
    assert _value("anteil_ew_gemeinde_mit_fernverkehrshalt", indicators.GERMANY,
                  indicators.GEMEINDE_YEAR) == pytest.approx(germany)


def test_distance_to_long_distance_station():
    served = _long_distance_gemeinden()
    gemeinden = data.load("gemeinden").dropna(subset=["lat", "lon"])
    stations = gemeinden[gemeinden["gemeinde_ags"].isin(served)]
    paderborn = gemeinden[gemeinden["ags"] == "05774"]
    lat1, lon1 = np.radians(paderborn["lat"].to_numpy())[:, None], np.radians(paderborn["lon"].to_numpy())[:, None]
    lat2, lon2 = np.radians(stations["lat"].to_numpy())[None, :], np.radians(stations["lon"].to_numpy())[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    nearest = (2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))).min(axis=1)
    population = paderborn["population"].astype("float64").to_numpy()
    expected = float((nearest * population).sum() / population.sum())
    value = _value("distanz_fernverkehrshalt_km", "05774", indicators.GEMEINDE_YEAR)
    assert value == pytest.approx(expected, rel=1e-9)
    assert 0 < value < 30
    assert _value("distanz_fernverkehrshalt_km", "05711", indicators.GEMEINDE_YEAR) == 0.0


def test_stations_per_100_km2_trier():
    stations = data.load("rail_stations")
    count = int((stations["ags"] == "07211").sum())
    area = data.load("kreise").set_index("ags").loc["07211", "area_km2"]
    assert count == 6  # Trier Hbf, Trier Süd and four more halts (DB list 2016)
    assert _value("bahnhalte_je_100_km2", "07211", indicators.STATION_YEAR) == pytest.approx(100 * count / area)


def test_region_share_at_long_distance_station_is_exact_for_erfurt():
    served = _long_distance_gemeinden()
    gemeinden = data.load("gemeinden")
    region = gemeinden[gemeinden["ags"].isin(regions.get("erfurt").kreise)]
    exact = 100 * region.loc[region["gemeinde_ags"].isin(served), "population"].sum() / region["population"].sum()
    assert exact == pytest.approx(51.6549, abs=1e-4)
    value = profile.profile("erfurt", ["anteil_ew_gemeinde_mit_fernverkehrshalt"]).iloc[0]["region"]
    assert value == pytest.approx(exact, abs=1e-6)


def _add_kassel(directory, monkeypatch) -> None:
    """data/ in ``directory`` with a ninth region Kassel (city and Landkreis) added by a user."""
    import shutil

    from regiopol import clear_caches

    for path in DATA_DIR.iterdir():
        if path.is_file():
            shutil.copy(path, directory / path.name)
    with open(directory / "regions.toml", "a", encoding="utf-8") as toml:
        toml.write('\n[[region]]\nslug = "kassel"\nname = "Kassel"\ncore_kreis = "06611"\nkreise = ["06611", "06633"]\n'
                   'lead_area = "unknown"\nlead_area_status = "unpublished"\ndelineation = "Stadt und Landkreis"\n'
                   'delineation_status = "proxy"\nsource = "Test"\nas_of = 2026-12-04\n')
    monkeypatch.setenv("REGIOPOL_DATA_DIR", str(directory))
    clear_caches()


def test_the_peer_group_is_configured_not_the_list_of_regions():
    group = regions.registry().peers
    assert group.name == "Regiopolen des Modellvorhabens" and len(group) == 8 and group.since["trier"] == 2021
    assert profile.peer_groups()["regiopolen"] == tuple(r.core_kreis for r in regions.registry())


def test_a_ninth_region_changes_no_official_report(tmp_path, monkeypatch):
    from regiopol import clear_caches

    before = profile.profile("trier")
    _add_kassel(tmp_path, monkeypatch)
    try:
        assert len(regions.registry()) == 9 and len(regions.registry().peers) == 8
        after = profile.profile("trier")
        kassel = profile.profile("kassel")
    finally:
        monkeypatch.delenv("REGIOPOL_DATA_DIR")
        clear_caches()
    columns = ["median_regiopolen", "rank_regiopolen", "region_rank", "region_group"]
    pd.testing.assert_frame_equal(before[columns], after[columns])
    assert set(after["region_group"]) == {8} and set(kassel["region_group"]) == {9}  # Kassel beside the eight
    assert kassel["median_regiopolen"].tolist() == pytest.approx(after["median_regiopolen"].tolist(), nan_ok=True)


def test_peer_members_must_be_regions_of_the_file(tmp_path):
    from regiopol.core.errors import ConfigError
    from regiopol.core.paths import DATA_DIR

    text = (DATA_DIR / "regions.toml").read_text(encoding="utf-8").replace('{ slug = "trier", since = 2021 }',
                                                                           '{ slug = "treves", since = 2021 }')
    (tmp_path / "regions.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="peer member 'treves' is not a \\[\\[region\\]\\]") as err:
        regions.load(tmp_path / "regions.toml", validate_codes=False)
    assert err.value.field.startswith("peer_group")


def test_ranks_follow_the_direction_of_each_indicator():
    table = profile.profile("trier").set_index("indicator")
    listed = indicators.load().set_index("code")
    for code, row in table.iterrows():
        direction = listed.loc[code, "direction"]
        if direction == "higher":
            assert row["favour_kreise"] == row["rank_kreise"]
        elif direction == "lower":
            assert row["favour_kreise"] == pytest.approx(100 - row["rank_kreise"])
        else:
            assert np.isnan(row["favour_kreise"]) and pd.isna(row["region_rank"])
    assert profile.favourability(30.0, "lower") == 70.0 and profile.favourability(30.0, "higher") == 30.0
    lower = [c for c in table.index if listed.loc[c, "direction"] == "lower"]
    code = lower[0]
    values = profile.region_values(code, int(table.loc[code, "year"]))
    assert table.loc[code, "region_rank"] == 1 + int((values < values["trier"]).sum())  # 1 = lowest = best
