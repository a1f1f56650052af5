"""Small building blocks: area codes, German number format, errors, atomic writes."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from regiopol.core import fmt
from regiopol.core.errors import InputFormatError, RegiopolError
from regiopol.core.files import write_atomic, write_text_atomic
from regiopol.data.codes import gemeinde_ags, gemeinde_series, kreis_ags, kreis_series


@pytest.mark.parametrize(("value", "expected"), [("05711", "05711"), ("05711000", "05711"), (5711000, "05711"),
                                                 ("5711", "05711"), (16056, "16056"), (5711000.0, "05711")])
def test_kreis_codes_are_normalised_once(value, expected):
    assert kreis_ags(value) == expected


@pytest.mark.parametrize("value", ["0571", "05711001", "ABCDE", "", "057110000"])
def test_bad_kreis_codes(value):
    with pytest.raises(InputFormatError, match="Fix:"):
        kreis_ags(value, file="x.csv", line=3, field="ags")


def test_kreis_series_names_the_line():
    values = pd.Series(["01001", "1002000", "x1003"])
    assert list(kreis_series(values.iloc[:2])) == ["01001", "01002"]
    with pytest.raises(InputFormatError, match=r"x\.csv, line 12, field 'ags'"):
        kreis_series(values, file="x.csv", field="ags", lines=pd.Series([10, 11, 12]))


def test_gemeinde_codes():
    assert gemeinde_ags(5774032) == "05774032"
    with pytest.raises(InputFormatError):
        gemeinde_ags("0577403")


def test_gemeinde_series_names_the_line():
    values = pd.Series(["05774032", "5711000", " 09663000 ", "0577403"])
    assert list(gemeinde_series(values.iloc[:3])) == ["05774032", "05711000", "09663000"]
    assert list(gemeinde_series(pd.Series([5774032.0]))) == ["05774032"]
    with pytest.raises(InputFormatError, match=r"x\.csv, line 13, field 'ags': '0577403' is not a Gemeinde code"):
        gemeinde_series(values, file="x.csv", field="ags", lines=pd.Series([10, 11, 12, 13]))


def test_german_number_format():
    assert fmt.number(83_155_031) == "83.155.031"
    assert fmt.number(1234.56, 1) == "1.234,6"
    assert fmt.number(float("nan")) == "–"
    assert fmt.signed_percent(0.0123) == "+1,2\u00a0%"
    assert fmt.signed_percent(-0.05) == "−5,0\u00a0%"


def test_error_message_and_pickle():
    err = InputFormatError("bad cell", file="a.csv", line=4, field="Wert", fix="repair it")
    assert str(err) == "a.csv, line 4, field 'Wert': bad cell – Fix: repair it"
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, RegiopolError) and str(again) == str(err)


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    target = write_text_atomic(tmp_path / "t.txt", "good")

    def crash(tmp):
        with open(tmp, "w") as f:
            f.write("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, crash)
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]


def test_german_format_of_missing_values():
    assert fmt.number(pd.NA) == "–" and fmt.number(None) == "–"
    assert fmt.signed_percent(pd.NA) == "–"


def test_all_or_nothing_write(tmp_path):
    from regiopol.core.files import write_all_atomic

    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    write_text_atomic(first, "old a")

    def fail(tmp):
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_all_atomic({first: lambda tmp: open(tmp, "w").write("new a"), second: fail})
    assert first.read_text() == "old a" and not second.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    write_all_atomic({first: lambda tmp: open(tmp, "w").write("new a"),
                      second: lambda tmp: open(tmp, "w").write("new b")})
    assert first.read_text() == "new a" and second.read_text() == "new b"


def test_negative_numbers_use_the_minus_sign():
    assert fmt.number(-1234.5, 1) == "−1.234,5"


def test_written_files_are_readable_by_others(tmp_path):
    import stat

    path = write_text_atomic(tmp_path / "report.html", "<html></html>")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_count_word_for_running_text():
    from regiopol.core import fmt

    assert (fmt.count_word(8), fmt.count_word(2), fmt.count_word(12), fmt.count_word(13)) == ("acht", "zwei", "zwölf", "13")
