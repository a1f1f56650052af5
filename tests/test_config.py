"""The configuration schema (regiopol.core.config): types, ranges, choices, required fields,
the verification vocabulary, nested paths in the message and TOML syntax errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from regiopol.core.config import SOURCE, VERIFICATION_FIELD, Array, Either, Field, Invalid, Table, load, optional
from regiopol.core.errors import ConfigError

SCHEMA = Table({
    "model": Table({
        "threshold_km": Field(float, above=0, unit="km"),
        "share": Field(float, min=0, max=1),
        "draws": Field(int, min=10),
        "method": Field(str, choices=("huff", "fca")),
        "as_of": Field(dt.date),
        "code": Field(str, pattern=r"\d{5}", what="a 5-digit Kreis code"),
        "note": Field(str, required=False, default=""),
        "source": SOURCE,
        "verification": VERIFICATION_FIELD,
    }),
    "region": Array(Table({"slug": Field(str), "kreise": Array(Field(str, pattern=r"\d{5}", what="a Kreis code"))}),
                    key="slug"),
})
VALID = '''[model]
threshold_km = 30
share = 0.5
draws = 400
method = "huff"
as_of = 2026-11-26
code = "07211"
source = "Huff (1963)"
verification = "official"

[[region]]
slug = "trier"
kreise = ["07211", "07231"]
'''


def write(tmp_path, text: str):
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def fails(tmp_path, text: str, schema: Table = SCHEMA) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, text), schema)
    assert err.value.file == str(tmp_path / "settings.toml") and err.value.fix
    return err.value


def test_valid_file_gives_plain_values_and_defaults(tmp_path):
    config = load(write(tmp_path, VALID), SCHEMA)
    assert config["model"]["threshold_km"] == 30 and config["model"]["note"] == ""
    assert config["model"]["as_of"] == dt.date(2026, 11, 26)
    assert config["region"] == [{"slug": "trier", "kreise": ["07211", "07231"]}]


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("threshold_km = 30", 'threshold_km = "30"', "model.threshold_km", "threshold_km '30' is not a finite number"),
    ("threshold_km = 30", "threshold_km = nan", "model.threshold_km", "is not a finite number"),
    ("draws = 400", "draws = 400.5", "model.draws", "draws 400.5 is not a whole number"),
    ("draws = 400", "draws = true", "model.draws", "draws True is not a whole number"),
    ("as_of = 2026-11-26", 'as_of = "2026-11-26"', "model.as_of", "as_of '2026-11-26' is not a date"),
    ("as_of = 2026-11-26", "as_of = 2026-11-26T10:00:00", "model.as_of", "is not a date"),
    ("share = 0.5", "share = 1.5", "model.share", "share 1.5 must be at least 0 and at most 1"),
    ("threshold_km = 30", "threshold_km = 0", "model.threshold_km", "threshold_km 0 must be greater than 0 (km)"),
    ("draws = 400", "draws = 4", "model.draws", "draws 4 must be at least 10"),
    ('method = "huff"', 'method = "gravity"', "model.method", "unknown method 'gravity'"),
    ('code = "07211"', 'code = "0721"', "model.code", "code '0721' is not a 5-digit Kreis code"),
])
def test_types_ranges_choices_and_patterns(tmp_path, old, new, field, message):
    err = fails(tmp_path, VALID.replace(old, new))
    assert err.field == field and message in err.problem
    assert f"field '{field}'" in str(err) and "settings.toml" in str(err)


def test_choices_are_listed_in_the_fix(tmp_path):
    err = fails(tmp_path, VALID.replace('method = "huff"', 'method = "gravity"'))
    assert err.fix == "use one of: huff, fca"


@pytest.mark.parametrize("old", ['source = "Huff (1963)"\n', 'verification = "official"\n'])
def test_required_fields(tmp_path, old):
    name = old.split(" ")[0]
    err = fails(tmp_path, VALID.replace(old, ""))
    assert err.field == f"model.{name}" and err.problem == f"required field '{name}' is missing or empty"
    assert fails(tmp_path, VALID.replace(old, f'{name} = "  "\n')).field == f"model.{name}"


@pytest.mark.parametrize("level", ["official", "derived", "example", "UNVERIFIED"])
def test_verification_vocabulary(tmp_path, level):
    text = VALID.replace('verification = "official"', f'verification = "{level}"')
    assert load(write(tmp_path, text), SCHEMA)["model"]["verification"] == level
    err = fails(tmp_path, VALID.replace('verification = "official"', 'verification = "unverified"'))
    assert err.field == "model.verification" and "official, derived, example, UNVERIFIED" in err.fix


def test_unknown_fields_and_missing_tables(tmp_path):
    err = fails(tmp_path, VALID.replace("share = 0.5", "share = 0.5\nshare_pct = 50"))
    assert err.field == "model.share_pct" and "unknown field 'share_pct'" in err.problem
    err = fails(tmp_path, VALID.replace("[model]", "[modell]"))
    assert err.field == "model" and "required field 'model'" in err.problem


def test_nested_paths_name_the_block_and_the_list_item(tmp_path):
    err = fails(tmp_path, VALID.replace('"07231"]', '"0723"]'))
    assert err.field == "trier.kreise[1]" and "'0723' is not a Kreis code" in err.problem
    err = fails(tmp_path, VALID + '\n[[region]]\nkreise = ["0"]\n')
    assert err.field == "region #2.slug"
    err = fails(tmp_path, VALID + '\n[[region]]\nslug = "trier"\nkreise = ["07211"]\n')
    assert err.field == "trier.slug" and "duplicate slug: 'trier' is listed twice" in err.problem
    err = fails(tmp_path, VALID.replace("[[region]]", "[region]"))
    assert err.field == "region" and "no [[region]] blocks" in err.problem and "double brackets" in err.fix


def test_extra_keys_cases_and_rules(tmp_path):
    def ordered(table, _):
        if table["low"] > table["high"]:
            raise Invalid("low", "low is above high", "swap low and high")

    level = Table({"low": Field(float), "high": Field(float)}, rules=(ordered,))
    schema = Table({"variant": Table({}, extra=level),
                    "supply": Table({"kind": Field(str, choices=("none", "inkar"))},
                                    cases=("kind", {"none": Table({}), "inkar": Table({"year": Field(int)})}))})
    text = '[variant.medium]\nlow = 1\nhigh = 2\n[supply]\nkind = "inkar"\nyear = 2020\n'
    assert load(write(tmp_path, text), schema) == {"variant": {"medium": {"low": 1, "high": 2}},
                                                   "supply": {"kind": "inkar", "year": 2020}}
    err = fails(tmp_path, text.replace("low = 1", "low = 3"), schema)
    assert (err.field, err.problem, err.fix) == ("variant.medium.low", "low is above high", "swap low and high")
    assert fails(tmp_path, text.replace("year = 2020", ""), schema).field == "supply.year"
    assert fails(tmp_path, text.replace('"inkar"', '"none"'), schema).field == "supply.year"  # not a field of "none"


def test_either_picks_the_option_of_the_values_kind(tmp_path):
    reference = Table({"file": Field(str), "column": Field(str)})
    schema = Table({"rate": Either((Field(float, min=0), reference, Field(str, choices=("calibrated",)))),
                    "scale": optional(Field(float, above=0), default=1.0)})
    for text, expected in (("rate = 0.5", 0.5), ('rate = "calibrated"', "calibrated"),
                           ('rate = { file = "x.csv", column = "v" }', {"file": "x.csv", "column": "v"})):
        assert load(write(tmp_path, text), schema) == {"rate": expected, "scale": 1.0}
    assert "must be at least 0" in fails(tmp_path, "rate = -1", schema).problem
    assert fails(tmp_path, 'rate = { file = "x.csv" }', schema).field == "rate.column"
    err = fails(tmp_path, 'rate = "calibrate"', schema)
    assert err.problem == "rate 'calibrate' is not a finite number or a table { … } or \"calibrated\""


def test_toml_syntax_error_names_file_and_line(tmp_path):
    err = fails(tmp_path, VALID.replace("share = 0.5", "share = 0,5"))
    assert err.line == 3 and "not valid TOML" in err.problem
    assert re.search(r"settings\.toml, line 3: not valid TOML", str(err))


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match=r"settings file does not exist.*restore data/nope\.toml"):
        load(tmp_path / "nope.toml", SCHEMA, what="settings file")
    with pytest.raises(ConfigError, match="cannot be read"):
        load(tmp_path, SCHEMA)
    (tmp_path / "latin.toml").write_bytes('source = "Müller"'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(tmp_path / "latin.toml", SCHEMA)
