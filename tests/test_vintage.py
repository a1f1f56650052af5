"""A newer official release moves every module without a code change (architecture: "Data vintage").

The fixture is the real raw directory with one more year in GENESIS 12411-0018: the rows of
31.12.2020 repeated as 31.12.2021, the age group "75 Jahre und mehr" raised by 1 % in every Kreis.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import regiopol
from regiopol import data, regions
from regiopol.core.paths import DATA_DIR
from regiopol.data import build, check
from regiopol.data.build import RAW_FILES
from regiopol.methods import backtest, centrality, demand, indicators, projection
from regiopol.report import ueberblick, vorausschaetzung

NEW_DATE = "31.12.2021"
OLD_DATE = "31.12.2020"
RAISED_GROUP = "75 Jahre und mehr"
GENESIS_FILE = RAW_FILES["population_by_age"]


def _raised(cell: str) -> str:
    return str(int(cell) + round(int(cell) / 100))


def add_year(source: Path, target: Path) -> None:
    """``source`` (12411-0018, classic CSV) with the rows of 31.12.2020 repeated for 31.12.2021
    after them; the columns of :data:`RAISED_GROUP` (both sexes) + 1 %."""
    lines = source.read_text(encoding="latin-1").split("\n")
    groups = next(line for line in lines if line.startswith(";;;unter 3 Jahre")).split(";")
    raised = {i for i, label in enumerate(groups) if label == RAISED_GROUP}
    new = []
    for line in lines:
        if line.startswith(OLD_DATE + ";"):
            cells = line.split(";")
            cells[0] = NEW_DATE
            new.append(";".join(_raised(c) if i in raised else c for i, c in enumerate(cells)))
    last = max(i for i, line in enumerate(lines) if line.startswith(OLD_DATE + ";"))
    target.write_bytes("\n".join([*lines[:last + 1], *new, *lines[last + 1:]]).encode("latin-1"))


def raw_with_2021(raw: Path, target: Path) -> Path:
    """A raw directory that links every file of ``raw`` except 12411-0018, which gets 2021."""
    for path in raw.rglob("*"):
        if path.is_file():
            link = target / path.relative_to(raw)
            link.parent.mkdir(parents=True, exist_ok=True)
            if path.relative_to(raw).as_posix() == GENESIS_FILE:
                add_year(path, link)
            else:
                link.symlink_to(path)
    return target


@pytest.fixture(scope="module")
def newer(raw_dir, tmp_path_factory):
    """data/ built from the raw files with 31.12.2021, active through REGIOPOL_DATA_DIR."""
    raw = raw_with_2021(raw_dir, tmp_path_factory.mktemp("raw"))
    out = tmp_path_factory.mktemp("data")
    for path in DATA_DIR.glob("*.toml"):
        shutil.copy(path, out / path.name)
    build.build(raw, out, selection=indicators.inkar_selection())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGIOPOL_DATA_DIR", str(out))
        patch.setenv("REGIOPOL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        regiopol.clear_caches()
        yield out
    regiopol.clear_caches()


def test_the_fixture_adds_a_distinguishable_year(newer):
    by_age = data.load("population_by_age")
    totals = by_age.groupby("year")["population"].sum()
    old = by_age[(by_age["year"] == 2020) & (by_age["age_group"] == RAISED_GROUP)]["population"].sum()
    assert totals[2021] - totals[2020] == pytest.approx(old / 100, rel=0.01)


def test_the_vintage_follows_the_tables(newer):
    assert data.vintage() == data.Vintage(base_year=2021, latest_year=2021, census_breaks=(2011,))


def test_check_passes_on_the_newer_tables(newer):
    report = check.run(newer)
    assert report.ok, report.summary()
    details = {name: detail for name, _, detail in report.results}
    assert "Zeitreihe 1990–2021 und Altersgruppen 2015–2021" in details["Vollständigkeit"]
    assert "Deutschland 31.12.2020 = 83.155.031" in details["Summen"]  # still checked: 2020 is there


def test_the_provenance_names_the_years(newer):
    tables = data.provenance()["tables"]
    assert tables["population_by_age"]["description"].endswith("31.12.2015-2021")
    assert tables["population_series"]["description"].startswith("population per Kreis 1990-2021")


def test_the_projection_starts_from_2021(newer):
    result = projection.project()
    assert result.years[0] == 2021
    observed = data.load("population_by_age").query("year == 2021").groupby("ags")["population"].sum()
    first = result.frame().query("year == 2021").groupby("ags")["population"].sum()
    assert first.reindex(observed.index).to_numpy() == pytest.approx(observed.to_numpy())


def test_demand_starts_from_2021(newer):
    gap = demand.gap(projection.project(), "trier")
    assert (gap.groupby("item")["year"].first() == 2021).all()
    observed = demand.supply_today()
    assert set(observed.loc[observed["source"].str.startswith("observed use"), "year"]) == {2021}


def test_the_methods_follow_the_vintage(newer):
    assert backtest.age_windows() == (backtest.Window(2015, 2021),)
    supply = centrality.supply()
    series = data.load("population_series").query("year == 2021").set_index("ags")["population"]
    assert supply["population_students"].to_numpy() == pytest.approx(series.reindex(supply.index).to_numpy())
    assert centrality.job_centrality()["year"].max() == 2020  # employment still ends on 30.06.2020


def test_the_reports_say_2021(newer):
    """The module-2 and overview reports name the new base year in text and tables."""
    totals = vorausschaetzung.totals("trier")
    assert totals.index[0] == 2021
    observed = data.load("population_by_age").query("year == 2021")
    region = observed[observed["ags"].isin(regions.as_region("trier").kreise)]["population"].sum()
    assert totals.iloc[0] == pytest.approx(region)
    assert "Basis 31.12.2021" in vorausschaetzung.intro("trier").data
    assert list(vorausschaetzung.horizon_table("trier").columns)[3:5] == ["2021", "2025"]
    assert "2021" in vorausschaetzung.age_group_table("trier").columns
    assert vorausschaetzung.gap_table("trier").filter(like="Bedarf 2021").shape[1] == 1
    assert list(vorausschaetzung.variant_table("trier").columns)[1:] == [str(y) for y in projection.HORIZONS]
    assert "am 31.12.2021" in ueberblick.intro("trier").data
    facts = ueberblick.key_facts("trier")
    assert "Einwohner 2021" in facts.columns and "Veränderung 2015–2021 (%)" in facts.columns
    assert facts.loc[facts["AGS"] == "07211", "Einwohner 2021"].iloc[0] == data.load("population_series").query(
        "year == 2021 and ags == '07211'")["population"].iloc[0]
    periods = vorausschaetzung.components_table("trier")["Zeitraum"].tolist()
    assert periods[0] == "2022–2026" and periods[-1] == "2042–2045"  # the last period ends with the projection
