from __future__ import annotations

import pytest

from regiopol import indicators
from regiopol.errors import ConfigError
from regiopol.paths import DATA_DIR

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
        (INDICATORS_TOML.replace('area = "gesundheit"', 'area = "health"', 1), r"q_ärzte_bev\.area.*unknown infrastructure area 'health'"),
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
