"""The shared reader building blocks: area codes (regiopol.data.codes) and regiopol.data.readers._text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regiopol.core.errors import InputFormatError, MissingInputError
from regiopol.data.codes import gemeinde_ags, kreis_ags, kreis_series
from regiopol.data.readers import _text
from regiopol.data.readers._text import (
    GERMANY_BOUNDS,
    check_unique,
    fail_at_first,
    parse_coordinates,
    parse_counts,
    parse_numbers,
    parse_postcodes,
    read_text,
    require_file,
    text_as_object,
)

LINES = pd.Series([10, 11, 12])


# --------------------------------------------------------------------------- area codes


def test_kreis_series_float_input_gives_the_kreis():
    assert kreis_series(pd.Series([5711000.0, 1001000.0])).tolist() == ["05711", "01001"]
    assert kreis_series(pd.Series([5711.0])).tolist() == ["05711"]
    assert kreis_series(pd.Series(["01001", 5711000.0], dtype=object)).tolist() == ["01001", "05711"]


@pytest.mark.parametrize("value", [5711.5, "٠٥٧١١", "05711.0", "5711000.0", "٠٥٧١١٠٠٠", float("nan")])
def test_kreis_series_rejects_and_names_the_line(value):
    with pytest.raises(InputFormatError) as info:
        kreis_series(pd.Series(["01001", value], dtype=object), file="x.csv", field="ags",
                     lines=pd.Series([4, 5]))
    assert (info.value.file, info.value.line, info.value.field) == ("x.csv", 5, "ags") and info.value.fix


def test_kreis_series_without_file_or_field():
    with pytest.raises(InputFormatError, match="digits only"):
        kreis_series(pd.Series(["x"]))


@pytest.mark.parametrize("call, value", [(kreis_ags, "٠٥٧١١"), (kreis_ags, "0571١"),
                                         (gemeinde_ags, "٠٥٧٧٤٠٣٢")])
def test_scalar_codes_take_ascii_digits_only(call, value):
    with pytest.raises(InputFormatError, match="Fix:"):
        call(value, file="x.csv", line=3, field="ags")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("cell", ["1e3", "1.5e5", "+5", "inf", "-inf", "nan", "Infinity", "1e400", "١٢",
                                  "1_000", "0x1A", "5.", ".5", "- 5", "1.5"])
def test_parse_numbers_accepts_plain_numbers_only(cell):
    cells = pd.Series(["12", cell, "3"])
    with pytest.raises(InputFormatError) as info:
        parse_numbers(cells, file="t.csv", field="Wert", lines=LINES)
    assert (info.value.line, info.value.field) == (11, "Wert") and cell in info.value.problem


def test_parse_numbers_formats_and_flags():
    values, flags = parse_numbers(pd.Series(["1.234,5", "-7", "12,25", "", ".", "-", "987654"]), file="t.csv",
                                  field="Wert")
    assert values.iloc[:3].tolist() == [1234.5, -7.0, 12.25] and values.iloc[6] == 987654
    assert values.iloc[3:6].isna().all() and flags.tolist()[3:6] == [pd.NA, ".", "-"]
    point, _ = parse_numbers(pd.Series(["1234.5", "0.25"]), file="t.csv", field="Wert", decimal=".")
    assert point.tolist() == [1234.5, 0.25]


def test_parse_numbers_thousands_blanks_and_grouping():
    values, _ = parse_numbers(pd.Series(["330 000", "5\u00a0101", "1 234.5", "12"]), file="t.csv", field="n",
                              decimal=".", thousands=" ")
    assert values.tolist() == [330_000, 5101, 1234.5, 12]
    for bad in ["33 00", "1 2345", "1,234,5"]:
        with pytest.raises(InputFormatError):
            parse_numbers(pd.Series([bad]), file="t.csv", field="n", decimal=".", thousands=" ")


def test_parse_numbers_options():
    with pytest.raises(InputFormatError, match="empty") as info:
        parse_numbers(pd.Series(["1", " "]), file="t.csv", field="n", lines=pd.Series([2, 3]), allow_empty=False)
    assert info.value.line == 3
    with pytest.raises(InputFormatError, match="'x'"):
        parse_numbers(pd.Series(["1", "x"]), file="t.csv", field="n", placeholders=False)
    mixed, _ = parse_numbers(pd.Series([1.5, 2, None, "3,5"], dtype=object), file="t.xlsx", field="n")
    assert mixed.iloc[[0, 1, 3]].tolist() == [1.5, 2.0, 3.5] and np.isnan(mixed.iloc[2])
    with pytest.raises(InputFormatError, match="finite"):
        parse_numbers(pd.Series([1.0, np.inf]), file="t.xlsx", field="n")


def test_parse_counts():
    counts = parse_counts(pd.Series(["3", "", "1 000"]), file="t.csv", field="n", decimal=".", thousands=" ")
    assert str(counts.dtype) == "Int64" and counts.tolist() == [3, pd.NA, 1000]
    for bad in ["-1", "2.5", "9" * 20]:
        with pytest.raises(InputFormatError):
            parse_counts(pd.Series([bad]), file="t.csv", field="n", decimal=".")


# --------------------------------------------------------------------------- other cells


def test_parse_postcodes():
    codes = parse_postcodes(pd.Series(["97070", "4618", " 33 602 ", ""]), file="t.csv", field="PLZ")
    assert codes.tolist() == ["97070", "04618", "33602", pd.NA]
    with pytest.raises(InputFormatError, match="'123'") as info:
        parse_postcodes(pd.Series(["97070", "123"]), file="t.csv", field="PLZ", lines=pd.Series([5, 6]))
    assert info.value.line == 6 and info.value.field == "PLZ"


def test_parse_coordinates_one_policy():
    lon = pd.Series(["9,9", "51,7", "", "8,5", "7,1"])
    lat = pd.Series(["49,8", "8,7", "", "", "50,2"])
    x, y, warnings = parse_coordinates(lon, lat, file="t.csv", lines=pd.Series([2, 3, 4, 5, 6]),
                                       lon_field="lon", lat_field="lat", decimal=",")
    assert x.tolist()[0] == 9.9 and y.tolist()[4] == 50.2
    assert x.iloc[1:4].isna().all() and y.iloc[1:4].isna().all()  # outside, empty, without partner
    assert len(warnings) == 2 and all(w.startswith("t.csv, line ") for w in warnings)
    assert "line 3" in warnings[0] and "outside Germany" in warnings[0] and "line 5" in warnings[1]
    assert GERMANY_BOUNDS == {"lon": (5.5, 15.5), "lat": (47.0, 55.2)}
    with pytest.raises(InputFormatError):
        parse_coordinates(pd.Series(["9.9x"]), pd.Series(["49.8"]), file="t.csv", lon_field="lon",
                          lat_field="lat", decimal=".")


# --------------------------------------------------------------------------- checks


def test_fail_at_first():
    cells = pd.Series(["a", "b", "c"])
    fail_at_first(pd.Series([False, False, False]), file="t.csv", field="f", problem="never", fix="none")
    with pytest.raises(InputFormatError) as info:
        fail_at_first(pd.Series([False, True, True]), file="t.csv", field="f", problem="'{cell}' is bad",
                      fix="repair it", cells=cells, lines=LINES)
    assert str(info.value) == "t.csv, line 11, field 'f': 'b' is bad – Fix: repair it"
    with pytest.raises(InputFormatError) as info:
        fail_at_first(pd.Series([False, pd.NA, True], dtype="boolean"), file="t.json", field="features[{row}].x",
                      problem="bad", fix="repair it")
    assert info.value.field == "features[1].x" and info.value.line is None  # <NA>: could not be checked


def test_check_unique():
    frame = pd.DataFrame({"ags": ["01001", "01002", "01001"], "year": [2020, 2020, 2020]})
    check_unique(frame.iloc[:2], ["ags", "year"], file="t.csv", lines=LINES)
    with pytest.raises(InputFormatError) as info:
        check_unique(frame, ["ags", "year"], file="t.csv", lines=LINES)
    assert info.value.line == 12 and info.value.field == "ags"
    assert "ags 01001, year 2020 occurs twice (first at line 10)" in info.value.problem
    with pytest.raises(InputFormatError) as info:
        check_unique(frame, ["ags"], file="k.json", field="features[{row}].properties.AGS")
    assert info.value.field == "features[2].properties.AGS" and "features[0]" in info.value.problem


def test_require_file_and_read_text(tmp_path):
    for call in (require_file, lambda path: read_text(path, encoding="utf-8")):
        with pytest.raises(MissingInputError, match="does not exist") as info:
            call(tmp_path / "x.csv")
        assert "Fix:" in str(info.value) and str(tmp_path / "x.csv") in str(info.value)
    (tmp_path / "x.csv").write_text("a", encoding="utf-8")
    assert require_file(str(tmp_path / "x.csv")) == tmp_path / "x.csv"


def test_text_as_object():
    table = pd.DataFrame({"a": pd.array(["x", None], dtype="string"), "n": [1, 2]}, index=[5, 7])
    plain = text_as_object(table)
    assert plain["a"].dtype == object and plain["n"].dtype == "int64" and plain.index.tolist() == [0, 1]


def test_one_helper_each():
    """The readers share these helpers instead of keeping their own copies."""
    from regiopol.data.readers import bbsr, demandregio, facilities, genesis, gv100, gvisys
    for module, names in [(demandregio, ["_first"]), (gv100, ["_check", "_number", "_plain"]),
                          (gvisys, ["_check", "_number", "_postcode", "GERMANY"]),
                          (genesis, ["_numbers", "_check_unique"]), (bbsr, ["_numbers", "_integer_text"]),
                          (facilities, ["_postcodes", "GERMANY_BOUNDS", "_coordinates"])]:
        assert not [name for name in names if hasattr(module, name)], module.__name__
    assert _text.GERMANY_BOUNDS is GERMANY_BOUNDS
    readers = Path(_text.__file__).parent
    for path in [*readers.glob("*.py"), readers.parent / "codes.py"]:
        if path.name != "_text.py":
            text = path.read_text(encoding="utf-8")
            for copy in ["bad[bad]", ".index[0]", "does not exist", "(5.5, 15.5)", '/{path']:
                assert copy not in text, (path.name, copy)
