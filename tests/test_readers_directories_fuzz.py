"""Fuzz the DemandRegio and GV-ISys CSV readers: a mutated file parses or raises RegiopolError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regiopol.core.errors import RegiopolError
from regiopol.data.readers.demandregio import read_demandregio_population
from regiopol.data.readers.gvisys import read_gv_isys

DIR = Path(__file__).parent / "fixtures" / "directories"
CHARS = st.sampled_from(list('0123456789,.;" -\n\r\tx\u00a0ä\ufeff٣e') + ["1e999", "nan", ",,", '"1,5"'])


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """``original`` with a few character edits, line edits or stray bytes."""
    text = original.decode("utf-8")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "dup_line", "drop_line", "swap_lines"]))
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        lines = text.split("\n")
        row = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "insert":
            text = text[:at] + draw(CHARS) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + 1:]
        elif kind == "replace":
            text = text[:at] + draw(CHARS) + text[at + 1:]
        elif kind == "dup_line":
            text = "\n".join(lines[: row + 1] + lines[row:])
        elif kind == "drop_line":
            text = "\n".join(lines[:row] + lines[row + 1:])
        else:
            other = draw(st.integers(0, max(len(lines) - 1, 0)))
            lines[row], lines[other] = lines[other], lines[row]
            text = "\n".join(lines)
    data = text.encode("utf-8")
    if draw(st.booleans()) and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xe4", b"\x00"])) + data[at:]
    return data


def _parses_or_raises(reader, data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            table = reader(path)
        except RegiopolError as err:
            assert str(path) in str(err) and "Fix:" in str(err), str(err)
        else:
            assert isinstance(table, pd.DataFrame)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated((DIR / "demandregio_population_small.csv").read_bytes()))
def test_demandregio_population_fuzz(data):
    _parses_or_raises(read_demandregio_population, data, "population.csv")


@FUZZ
@given(mutated((DIR / "gv_isys_small.csv").read_bytes()))
def test_gv_isys_fuzz(data):
    _parses_or_raises(read_gv_isys, data, "AuszugGV4QAktuell.csv")
