"""Module 2 – infrastructure demand (regiopol.methods.demand): rates, demand, supply and gap.

Expected values are worked out by hand from the rate files (../shared/data/rates) and the
embedded official tables, not taken from the code under test.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from regiopol import data
from regiopol.core.errors import ConfigError, InputFormatError
from regiopol.core.paths import DATA_DIR
from regiopol.methods import centrality, demand, projection

RATES_TOML = (DATA_DIR / "demand_rates.toml").read_text(encoding="utf-8")
TRIER = ["07211", "07231", "07232", "07233", "07235"]
TOY = "99999"  # not a Kreis and not a Land: national rates, care factor 1


def toy(rows, ags=TOY, year=2030) -> pd.DataFrame:
    """A population frame from (sex, age, population) triples."""
    return pd.DataFrame([{"ags": ags, "year": year, "sex": s, "age": a, "population": float(p)}
                         for s, a, p in rows])


def value(frame: pd.DataFrame, item: str, ags: str | None = None, year: int | None = None) -> float:
    rows = frame[frame["item"] == item]
    if ags is not None:
        rows = rows[rows["ags"] == ags]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) == 1, rows
    return float(rows["demand"].iloc[0])


def inkar(indicator: str, ags: str, year: int) -> float:
    table = data.load("inkar")
    rows = table[(table["indicator"] == indicator) & (table["ags"] == ags) & (table["year"] == year)]
    return float(rows["value"].iloc[0])


def official_group(ags, year: int, age_from: int) -> float:
    table = data.load("population_by_age")
    rows = table[table["ags"].isin([ags] if isinstance(ags, str) else list(ags))
                 & (table["year"] == year) & (table["age_from"] == age_from)]
    return float(rows["population"].sum())


def write_rates(tmp_path, text: str):
    path = tmp_path / "demand_rates.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- rate file

def test_rate_items_sources_and_flags():
    table = demand.rates().set_index("item")
    assert list(table.index) == ["u3_places", "kita_places", "primary_pupils", "primary_classes",
                                 "secondary_pupils", "study_places", "hospital_cases", "hospital_beds",
                                 "care_recipients", "nursing_home_places", "gp_observed", "gp_planning"]
    assert set(table["verification"]) == {"official", "derived", "UNVERIFIED"}
    # the README marks the Verhältniszahl 1:1,609 unverified; the hospital case profile rests on
    # four rounded BW 2014 press figures – both carried through as UNVERIFIED
    assert table.loc["gp_planning", "verification"] == "UNVERIFIED"
    assert table.loc[["hospital_cases", "hospital_beds"], "verification"].tolist() == ["UNVERIFIED"] * 2
    assert table.loc[["u3_places", "kita_places", "gp_observed"], "verification"].tolist() == ["official"] * 3
    assert table.loc["gp_planning", "default"] == False  # noqa: E712 – the observed ratio is the default
    assert table.loc["u3_places", ["label", "unit", "ages"]].tolist() == [
        "Plätze in der Kindertagesbetreuung für Kinder unter 3 Jahren", "Plätze", "0–2"]
    assert table.loc["secondary_pupils", "ages"] == "10–18"
    assert (table["source"].str.len() > 20).all() and (table["supply_note"].str.len() > 20).all()
    # resolved from the rate files: INKAR DE 2020 U3 35.26 %, class size 21 (RP 19), 1:1,609
    assert table.loc["u3_places", "rate"] == pytest.approx(0.3526)
    assert table.loc["kita_places", "rate"] == pytest.approx(0.9089)
    assert table.loc["primary_classes", "rate"] == pytest.approx(1 / 21)
    assert "07 19" in table.loc["primary_classes", "resolved"]
    assert table.loc["gp_planning", "rate"] == pytest.approx(1 / 1609)


def test_default_items_leave_out_the_planning_ratio():
    frame = demand.demand(toy([("w", 40, 1000)]))
    assert "gp_planning" not in set(frame["item"]) and "gp_observed" in set(frame["item"])
    assert value(demand.demand(toy([("w", 40, 16_090)]), "gp_planning"), "gp_planning") == pytest.approx(10.0)


# --------------------------------------------------------------------------- toy populations by hand

def test_u3_quota_by_hand(tmp_path):
    # 100 children aged 1 at a quota of 36.4 % (Destatis 1.3.2023) → 36.4 places
    path = write_rates(tmp_path, """
[[item]]
key = "u3"
label = "U3-Plätze"
unit = "Plätze"
rule = "quota"
ages = [0, 2]
rate = 0.364
supply = { kind = "observed_use" }
supply_note = "observed use"
source = "Destatis 1.3.2023"
verification = "official"
""")
    frame = demand.demand(toy([("m", 1, 60), ("w", 1, 40), ("m", 3, 500)]), rates_file=path)
    assert value(frame, "u3") == pytest.approx(36.4)


def test_u3_fallback_kreis_then_land_then_germany():
    rows = [("m", 0, 30), ("w", 2, 70)]  # 100 children under 3
    population = pd.concat([toy(rows, "07211"), toy(rows, "07999"), toy(rows, TOY)], ignore_index=True)
    frame = demand.demand(population, ["u3_places"])
    assert value(frame, "u3_places", "07211") == pytest.approx(35.52)   # Trier's own INKAR quota 2020
    assert inkar("a_betr0003_bev0003", "07211", 2020) == 35.52
    assert value(frame, "u3_places", "07999") == pytest.approx(31.22)   # no such Kreis: Rheinland-Pfalz 2020
    assert value(frame, "u3_places", TOY) == pytest.approx(35.26)       # no Land either: Germany 2020


def test_care_quotas_by_hand_from_the_2021_table(tmp_path):
    population = toy([("m", 80, 100), ("w", 80, 100), ("w", 95, 10), ("m", 10, 1000), ("m", 86, 50)])
    frame = demand.demand(population, ["care_recipients"])
    # 100 × 19.6 % + 100 × 27.1 % + 10 × 86.4 % + 1,000 × 2.3 % + 50 × 43.2 %, factor 1 (no Kreis data)
    assert value(frame, "care_recipients") == pytest.approx(19.6 + 27.1 + 8.64 + 23.0 + 21.6)
    # without sex: the total quota 75–84 of 23.9 %
    path = write_rates(tmp_path, RATES_TOML.replace("by_sex = true", "by_sex = false"))
    frame = demand.demand(toy([("m", 80, 100)]), ["care_recipients"], rates_file=path)
    assert value(frame, "care_recipients") == pytest.approx(23.9)


def test_care_calibrated_to_the_observed_kreis_count():
    care = data.load("care_recipients")
    observed = care[(care["ags"] == "05711") & (care["year"] == 2019) & (care["sex"] == "insgesamt")]
    assert observed["care_total"].tolist() == [17280.0]
    frame = demand.demand(demand.observed_population(2019, ["05711"]), ["care_recipients"])
    assert value(frame, "care_recipients") == pytest.approx(17280.0, abs=1e-6)
    # 2020: same Kreis factor, one year older population – within 2 % of 2019
    frame = demand.demand(demand.observed_population(2020, ["05711"]), ["care_recipients"])
    assert value(frame, "care_recipients") == pytest.approx(17280.0, rel=0.02)
    assert value(frame, "care_recipients") != pytest.approx(17280.0, abs=1)


def test_nursing_home_places_follow_the_inpatient_share():
    population = demand.observed_population(2019, ["05711", "07211"])
    frame = demand.demand(population, ["nursing_home_places"])
    care = data.load("care_recipients")
    inpatient = care[(care["year"] == 2019) & (care["sex"] == "insgesamt")].set_index("ags")["care_inpatient"]
    # calibrated 2019 care × observed inpatient share = observed inpatient recipients, × places per recipient
    per_place = value(frame, "nursing_home_places", "05711") / inpatient["05711"]
    assert inpatient["05711"] == 2767
    assert value(frame, "nursing_home_places", "07211") / inpatient["07211"] == pytest.approx(per_place)
    assert 1.0 < per_place < 1.2
    # calibration: Germany's base-year demand equals Germany's places (INKAR q_pflpl_bev 2019)
    national = demand.demand(demand.observed_population(2020), ["nursing_home_places"])["demand"].sum()
    places = data.load("inkar")
    places = places[(places["indicator"] == "q_pflpl_bev") & (places["year"] == 2019)].set_index("ags")["value"]
    series = data.load("population_series")
    population_2019 = series[series["year"] == 2019].set_index("ags")["population"].astype(float)
    assert national == pytest.approx((places * population_2019 / 10_000).sum(), rel=1e-9)


def test_hospital_cases_and_beds_by_hand():
    population = toy([("m", 95, 1000), ("w", 72, 1000), ("w", 52, 1000)])
    frame = demand.demand(population, ["hospital_cases", "hospital_beds"])
    cases = value(frame, "hospital_cases")
    # beds = cases × ALOS / 365 / occupancy, Germany 2022: 7.2 days, 69.0 %
    assert value(frame, "hospital_beds") == pytest.approx(cases * 7.2 / 365 / 0.69)
    # the BW 2014 profile: 90+ 67,000, 70–74 37,000, 50–54 15,000 per 100,000 – ratios kept
    one = {age: value(demand.demand(toy([("w", age, 1000)]), ["hospital_cases"]), "hospital_cases")
           for age in (52, 72, 95)}
    assert one[95] / one[72] == pytest.approx(67 / 37)
    assert one[72] / one[52] == pytest.approx(37 / 15)
    assert cases == pytest.approx(sum(one.values()))
    # below 50 the profile is flat at the level that gives BW's population (2015) its all-ages
    # rate of 20,200 per 100,000, i.e. 20,200/15,000 of the rate at 52
    bw = demand.observed_population(2015, [k for k in data.load("kreise")["ags"] if k.startswith("08")])
    bw_cases = demand.demand(bw, ["hospital_cases"])["demand"].sum()
    assert bw_cases / bw["population"].sum() == pytest.approx(one[52] / 1000 * 20_200 / 15_000)
    young = value(demand.demand(toy([("m", 30, 1000)]), ["hospital_cases"]), "hospital_cases")
    assert young == pytest.approx(value(demand.demand(toy([("m", 5, 1000)]), ["hospital_cases"]), "hospital_cases"))
    assert 0.75 < young / one[52] < 0.95
    # level: Germany's 2020 population at 2022 cases per inhabitant =
    # 16,805,170 / (480,382 beds / 573 per 100,000)
    national = demand.demand(demand.observed_population(2020), ["hospital_cases"])["demand"].sum()
    assert national / 83_155_031 == pytest.approx(16_805_170 / (480_382 / 573 * 100_000))


def test_schools_by_hand():
    population = pd.concat([toy([("m", 8, 210), ("w", 12, 100), ("w", 17, 100)], "07211"),
                            toy([("m", 8, 210)], "05711")], ignore_index=True)
    frame = demand.demand(population, ["primary_pupils", "primary_classes", "secondary_pupils"])
    assert value(frame, "primary_pupils", "07211") == 210
    assert value(frame, "primary_classes", "07211") == pytest.approx(210 / 19)   # Rheinland-Pfalz 19 per class
    assert value(frame, "primary_classes", "05711") == pytest.approx(210 / 23)   # Nordrhein-Westfalen 23
    share = (value(frame, "secondary_pupils", "07211") - 100) / 100               # ages 16–18: calibrated share
    # Germany's general-school pupils (INKAR q_sch 2020) = ages 6–15 + share × ages 16–18
    table = data.load("inkar")
    q_sch = table[(table["indicator"] == "q_sch") & (table["year"] == 2020)].set_index("ags")["value"]
    series = data.load("population_series")
    population_2020 = series[series["year"] == 2020].set_index("ags")["population"].astype(float)
    pupils = (q_sch * population_2020 / 100).sum()
    kreise = data.load("kreise")["ags"]
    ages_6_15 = sum(official_group(kreise, 2020, a) for a in (6, 10)) + official_group(kreise, 2020, 15) / 3
    ages_16_18 = official_group(kreise, 2020, 15) * 2 / 3 + official_group(kreise, 2020, 18) / 2
    assert share == pytest.approx((pupils - ages_6_15) / ages_16_18)
    assert 0.3 < share < 0.5


def test_study_rate_is_germanys_students_per_18_to_24_year_old():
    rates = demand.rates().set_index("item")
    kreise = data.load("kreise")["ags"]
    students = centrality.supply()["students"].sum()
    by_hand = students / (official_group(kreise, 2020, 18) + official_group(kreise, 2020, 20))
    assert rates.loc["study_places", "rate"] == pytest.approx(by_hand)
    frame = demand.demand(toy([("w", 21, 1000), ("w", 30, 1000)]), ["study_places"])
    assert value(frame, "study_places") == pytest.approx(1000 * by_hand)


# --------------------------------------------------------------------------- observed population adapter

def test_observed_population_keeps_the_official_groups():
    frame = demand.observed_population(2020, ["07211"])
    assert list(frame.columns) == ["ags", "year", "sex", "age", "population"]
    assert len(frame) == 2 * 101 and frame["age"].tolist()[:3] == [0, 1, 2] and frame["age"].max() == 100
    men = frame[frame["sex"] == "m"].set_index("age")["population"]
    table = data.load("population_by_age")
    groups = table[(table["ags"] == "07211") & (table["year"] == 2020) & (table["sex"] == "m")]
    assert men.sum() == pytest.approx(groups["population"].sum())
    assert men.loc[6:9].tolist() == pytest.approx([groups.loc[groups["age_from"] == 6, "population"].iloc[0] / 4] * 4)
    # open group 75+: 90+ share of men = 2021 GBE-implied 167,658/0.696 of all men 75+
    implied = np.array([566_764 / 0.196, 287_867 / 0.432, 167_658 / 0.696])
    open_group = groups.loc[groups["age_from"] == 75, "population"].iloc[0]
    assert men.loc[90:].sum() / open_group == pytest.approx(implied[2] / implied.sum())
    assert men.loc[75] == pytest.approx(men.loc[84]) and men.loc[90] > men.loc[95] > men.loc[100]


# --------------------------------------------------------------------------- supply and gap

def test_supply_today_conversions():
    supply = demand.supply_today().set_index(["ags", "item"])
    assert supply.index.get_level_values("ags").nunique() == 400
    series = data.load("population_series")
    trier_2020 = float(series[(series["ags"] == "07211") & (series["year"] == 2020)]["population"].iloc[0])
    assert supply.loc[("07211", "gp_observed"), "supply"] == pytest.approx(6.01 * trier_2020 / 10_000)
    assert supply.loc[("07211", "hospital_beds"), "supply"] == centrality.supply().loc["07211", "beds"]
    assert supply.loc[("07211", "hospital_beds"), "year"] == 2019
    # secondary: pupils at the Kreis' general schools minus its children 6–9
    assert supply.loc[("07211", "secondary_pupils"), "supply"] == pytest.approx(
        11.03 * trier_2020 / 100 - official_group("07211", 2020, 6))
    # U3 approximated by observed use: Betreuungsquote × children under 3
    assert supply.loc[("07211", "u3_places"), "supply"] == pytest.approx(0.3552 * official_group("07211", 2020, 0))
    assert supply.loc[("05711", "care_recipients"), "supply"] == 17280
    assert "observed use" in supply.loc[("07211", "u3_places"), "source"]


def test_gap_for_a_toy_region_by_hand():
    kreise = ["07211", "07235"]
    base = demand.observed_population(2020, kreise)
    grown = base.assign(year=2030, population=np.where(base["age"] <= 2, 1.1, 1.0) * base["population"])
    halved = base.assign(year=2035, population=base["population"] / 2)
    population = pd.concat([base, grown, halved], ignore_index=True)
    table = demand.gap(population, kreise, years=(2030, 2035),
                       items=["u3_places", "gp_observed", "care_recipients"]).set_index(["item", "year"])
    assert list(table.columns) == ["demand", "supply", "gap", "gap_pct"]
    assert list(table.index) == [(i, y) for i in ("u3_places", "gp_observed", "care_recipients")
                                 for y in (2020, 2030, 2035)]
    u3_places = sum(inkar("a_betr0003_bev0003", k, 2020) / 100 * official_group(k, 2020, 0) for k in kreise)
    assert table.loc[("u3_places", 2020), ["demand", "supply", "gap"]].tolist() == pytest.approx([u3_places, u3_places, 0])
    assert table.loc[("u3_places", 2030), "gap"] == pytest.approx(0.1 * u3_places)
    assert table.loc[("u3_places", 2030), "gap_pct"] == pytest.approx(10.0)
    assert table.loc[("u3_places", 2035), "gap_pct"] == pytest.approx(-50.0)
    series = data.load("population_series").set_index(["ags", "year"])["population"]
    doctors = sum(inkar("q_hausarzt_bev", k, 2020) * series[(k, 2020)] / 10_000 for k in kreise)
    assert table.loc[("gp_observed", 2035), "supply"] == pytest.approx(doctors)
    assert table.loc[("gp_observed", 2035), "demand"] == pytest.approx(doctors / 2)
    care = data.load("care_recipients")
    care = care[care["ags"].isin(kreise) & (care["year"] == 2019) & (care["sex"] == "insgesamt")]["care_total"].sum()
    assert table.loc[("care_recipients", 2035), "supply"] == care
    assert table.loc[("care_recipients", 2035), "demand"] == pytest.approx(table.loc[("care_recipients", 2020), "demand"] / 2)
    # the base year comes from the frame too (the projection's own 2020), not from a second disaggregation
    doubled = pd.concat([base.assign(population=base["population"] * 2), grown], ignore_index=True)
    again = demand.gap(doubled, kreise, years=(2030,), items=["u3_places"]).set_index("year")
    assert again.loc[2020, "demand"] == pytest.approx(2 * u3_places)


def test_gap_takes_a_projection_as_it_takes_its_frame():
    result = projection.project()
    from_projection = demand.gap(result, "trier", years=(2030, 2045))
    from_frame = demand.gap(result.frame(), "trier", years=(2030, 2045))
    pd.testing.assert_frame_equal(from_projection, from_frame)
    small = result.subset(TRIER, (2020, 2030))
    assert list(small.ags) == list(TRIER) and list(small.years) == [2020, 2030] and small.births is None
    assert small.population.sum() == pytest.approx(result.population[np.isin(result.ags, TRIER)][..., [0, 10]].sum())


def test_gap_needs_the_base_year_in_the_frame():
    grown = demand.observed_population(2020, TRIER).assign(year=2030)
    with pytest.raises(ConfigError, match="no 2020 for Kreis 07211") as err:
        demand.gap(grown, "trier", years=(2030,))
    assert "projection from 2020" in err.value.fix


def test_gap_accepts_a_region_slug_and_needs_the_years():
    base = demand.observed_population(2020, TRIER)
    table = demand.gap(base, "trier", years=())
    assert set(table["year"]) == {2020}
    assert table.set_index("item").loc["gp_observed", "gap"] == pytest.approx(0, abs=1e-9)
    with pytest.raises(ConfigError, match="no 2030 for Kreis 07211") as err:
        demand.gap(base, "trier", years=(2030,))
    assert err.value.field == "years"


def test_demand_is_deterministic_and_tidy():
    population = demand.observed_population(2020, TRIER)
    first = demand.demand(population)
    second = demand.demand(population.sample(frac=1, random_state=1))
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == ["ags", "year", "item", "demand"]
    assert first["ags"].tolist()[:2] == ["07211", "07211"] and len(first) == 5 * 11


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda t: t.replace('rule = "quota"\nages = [0, 2]', 'rule = "quota"\ncolour = "red"\nages = [0, 2]', 1),
         "u3_places.colour", "unknown field 'colour'"),
        (lambda t: t.replace("ages = [6, 9]\nrate = 1.0", "ages = [6, 9]\nrate = -1.0", 1),
         "primary_pupils.rate", r"rate -1\.0 must be at least 0"),
        (lambda t: t.replace('verification = "official"', 'verification = "verified"', 1),
         "u3_places.verification", "unknown verification 'verified'"),
        (lambda t: t.replace('of = "primary_pupils"', 'of = "pupils"', 1),
         "primary_classes.of", "unknown item 'pupils'"),
        (lambda t: t.replace('supply = { kind = "module1", measure = "students" }',
                             'supply = { kind = "module1", measure = "students", year = 2023 }', 1),
         "study_places.supply.year", "unknown field 'year'"),
        (lambda t: t.replace('label = "Grundschulklassen"\n', "", 1), "primary_classes.label", "required field 'label'"),
        (lambda t: t.replace("occupancy = {", "occupancy = 69.0 #", 1), "hospital_beds.occupancy",
         "must be greater than 0 and at most 1"),
    ],
)
def test_bad_rate_file_names_the_field(tmp_path, change, field, message):
    text = change(RATES_TOML)
    assert text != RATES_TOML
    path = write_rates(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as err:
        demand.rates(path)
    assert err.value.field == field
    assert err.value.file == str(path)


@pytest.fixture
def rates_copy(tmp_path, monkeypatch):
    """A copy of the shared rates directory, used through REGIOPOL_RATES_DIR."""
    directory = tmp_path / "rates"
    shutil.copytree(demand.rates_dir(), directory)
    monkeypatch.setenv("REGIOPOL_RATES_DIR", str(directory))
    return directory


@pytest.mark.parametrize(("file", "column"), [("care_pflegequoten.csv", "pflegequote_pct"),
                                               ("hospital_utilisation.csv", "measure"),
                                               ("schools_class_size.csv", "school_type")])
def test_rate_file_without_a_column_names_the_file(rates_copy, file, column):
    path = rates_copy / file
    table = pd.read_csv(path, comment="#", dtype=str)
    table.drop(columns=[column]).to_csv(path, index=False)
    with pytest.raises(InputFormatError, match=f"column '{column}' is missing") as err:
        demand.rates()
    assert err.value.file == str(path)


def test_bad_population_frame():
    with pytest.raises(InputFormatError, match="lacks column 'age'") as err:
        demand.demand(toy([("m", 1, 5)]).drop(columns="age"))
    assert err.value.field == "age"
    with pytest.raises(InputFormatError, match="sex 'x'"):
        demand.demand(toy([("x", 1, 5)]))
    with pytest.raises(InputFormatError, match="whole years 0..100"):
        demand.demand(toy([("m", 101, 5)]))
    with pytest.raises(ConfigError, match="unknown demand item 'schools'") as err:
        demand.demand(toy([("m", 1, 5)]), ["schools"])
    assert err.value.field == "items"
