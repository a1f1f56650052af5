from __future__ import annotations

import pytest

from regiopol.core.errors import ConfigError
from regiopol.core.paths import DATA_DIR
from regiopol.methods import indicators

INDICATORS_TOML = (DATA_DIR / "indicators.toml").read_text(encoding="utf-8")


def test_indicator_list():
    table = indicators.load()
    assert table["code"].is_unique
    beds = table.set_index("code").loc["q_betten_bev"]
    assert (beds["area"], beds["unit"], beds["topic"]) == (
        "gesundheit", "je 1.000 Einwohner", "medizinische_und_soziale_versorgung")
    assert set(indicators.inkar_selection()["area"]) == {"gesundheit", "bildung", "wirtschaft", "soziales"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (INDICATORS_TOML.replace('area = "gesundheit"', 'area = "health"', 1),
         r"q_ärzte_bev\.area.*unknown infrastructure area 'health'"),
        (INDICATORS_TOML.replace('unit = "je 10.000 Einwohner"\n', "", 1), r"q_ärzte_bev\.unit.*required field 'unit'"),
        (INDICATORS_TOML + '\n[[indicator]]\ncode = "q_stud"\nsource = "inkar"\ntopic = "bildung"\narea = "bildung"\n'
         'label = "x"\nunit = "y"\ndirection = "higher"\n', r"'q_stud' is listed twice"),
        ('[indicator]\ncode = "q_stud"\n', r"no \[\[indicator\]\] blocks.*double brackets"),
        ('indicator = ["q_stud"]\n', r"no \[\[indicator\]\] blocks"),
    ],
)
def test_bad_indicator_file(tmp_path, text, message):
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        indicators.load(path)


def test_indicator_file_not_utf8(tmp_path):
    path = tmp_path / "indicators.toml"
    path.write_bytes(INDICATORS_TOML.encode("latin-1", errors="replace"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        indicators.load(path)


DERIVED_BLOCK = ('\n[[indicator]]\ncode = "{code}"\nsource = "regionalstatistik"\ntable = "13111-07-05-4"\n'
                 'area = "wirtschaft"\nlabel = "x"\nunit = "y"\ndirection = "higher"\n')


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (INDICATORS_TOML.replace('direction = "higher"', 'direction = "up"', 1),
         "q_ärzte_bev.direction", r"unknown direction 'up'.*higher, lower, neutral"),
        (INDICATORS_TOML.replace('topic = "medizinische_und_soziale_versorgung"\n', "", 1),
         "q_ärzte_bev.topic", r"required field 'topic' is missing"),
        (INDICATORS_TOML.replace('key = true', 'key = "yes"', 1),
         "q_ärzte_bev.key", r"key 'yes' is not true or false"),
        (INDICATORS_TOML.replace('source = "inkar"', 'source = "destatis"\ntable = "12411"', 1),
         "q_ärzte_bev.source", r"unknown source 'destatis'.*inkar, regionalstatistik, db_stationsdaten"),
        (INDICATORS_TOML + DERIVED_BLOCK.format(code="pendler_saldo"),
         "pendler_saldo.code", r"no derivation for 'pendler_saldo'"),
        (INDICATORS_TOML + DERIVED_BLOCK.format(code="beschaeftigte_ao_je_1000_ew").replace(
            'table = "13111-07-05-4"\n', ""), "beschaeftigte_ao_je_1000_ew.table", r"required field 'table'"),
        (INDICATORS_TOML.replace('label = "Ärzte"', 'label = "  "', 1),
         "q_ärzte_bev.label", r"required field 'label' is missing or empty"),
    ],
)
def test_bad_indicator_block_names_code_and_field(tmp_path, text, field, message):
    path = tmp_path / "indicators.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        indicators.load(path)
    assert err.value.field == field
    assert err.value.file == str(path)
    assert f"field '{field}'" in str(err.value)


def test_unknown_derived_code_lists_the_known_ones(tmp_path):
    path = tmp_path / "indicators.toml"
    path.write_text(INDICATORS_TOML + DERIVED_BLOCK.format(code="pendler_saldo"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        indicators.load(path)
    assert len(indicators.DERIVED) == 5
    for code in indicators.DERIVED:
        assert code in err.value.fix
    assert 'source = "inkar"' in err.value.fix


def test_block_without_code_is_named_by_its_position(tmp_path):
    path = tmp_path / "indicators.toml"
    path.write_text('[[indicator]]\nsource = "inkar"\ntopic = "bildung"\narea = "bildung"\nlabel = "x"\n'
                    'unit = "y"\ndirection = "higher"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="required field 'code'") as err:
        indicators.load(path)
    assert err.value.field == "indicator #1.code"


def test_key_defaults_to_false_and_the_key_indicators_per_area():
    table = indicators.load().set_index("code")
    assert table["key"].dtype == bool
    assert not table.loc["q_hausarzt_bev", "key"]
    keys = table[table["key"]]
    assert set(keys.index) == {"q_ärzte_bev", "q_betten_bev", "q_stud", "q_bip_ew", "q_pflpl_bev",
                               "a_betr0003_bev0003", "beschaeftigte_ao_je_1000_ew", "distanz_fernverkehrshalt_km"}
    derived = table[table["source"] != "inkar"]
    assert set(derived.index) == set(indicators.DERIVED)
    assert derived["definition"].notna().all() and derived["topic"].isna().all()


def test_misspelt_source_is_reported_as_unknown_source(tmp_path):
    path = tmp_path / "indicators.toml"
    path.write_text(INDICATORS_TOML.replace('source = "inkar"', 'source = "INKAR"', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        indicators.load(path)
    assert err.value.field == "q_ärzte_bev.source"
