"""Module 2 end to end: notebooks/02_vorausschaetzung.ipynb runs for two regions and writes
its tables: the base year equals the official population, the back-test and the demand gap."""

from __future__ import annotations

import pytest
from conftest import execute_for_regions, read_output_table

from regiopol.core.paths import PROJECT_ROOT

NOTEBOOK = PROJECT_ROOT / "notebooks" / "02_vorausschaetzung.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed for Trier and Würzburg (once for all tests of this file)."""
    out = tmp_path_factory.mktemp("module2")
    return out, execute_for_regions(NOTEBOOK, ("trier", "wuerzburg"), out)


@pytest.mark.parametrize("slug", ["trier", "wuerzburg"])
def test_runs_without_errors_and_writes_every_part(executed, slug):
    out, notebooks = executed
    outputs = [o for c in notebooks[slug]["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    for name in ("02_faecher.svg", "02_altersgruppen.svg", "02_alterspyramide.svg", "02_karte.png",
                 "02_genauigkeit_verlauf.svg"):
        assert (out / slug / "figures" / name).is_file(), name
    for name in ("02_horizonte", "02_varianten", "02_altersgruppen", "02_altersgruppen_kreise", "02_komponenten",
                 "02_zeitreihen", "02_genauigkeit", "02_genauigkeit_details", "02_genauigkeit_horizonte",
                 "02_genauigkeit_kohortenmodell", "02_genauigkeit_region", "02_bedarf"):
        assert (out / slug / "tables" / f"{name}.csv").is_file(), name


def test_trier_base_year_is_the_official_population(executed):
    out, _ = executed
    horizons = read_output_table(out, "trier", "02_horizonte").set_index("Gebiet")
    assert horizons.loc["Trier", "2020"] == 110_674  # 12411-0018, 31.12.2020
    assert horizons.loc["Region Trier", "2020"] == 534_438
    assert horizons.loc["Deutschland", "2020"] == 83_155_031
    assert list(horizons.columns[2:8]) == ["2020", "2025", "2030", "2035", "2040", "2045"]
    groups = read_output_table(out, "trier", "02_altersgruppen")
    assert groups["2020"].sum() == pytest.approx(534_438, abs=5)  # rounding of ten groups
    components = read_output_table(out, "trier", "02_komponenten")
    change = horizons.loc["Region Trier", "2045"] - horizons.loc["Region Trier", "2020"]
    assert components["Veränderung"].sum() == pytest.approx(change, abs=5)  # balancing identity


def test_backtest_and_demand_tables(executed):
    out, _ = executed
    accuracy = read_output_table(out, "trier", "02_genauigkeit")
    assert len(accuracy) == 6 and accuracy.shape[1] == 7  # methods × six windows
    details = read_output_table(out, "trier", "02_genauigkeit_details")
    assert set(details["Kreise"]) == {400}
    by_horizon = read_output_table(out, "trier", "02_genauigkeit_horizonte").set_index("Horizont (Jahre)")
    assert by_horizon["Zeitfenster"].to_dict() == {5: 16, 8: 10, 9: 8, 10: 6}  # the 40 windows from base 1995
    assert by_horizon["genauer als beste naive"].sum() == 37
    assert by_horizon["Intervall trifft 70–90 %"].sum() == 33
    demand = read_output_table(out, "trier", "02_bedarf").set_index("Bedarf")
    care = demand.loc["Pflegebedürftige"]
    assert care["Angebot heute"] == 23_604  # 22411-02-03-4: care recipients 2019 in the five Kreise
    assert care["Datenlage"] == "abgeleitet"
    assert "UNGEPRÜFT" in set(demand["Datenlage"])


def test_age_groups_per_kreis_add_up_to_the_official_kreis_population(executed):
    out, _ = executed
    groups = read_output_table(out, "trier", "02_altersgruppen_kreise")
    assert groups["AGS"].iloc[0] == "07211"  # the core first
    totals = groups.groupby("AGS")["2020"].sum()
    assert totals["07211"] == pytest.approx(110_674, abs=5)  # 12411-0018, 31.12.2020; ten rounded groups
    assert totals["07235"] == pytest.approx(150_533, abs=5)


def test_band_rests_on_the_back_test_of_the_eight_regions():
    from regiopol.methods import backtest
    from regiopol.report import vorausschaetzung

    factors = backtest.band_factors(25)
    assert factors.loc[5, "n"] == 8 * 21  # eight regions × origins 1990…2005 and 2011…2015 with a 5-year outcome
    assert factors.loc[5, "lo95"] < factors.loc[5, "lo80"] < 1 < factors.loc[5, "hi80"] < factors.loc[5, "hi95"]
    assert factors.loc[25, "hi95"] - factors.loc[25, "lo95"] > factors.loc[5, "hi95"] - factors.loc[5, "lo95"]
    band = vorausschaetzung.band("trier")
    assert band.loc[2020, "lo95"] == band.loc[2020, "population"] == pytest.approx(534_438)
