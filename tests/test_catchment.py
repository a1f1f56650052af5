"""Module 1 catchment models: Huff, 2SFCA, centroids and distances – hand-computed toy cases
and relations on the committed tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from regiopol import data
from regiopol.core.errors import ConfigError, InputFormatError
from regiopol.methods import catchment

R = 6371.0088
DEGREE_KM = 2 * math.pi * R / 360  # 111.19508 km: 1° of latitude, or of longitude on the equator


# --------------------------------------------------------------------------- Huff, by hand

# Destinations X, Y, Z with A = 1, 2, 4; origins o1, o2.
#   d(o1) = 1, 2, 2  →  A·d^-2 = 1, 2/4, 4/4 = 1, 1/2, 1    sum 5/2  →  P = 2/5, 1/5, 2/5
#   d(o2) = 2, 1, 4  →  A·d^-2 = 1/4, 2, 4/16 = 1/4, 2, 1/4 sum 5/2  →  P = 1/10, 4/5, 1/10
ATTRACTIVENESS = pd.Series([1.0, 2.0, 4.0], index=["X", "Y", "Z"])
DISTANCES = pd.DataFrame([[1.0, 2.0, 2.0], [2.0, 1.0, 4.0]], index=["o1", "o2"], columns=["X", "Y", "Z"])
POPULATION = pd.Series([100, 200], index=["o1", "o2"])


def test_huff_by_hand():
    p = catchment.huff(ATTRACTIVENESS, DISTANCES, alpha=1, beta=2)
    assert list(p.index) == ["o1", "o2"] and list(p.columns) == ["X", "Y", "Z"]
    assert p.to_numpy() == pytest.approx(np.array([[2 / 5, 1 / 5, 2 / 5], [1 / 10, 4 / 5, 1 / 10]]))
    assert p.sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])


def test_population_served_by_hand():
    p = catchment.huff(ATTRACTIVENESS, DISTANCES)
    # X: 2/5·100 + 1/10·200 = 60;  Y: 1/5·100 + 4/5·200 = 180;  Z: 2/5·100 + 1/10·200 = 60
    assert catchment.population_served(p, POPULATION, "X") == pytest.approx(60)
    assert catchment.population_served(p, POPULATION, "Y") == pytest.approx(180)
    assert catchment.population_served(p, POPULATION, "Z") == pytest.approx(60)


@pytest.mark.parametrize("empty", [0, np.nan, pd.NA])
def test_huff_zero_or_missing_attractiveness_gets_nothing(empty):
    a = pd.Series([1, empty, 4], index=["X", "Y", "Z"], dtype="Float64")
    # Y drops out of the sum: o1: 1, 1 → 1/2, 0, 1/2;  o2: 1/4, 1/4 → 1/2, 0, 1/2
    p = catchment.huff(a, DISTANCES)
    assert p.to_numpy() == pytest.approx(np.array([[1 / 2, 0, 1 / 2], [1 / 2, 0, 1 / 2]]))
    # also with alpha = 0, where 0^0 would be 1
    p0 = catchment.huff(a, DISTANCES, alpha=0, beta=0)
    assert p0.to_numpy() == pytest.approx(np.array([[1 / 2, 0, 1 / 2], [1 / 2, 0, 1 / 2]]))


def test_huff_exponent_special_cases():
    # alpha = beta = 0: every destination equally likely
    assert catchment.huff(ATTRACTIVENESS, DISTANCES, 0, 0).to_numpy() == pytest.approx(np.full((2, 3), 1 / 3))
    # beta = 0: shares of attractiveness 1/7, 2/7, 4/7 for every origin
    assert catchment.huff(ATTRACTIVENESS, DISTANCES, 1, 0).to_numpy() == pytest.approx(
        np.array([[1 / 7, 2 / 7, 4 / 7]] * 2))
    # alpha = 0, beta = 2: o1 d^-2 = 1, 1/4, 1/4 (sum 3/2) → 2/3, 1/6, 1/6
    assert catchment.huff(ATTRACTIVENESS, DISTANCES, 0, 2).loc["o1"].to_numpy() == pytest.approx([2 / 3, 1 / 6, 1 / 6])


def test_huff_subset_of_destinations_and_large_beta():
    # only X and Z compete; o1: 1, 1 → 1/2, 1/2;  o2: 1/4, 1/4 → 1/2, 1/2
    p = catchment.huff(ATTRACTIVENESS[["X", "Z"]], DISTANCES)
    assert list(p.columns) == ["X", "Z"]
    assert p.to_numpy() == pytest.approx(np.full((2, 2), 1 / 2))
    # beta = 400 overflows d^-beta in plain floats; the nearest destination takes (almost) all
    far = catchment.huff(ATTRACTIVENESS, DISTANCES / 1000, 1, 400)
    assert far.loc["o2", "Y"] == pytest.approx(1.0)
    assert np.isfinite(far.to_numpy()).all()


def test_huff_sensitivity_by_hand():
    # Kreise a, b: d = [[1, 3], [3, 2]], A = 3, 1, population 100, 300.
    # alpha = 1, beta = 2:  a: 3/1, 1/9 (sum 28/9) → P_aa = 27/28;  b: 3/9, 1/4 (sum 7/12) → P_ba = 4/7
    #   served(a) = 100·27/28 + 300·4/7 = 675/7 + 1200/7 = 1875/7;  ratio = 1875/700 = 75/28
    #   share outside = (1200/7) / (1875/7) = 0.64
    # beta = 0: P_·a = 3/4 → served = 300, outside 225/300 = 0.75
    d = pd.DataFrame([[1.0, 3.0], [3.0, 2.0]], index=["a", "b"], columns=["a", "b"])
    a, population = pd.Series([3, 1], index=["a", "b"]), pd.Series([100, 300], index=["a", "b"])
    table = catchment.huff_sensitivity(a, d, population, "a", alphas=(1.0,), betas=(0.0, 2.0))
    assert list(table.columns) == ["alpha", "beta", "population_served", "own_population", "ratio", "share_outside"]
    row = table.set_index("beta").loc[2.0]
    assert row["population_served"] == pytest.approx(1875 / 7)
    assert row["own_population"] == 100
    assert row["ratio"] == pytest.approx(75 / 28)
    assert row["share_outside"] == pytest.approx(0.64)
    row = table.set_index("beta").loc[0.0]
    assert (row["population_served"], row["share_outside"]) == pytest.approx((300, 0.75))
    full = catchment.huff_sensitivity(a, d, population, "a")
    assert len(full) == 3 * 5 and set(full["alpha"]) == {0.5, 1.0, 1.5}


def test_huff_bad_input():
    with pytest.raises(ConfigError, match="destination Q.*has no distances"):
        catchment.huff(pd.Series([1.0, 2.0], index=["X", "Q"]), DISTANCES)
    with pytest.raises(ConfigError, match="destination Y has negative attractiveness") as err:
        catchment.huff(pd.Series([1.0, -2.0], index=["X", "Y"]), DISTANCES)
    assert err.value.field == "attractiveness" and err.value.fix
    with pytest.raises(ConfigError, match="must not be negative") as err:
        catchment.huff(ATTRACTIVENESS, DISTANCES, alpha=-1)
    assert err.value.field == "alpha"
    with pytest.raises(ConfigError) as err:
        catchment.huff(ATTRACTIVENESS, DISTANCES, beta=-0.5)
    assert err.value.field == "beta"
    zero = DISTANCES.copy()
    zero.loc["o2", "Z"] = 0.0
    with pytest.raises(ConfigError, match="from o2 to Z is 0.0"):
        catchment.huff(ATTRACTIVENESS, zero)
    with pytest.raises(ConfigError, match="no destination has a positive attractiveness"):
        catchment.huff(ATTRACTIVENESS * 0, DISTANCES)
    with pytest.raises(ConfigError, match="destination W"):
        catchment.population_served(catchment.huff(ATTRACTIVENESS, DISTANCES), POPULATION, "W")
    with pytest.raises(ConfigError, match="no population for origin o2"):
        catchment.population_served(catchment.huff(ATTRACTIVENESS, DISTANCES), POPULATION[["o1"]], "X")


# --------------------------------------------------------------------------- distances

def test_haversine():
    assert catchment.haversine_km(50, 7, 51, 7) == pytest.approx(111.195, abs=0.01)
    assert catchment.haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
    assert catchment.haversine_km(0, 0, 0, 90) == pytest.approx(math.pi * R / 2)  # a quarter of the equator
    assert catchment.haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * R)  # antipodes
    assert catchment.haversine_km(10, 20, 10, 20) == 0.0
    km = catchment.haversine_km(np.zeros((3, 1)), np.zeros((3, 1)), np.zeros((1, 4)), np.arange(4)[None, :])
    assert km.shape == (3, 4)
    assert km[2] == pytest.approx(np.arange(4) * DEGREE_KM)


def test_distance_matrix():
    origins = pd.DataFrame({"lat": [0.0, 1.0], "lon": [0.0, 0.0]}, index=["p", "q"])
    destinations = pd.DataFrame({"lat": [0.0, 0.0, 0.0], "lon": [0.0, 1.0, 2.0]}, index=["u", "v", "w"])
    km = catchment.distance_matrix(origins, destinations)
    assert list(km.index) == ["p", "q"] and list(km.columns) == ["u", "v", "w"]
    assert km.loc["p"].to_numpy() == pytest.approx([0, DEGREE_KM, 2 * DEGREE_KM])
    assert km.loc["q", "u"] == pytest.approx(DEGREE_KM)
    square = catchment.distance_matrix(origins)
    assert square.to_numpy() == pytest.approx(np.array([[0, DEGREE_KM], [DEGREE_KM, 0]]))
    with pytest.raises(InputFormatError, match="destination row 'v'") as err:
        catchment.distance_matrix(origins, destinations.assign(lat=[0.0, np.nan, 0.0]))
    assert err.value.field == "lat"


# --------------------------------------------------------------------------- centroids

def test_kreis_centroids_by_hand():
    gemeinden = pd.DataFrame({
        "ags": ["A", "A", "A", "A", "B", "C"],
        "lat": [50.0, 51.0, np.nan, 52.0, 48.0, np.nan],
        "lon": [8.0, 10.0, np.nan, 9.0, 7.0, np.nan],
        "population": pd.array([100, 300, 50, None, 10, 0], dtype="Int64"),
    })
    c = catchment.kreis_centroids(gemeinden)
    # A: the rows without coordinates or population are skipped;
    #    lat = (50·100 + 51·300)/400 = 50.75, lon = (8·100 + 10·300)/400 = 9.5
    # C: no inhabitants at all (like the pseudo-area "Küstengewässer") → left out
    assert list(c.index) == ["A", "B"] and c.index.name == "ags"
    assert c.loc["A"].to_numpy() == pytest.approx([50.75, 9.5, 400])
    assert c.loc["B"].to_numpy() == pytest.approx([48.0, 7.0, 10])


def test_kreis_centroids_kreis_without_coordinates():
    gemeinden = pd.DataFrame({"ags": ["A", "D", "D"], "lat": [50.0, np.nan, np.nan], "lon": [8.0, np.nan, 9.0],
                              "population": [1, 5, 7]})
    with pytest.raises(ConfigError, match="in Kreis D"):
        catchment.kreis_centroids(gemeinden)


def test_kreis_centroids_real_data():
    c = catchment.kreis_centroids()
    kreise = data.load("kreise").set_index("ags")
    assert len(c) == 400 and c.index.is_monotonic_increasing
    assert set(c.index) == set(kreise.index)
    assert c["lat"].between(47.2, 55.1).all() and c["lon"].between(5.8, 15.1).all()
    # the Gemeinden' populations add up to the Kreis populations (31.12.2020)
    assert (c["population"] == kreise["population"].reindex(c.index).astype("float64")).all()
    # Trier is a kreisfreie Stadt with one Gemeinde: the centroid is that Gemeinde's point
    trier = data.load("gemeinden").set_index("gemeinde_ags").loc["07211000"]
    assert c.loc["07211", ["lat", "lon"]].to_numpy() == pytest.approx([trier["lat"], trier["lon"]], abs=1e-12)
    c.loc["07211", "lat"] = 0.0  # a copy: the cache stays intact
    assert catchment.kreis_centroids().loc["07211", "lat"] == pytest.approx(trier["lat"])


def test_kreis_distances_real_data():
    d = catchment.kreis_distances()
    c = catchment.kreis_centroids()
    area = data.load("kreise").set_index("ags")["area_km2"]
    assert d.shape == (400, 400) and list(d.index) == list(c.index) == list(d.columns)
    # self distance: mean distance from the centre of a disc of the Kreis' area, (2/3)·sqrt(area/π);
    # Trier, 117.06 km²: sqrt(117.06/π) = 6.10421 km → 4.06947 km
    assert area["07211"] == 117.06
    assert d.loc["07211", "07211"] == pytest.approx(4.06947, abs=1e-5)
    assert np.diag(d.to_numpy()) == pytest.approx(2 / 3 * np.sqrt(area.reindex(d.index).to_numpy() / np.pi))
    off = d.to_numpy()[~np.eye(400, dtype=bool)]
    assert (off > 0).all()
    assert d.to_numpy() == pytest.approx(d.to_numpy().T)
    city, county = c.loc["07211"], c.loc["07235"]
    assert d.loc["07235", "07211"] == pytest.approx(
        catchment.haversine_km(city["lat"], city["lon"], county["lat"], county["lon"]))


def test_huff_hospital_beds_trier_real_data():
    hospitals = data.load("hospitals")
    beds = hospitals[hospitals["year"] == 2019].groupby("ags")["beds"].sum()
    assert (beds["07211"], beds["07235"]) == (1761, 394)
    d = catchment.kreis_distances()
    p = catchment.huff(beds, d, alpha=1, beta=2)
    assert p.shape == (400, len(beds))
    assert p.sum(axis=1).to_numpy() == pytest.approx(np.ones(400))
    assert p.loc["07235"].idxmax() == "07211"
    # the Huff odds of two destinations: P_ij / P_ik = (A_j / A_k) · (d_ik / d_ij)^2
    odds = (1761 / 394) * (d.loc["07235", "07235"] / d.loc["07235", "07211"]) ** 2
    assert p.loc["07235", "07211"] / p.loc["07235", "07235"] == pytest.approx(odds)


# --------------------------------------------------------------------------- 2SFCA, by hand

# On the equator: sites S1 (lon 0, capacity 10), S2 (lon 2, capacity 30), S3 (lon 10, capacity 7);
# demand D1 (lon 0.5, 100 people), D2 (lon 1.2, 200), D3 (lon 5, 50). Threshold 150 km = 1.349°:
#   S1 reaches D1 (0.5°) and D2 (1.2°); S2 reaches D2 (0.8°), not D1 (1.5° = 166.79 km); S3 nobody.
#   R1 = 10 / (100 + 200) = 1/30;  R2 = 30 / 200 = 3/20;  R3 = 0 (nobody in reach)
#   A1 = R1 = 1/30;  A2 = R1 + R2 = 2/60 + 9/60 = 11/60;  A3 = 0 (no site within 3°)
#   Σ A·P = 100/30 + 200·11/60 = 10/3 + 110/3 = 40 = S1 + S2 (S3 has no demand in reach)
SUPPLY = pd.DataFrame({"lat": 0.0, "lon": [0.0, 2.0, 10.0], "capacity": [10, 30, 7]}, index=["S1", "S2", "S3"])
DEMAND = pd.DataFrame({"lat": 0.0, "lon": [0.5, 1.2, 5.0], "population": [100, 200, 50]}, index=["D1", "D2", "D3"])


def test_two_step_fca_by_hand():
    result, sites = catchment.two_step_fca(SUPPLY, DEMAND, 150.0, return_sites=True)
    assert list(result.columns) == ["accessibility", "sites_in_reach"] and list(result.index) == ["D1", "D2", "D3"]
    assert result["accessibility"].to_numpy() == pytest.approx([1 / 30, 11 / 60, 0.0])
    assert list(result["sites_in_reach"]) == [1, 2, 0]
    assert sites["ratio"].to_numpy() == pytest.approx([1 / 30, 3 / 20, 0.0])
    assert sites["population_in_reach"].to_numpy() == pytest.approx([300, 200, 0])
    served = (result["accessibility"] * DEMAND["population"]).sum()
    assert served == pytest.approx(40)
    assert served == pytest.approx(SUPPLY["capacity"][sites["population_in_reach"] > 0].sum())
    assert catchment.two_step_fca(SUPPLY, DEMAND, 150.0).equals(result)


def test_two_step_fca_threshold_is_great_circle_exact():
    # D1–S2 is 1.5° = 166.7926 km: out of reach at 166.790 km, in reach at 166.795 km
    assert 1.5 * DEGREE_KM == pytest.approx(166.7926, abs=1e-4)
    below = catchment.two_step_fca(SUPPLY, DEMAND, 166.790)
    above = catchment.two_step_fca(SUPPLY, DEMAND, 166.795)
    assert list(below["sites_in_reach"]) == [1, 2, 0]
    assert list(above["sites_in_reach"]) == [2, 2, 0]
    # above: R2 = 30 / (100 + 200) = 1/10, so A1 = 1/30 + 1/10 = 2/15
    assert above.loc["D1", "accessibility"] == pytest.approx(2 / 15)


def test_two_step_fca_site_on_a_demand_point_and_empty_catchment():
    supply = pd.DataFrame({"lat": [0.0], "lon": [0.0], "capacity": [8]}, index=["S"])
    demand = pd.DataFrame({"lat": [0.0, 0.0], "lon": [0.0, 3.0], "population": [4, 0]}, index=["here", "far"])
    result = catchment.two_step_fca(supply, demand, 50)
    assert result["accessibility"].to_numpy() == pytest.approx([2.0, 0.0])  # distance 0 counts: 8 / 4
    empty = demand.assign(population=[0, 0])
    result, sites = catchment.two_step_fca(supply, empty, 50, return_sites=True)
    assert sites.loc["S", "ratio"] == 0.0 and result.loc["here", "accessibility"] == 0.0


def test_kreis_accessibility_by_hand():
    result = catchment.two_step_fca(SUPPLY, DEMAND, 150.0)
    # K1 = (100·1/30 + 200·11/60) / 300 = 40/300 = 2/15;  K2 = 0
    k = catchment.kreis_accessibility(result, DEMAND.assign(ags=["K1", "K1", "K2"]))
    assert k.to_dict() == pytest.approx({"K1": 2 / 15, "K2": 0.0})


def test_two_step_fca_bad_input():
    with pytest.raises(InputFormatError, match="demand row 'D2' has lat = nan") as err:
        catchment.two_step_fca(SUPPLY, DEMAND.assign(lat=[0.0, np.nan, 0.0]), 150)
    assert err.value.field == "lat"
    with pytest.raises(InputFormatError, match="supply row 'S3' has lon") as err:
        catchment.two_step_fca(SUPPLY.assign(lon=pd.array([0.0, 2.0, None], dtype="Float64")), DEMAND, 150)
    assert err.value.field == "lon"
    with pytest.raises(InputFormatError, match="demand row 'D1' has population = -100") as err:
        catchment.two_step_fca(SUPPLY, DEMAND.assign(population=[-100, 200, 50]), 150)
    assert err.value.field == "population" and "non-negative" in err.value.fix
    with pytest.raises(InputFormatError, match="supply table lacks a column") as err:
        catchment.two_step_fca(SUPPLY.drop(columns="capacity"), DEMAND, 150)
    assert err.value.field == "capacity"
    with pytest.raises(ConfigError) as err:
        catchment.two_step_fca(SUPPLY, DEMAND, 0)
    assert err.value.field == "threshold_km"


def test_two_step_fca_hospitals_real_data():
    hospitals = data.load("hospitals")
    supply = hospitals[hospitals["year"] == 2019].rename(columns={"beds": "capacity"})[["lat", "lon", "capacity"]]
    gemeinden = data.load("gemeinden").set_index("gemeinde_ags")
    # the pseudo-areas (Luxembourg condominium, coastal waters) have no coordinates
    with pytest.raises(InputFormatError, match="demand row '07000999' has lat = nan"):
        catchment.two_step_fca(supply, gemeinden, 30)
    demand = gemeinden.dropna(subset=["lat", "lon"])
    result, sites = catchment.two_step_fca(supply, demand, 30, return_sites=True)
    population = demand["population"].astype("float64")
    served = (result["accessibility"] * population).sum()
    assert served == pytest.approx(supply["capacity"].to_numpy()[sites["population_in_reach"].to_numpy() > 0].sum())
    assert (result["sites_in_reach"] > 0).sum() > 0.99 * len(demand)
