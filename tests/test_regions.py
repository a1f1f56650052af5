from __future__ import annotations

import re
from pathlib import Path

import pytest

from regiopol import regions
from regiopol.core.errors import ConfigError
from regiopol.core.paths import DATA_DIR

REGIONS_TOML = (DATA_DIR / "regions.toml").read_text(encoding="utf-8")
EIGHT = ["bielefeld", "erfurt", "koblenz", "paderborn", "rostock", "siegen", "trier", "wuerzburg"]


def test_the_eight_regiopolen():
    registry = regions.load()
    assert registry.slugs == EIGHT
    trier = registry.get("trier")
    assert trier.kreise == ("07211", "07231", "07232", "07233", "07235")
    assert trier.lead_area == "gesundheit" and trier.lead_area_label == "Gesundheit"
    assert regions.get("erfurt").lead_area_label == "nicht veröffentlicht"


def test_gemeinde_cores_from_the_official_directory():
    assert regions.get("paderborn").core_gemeinde == "05774032"
    assert regions.get("siegen").core_gemeinde == "05970040"
    assert regions.get("bielefeld").core_gemeinde is None


def test_region_population_and_area():
    bielefeld = regions.get("bielefeld")
    by_kreis = bielefeld.population(by_kreis=True)
    assert by_kreis.loc[2020, "05711"] == 333_509  # 12411-0018, 31.12.2020
    assert bielefeld.population().loc[2020] == by_kreis.loc[2020].sum()
    assert list(bielefeld.population().index) == list(range(1990, 2021))
    assert bielefeld.core_population().loc[2020] == 333_509
    assert 2_900 < bielefeld.area_km2() < 2_950  # Bielefeld 258, Gütersloh 969, Herford 450, Lippe 1,246 km²
    paderborn_city = regions.get("paderborn").core_population()
    assert paderborn_city.loc[2020] == 151_864  # GV100AD, Paderborn, Stadt, 31.12.2020


def test_overview_has_all_regions_in_german():
    table = regions.overview()
    assert list(table["Region"]) == [regions.get(s).name for s in EIGHT]
    assert {"Kreise", "Fläche (km²)", "Bevölkerung 2020", "Veränderung 2015–2020", "Leitthema"} <= set(table.columns)


def test_a_user_adds_a_region(tmp_path):
    extra = '''
[[region]]
slug = "osnabrueck"
name = "Osnabrück"
core_kreis = "03404"
kreise = ["03404", "03459"]
lead_area = "unknown"
lead_area_status = "unpublished"
delineation = "Stadt und Landkreis Osnabrück"
delineation_status = "proxy"
source = "Test"
as_of = 2026-11-26
'''
    path = tmp_path / "regions.toml"
    path.write_text(REGIONS_TOML + extra, encoding="utf-8")
    registry = regions.load(path)
    assert registry.slugs[-1] == "osnabrueck"
    assert registry.get("osnabrueck").population().loc[2020] > 500_000


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    assert old in REGIONS_TOML
    path = tmp_path / "regions.toml"
    path.write_text(REGIONS_TOML.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('core_kreis = "07211"\nkreise = ["07211", "07231"', 'core_kreis = "07211"\nkreise = ["07211", "0723"',
         r"trier\.kreise\[1\].*'0723' is not a 5-digit Kreis code"),
        ('"07232", "07233"', '"07232", "07299"', r"trier\.kreise.*Kreis 07299 does not exist"),
        ('core_gemeinde = "05774032"', 'core_gemeinde = "05774099"', r"paderborn\.core_gemeinde.*does not exist"),
        ('core_gemeinde = "05774032"', 'core_gemeinde = "05970040"',
         r"paderborn\.core_gemeinde.*not an 8-digit Gemeinde code in Kreis 05774"),
        ('slug = "siegen"', 'slug = "trier"', r"trier\.slug.*duplicate slug"),
        ('lead_area = "gesundheit"', 'lead_area = "gesundhiet"', r"trier\.lead_area.*unknown infrastructure area 'gesundhiet'"),
        ('delineation = "Planungsregion Trier"\n', '', r"trier\.delineation.*required field 'delineation'"),
        ('lead_area_status = "confirmed"', 'lead_area_status = "sure"', r"bielefeld\.lead_area_status.*unknown"),
        ('slug = "koblenz"', 'slug = "Koblenz City"', r"slug 'Koblenz City' is not a lower-case identifier"),
        ('core_kreis = "09663"', 'core_kreis = "09664"', r"wuerzburg\.core_kreis.*not among the region's kreise"),
        ('as_of = 2026-11-26', 'as_of = "last year"', r"bielefeld\.as_of.*not a date"),
        ('notes = ""', 'note = ""', r"koblenz\.note.*unknown field"),
        ('[[region]]\nslug = "bielefeld"', '[[region]\nslug = "bielefeld"', r"not valid TOML"),
    ],
)
def test_bad_region_file(tmp_path, old, new, message):
    with pytest.raises(ConfigError, match=message) as info:
        regions.load(_broken(tmp_path, old, new))
    assert "regions.toml" in str(info.value) and "Fix:" in str(info.value)


def test_missing_region_file(tmp_path):
    with pytest.raises(ConfigError, match=r"region file does not exist.*Fix"):
        regions.load(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"region file cannot be read.*Fix"):
        regions.load(tmp_path)


def test_region_that_is_not_a_table(tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text('region = ["trier"]\n[areas]\nunknown = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no \[\[region\]\] blocks"):
        regions.load(path)


def test_core_and_surrounding_kreise():
    trier = regions.get("trier")
    assert trier.core_kreis == "07211"
    assert trier.surrounding_kreise == ("07231", "07232", "07233", "07235")


def test_unknown_slug():
    with pytest.raises(ConfigError, match=re.escape("no region 'hamburg'")):
        regions.get("hamburg")
