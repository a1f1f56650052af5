"""Module 1 (central functions): Christaller's surplus on a toy table, real values from the
committed tables (hand-computed in the comments), and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from regiopol import data, regions
from regiopol.core.errors import ConfigError
from regiopol.methods import centrality

TRIER_KREISE = ["07211", "07231", "07232", "07233", "07235"]  # Trier + the four Landkreise around it


# --------------------------------------------------------------------------- toy table

def test_importance_surplus_by_hand():
    supply = pd.Series([1000.0, 100.0, 0.0], index=["A", "B", "C"])
    population = pd.Series([100_000.0, 50_000.0, 50_000.0], index=["A", "B", "C"])
    table = centrality.importance_surplus(supply, population)
    # national rate = 1,100 / 200,000 = 0.0055 per inhabitant
    assert list(table["national_rate"]) == pytest.approx([0.0055] * 3)
    # expected = population × 0.0055 = 550, 275, 275
    assert list(table["expected"]) == pytest.approx([550, 275, 275])
    # surplus = supply − expected = 450, −175, −275 (sums to 0 over the whole table)
    assert list(table["surplus"]) == pytest.approx([450, -175, -275])
    # served beyond own = surplus / 0.0055 = 81,818.18, −31,818.18, −50,000 inhabitants
    assert list(table["served_beyond_own"]) == pytest.approx([81_818.1818, -31_818.1818, -50_000])
    # location quotient = supply / expected = 1.818, 0.364, 0
    assert list(table["surplus_ratio"]) == pytest.approx([1000 / 550, 100 / 275, 0])
    assert list(table.index) == ["A", "B", "C"]


def test_surplus_sums_to_zero_over_germany():
    for measure in centrality.MEASURES:
        table = centrality.surplus(measure)
        assert len(table) == 400
        assert table["surplus"].sum() == pytest.approx(0, abs=1e-6 * table["supply"].sum())
        assert table["served_beyond_own"].sum() == pytest.approx(0, abs=1e-3)


# --------------------------------------------------------------------------- supply, real values

def test_beds_wuerzburg_2019():
    beds = centrality.supply()["beds"]
    # the Universitätsklinikum Würzburg alone has 1,438 beds in 2019; with the other 8 sites
    # of the city (321 + 342 + 189 + 40 + 14 + 14 + 100 + 15) the Kreis has 2,473
    assert beds["09663"] >= 1438
    assert beds["09663"] == 2473
    assert len(beds) == 400 and (beds >= 0).all() and (beds == 0).sum() > 0  # Kreise without a site: 0


def test_national_bed_rate_against_inkar():
    rate = 1000 * centrality.surplus("beds")["national_rate"].iloc[0]
    # G-BA sites 2019: 514,091 beds / 83,166,711 inhabitants (31.12.2019) = 6.1815 per 1,000
    assert rate == pytest.approx(6.1815, abs=5e-4)
    inkar = data.load("inkar")
    inkar = inkar[(inkar["indicator"] == "q_betten_bev") & (inkar["year"] == 2019)].set_index("ags")["value"]
    population = data.load("population_series")
    population = population[population["year"] == 2019].set_index("ags")["population"].astype("float64")
    germany = (inkar * population).sum() / population.sum()
    # INKAR (hospital statistics): 5.99 per 1,000 for Germany. The G-BA quality reports count
    # 3.2 % more beds (6.18 / 5.99) – they are not the official hospital statistics.
    assert germany == pytest.approx(5.99, abs=0.005)
    assert 1.02 < rate / germany < 1.045


def test_doctors_are_reconstructed_from_the_inkar_ratio():
    table = centrality.supply()
    inkar = data.load("inkar")
    ratio = inkar[(inkar["indicator"] == "q_ärzte_bev") & (inkar["year"] == 2020)].set_index("ags")["value"]
    assert table.loc["07211", "doctors"] == pytest.approx(ratio["07211"] * 110_674 / 10_000)
    assert table.loc["07211", "population_doctors"] == 110_674  # Trier, 31.12.2020


def test_students_and_distance_learning():
    kept = centrality.supply()["students"]
    everything = centrality.supply(exclude_distance_learning=False)["students"]
    # FernUniversität in Hagen (62,638) is the only university in Hagen
    assert everything["05914"] - kept["05914"] == 62_638
    # Erfurt: Universität 5,897 + FH 4,063 + HMU 798; IU (108,364, mainly distance learning) dropped
    assert kept["16051"] == 10_758
    assert everything["16051"] == 10_758 + 108_364
    universities = data.load("universities")
    dropped = set(universities.loc[centrality.is_distance_learning(universities), "short_name"])
    assert dropped == {
        "Bremen FernFH", "Darmstadt FernH", "Hagen FernU", "Hamburg EFH", "Hamburg FernH", "Riedlingen SRH",
        "Erfurt IU", "Stuttgart AKAD", "Nordhessen FH", "Konstanz AllensbachH", "Saarbrücken DHfPG",
        "Düsseldorf IST",
    }
    assert "München HFF" not in dropped  # Hochschule für Fernsehen und Film: "Fern", but not distance learning


def test_supply_is_a_copy():
    table = centrality.supply()
    table.loc["09663", "beds"] = -1
    assert centrality.supply().loc["09663", "beds"] == 2473


# --------------------------------------------------------------------------- region tables

def test_surplus_table_trier():
    table = centrality.surplus_table("trier")
    assert len(table) == 4 * (len(TRIER_KREISE) + 1)
    beds = table[table["measure"] == "beds"]
    assert list(beds["ags"]) == [*TRIER_KREISE, ""]
    assert list(beds["role"]) == ["core"] + 4 * ["surrounding"] + ["region"]
    region = beds.iloc[-1]
    kreise = beds.iloc[:-1]
    for column in ("supply", "population", "expected", "surplus", "served_beyond_own"):
        assert region[column] == pytest.approx(kreise[column].sum())
    assert region["surplus_ratio"] == pytest.approx(region["supply"] / region["expected"])
    # Trier, Stadt 2019: 1,761 beds, 111,528 inhabitants; expected 111,528 × 514,091 / 83,166,711 = 689.4
    core = beds.iloc[0]
    assert core["supply"] == 1761
    assert core["expected"] == pytest.approx(111_528 * 514_091 / 83_166_711)
    students = table[(table["measure"] == "students")].iloc[:-1]
    assert list(students["supply"]) == [17_869, 0, 0, 0, 0]  # Uni 11,034 + Hochschule 6,688 + ThFak 147


def test_core_shares_trier():
    assert sorted(regions.get("trier").kreise) == TRIER_KREISE
    shares = centrality.core_shares("trier").set_index("measure")
    population = data.load("kreise").set_index("ags")["population"]  # 31.12.2020
    expected = population["07211"] / population[TRIER_KREISE].sum()
    for measure in ("doctors", "students", "jobs"):  # set against the population of 2020
        assert shares.loc[measure, "population_share"] == pytest.approx(expected)
    series = data.load("population_series")
    series = series[series["year"] == 2019].set_index("ags")["population"]
    assert shares.loc["beds", "population_share"] == pytest.approx(series["07211"] / series[TRIER_KREISE].sum())
    # beds: 1,761 of 3,504 in the region (551 + 382 + 416 + 394 in the Landkreise)
    assert shares.loc["beds", "core_value"] == 1761
    assert shares.loc["beds", "region_value"] == 3504
    assert shares.loc["students", "core_share"] == 1.0
    assert (shares["ratio"] == shares["core_share"] / shares["population_share"]).all()


def test_paderborn_refers_to_the_landkreis():
    table = centrality.surplus_table("paderborn")
    core = table[table["role"] == "core"]
    assert set(core["ags"]) == {"05774"}
    # Universität 18,502 + FHDW 2,021 + Theologische Fakultät 71, all in the Landkreis Paderborn
    assert core.loc[core["measure"] == "students", "supply"].item() == 20_594


# --------------------------------------------------------------------------- job centrality

def test_job_centrality_wuerzburg_2020():
    table = centrality.job_centrality("wuerzburg").set_index(["ags", "year"])
    # Würzburg, Stadt: 91,645 jobs / 126,954 inhabitants = 721.876 per 1,000;
    # Germany: 33,321,503 / 83,155,031 = 400.715 per 1,000 → index 721.876 / 400.715 = 1.801
    assert table.loc[("09663", 2020), "jobs_per_1000"] == pytest.approx(721.876, abs=5e-4)
    assert table.loc[("09663", 2020), "index"] == pytest.approx(1.801, abs=5e-4)
    # Landkreis Würzburg: 40,629 / 162,697 = 249.722 per 1,000 → index 0.623
    assert table.loc[("09679", 2020), "jobs_per_1000"] == pytest.approx(249.722, abs=5e-4)
    assert table.loc[("09679", 2020), "index"] == pytest.approx(0.623, abs=5e-4)
    assert (table.xs("09663")["index"] > 1.5).all() and (table.xs("09679")["index"] < 1).all()


def test_job_centrality_germany_is_one():
    table = centrality.job_centrality()
    germany = table[table["role"] == "germany"]
    assert list(germany["year"]) == list(range(2015, 2021))
    assert (germany["index"] == 1.0).all()
    assert germany.loc[germany["year"] == 2020, "jobs_per_1000"].item() == pytest.approx(400.715, abs=5e-4)
    assert len(table) == 6 * 401
    region = centrality.job_centrality("trier", years=[2020])
    assert list(region["role"]) == ["core"] + 4 * ["surrounding"] + ["region", "germany"]
    total = region[region["role"] == "region"].iloc[0]
    assert total["jobs"] == region[region["ags"].isin(TRIER_KREISE)]["jobs"].sum()


# --------------------------------------------------------------------------- bad input

def test_unknown_measure():
    with pytest.raises(ConfigError, match="field 'measure'") as err:
        centrality.surplus("hospitals")
    assert "beds, doctors, students, jobs" in str(err.value)


def test_years_outside_the_data():
    with pytest.raises(ConfigError, match="field 'year_beds'") as err:
        centrality.supply(year_beds=2020)
    assert "2015, 2016, 2017, 2018, 2019" in str(err.value)
    with pytest.raises(ConfigError, match="field 'year_doctors'.*2015, 2016, 2017, 2018, 2019, 2020$"):
        centrality.surplus("doctors", year_doctors=2022)  # INKAR has 2022, the population series ends 2020
    with pytest.raises(ConfigError, match="field 'years'.*2015, 2016, 2017, 2018, 2019, 2020$"):
        centrality.job_centrality("trier", years=range(2014, 2021))


def test_unknown_option():
    with pytest.raises(ConfigError, match="field 'year_bed'"):
        centrality.core_shares("trier", year_bed=2019)
