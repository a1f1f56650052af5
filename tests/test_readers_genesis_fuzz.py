"""Fuzzing the GENESIS readers: mutated fixture files either read into a DataFrame or raise
one of the project's errors – never a bare pandas/KeyError/ValueError/IndexError."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regiopol.core.errors import RegiopolError
from regiopol.data.readers import genesis

FIXTURES = Path(__file__).parent / "fixtures" / "genesis"
CLASSIC = "12411-0018_sample.csv"
REGIONAL = ["13111-07-05-4_2020_sample.csv", "13211-02-05-4_sample.csv", "22411-02-03-4_sample.csv"]
FLAT = "12411-0012_flat_sample.csv"
READERS = [(genesis.read_genesis_classic, CLASSIC), (genesis.read_genesis_flat, FLAT),
           *[(genesis.read_regionalstatistik, name) for name in REGIONAL]]


def employment_at_workplace(path: Path) -> pd.DataFrame:
    return genesis.employment_at_workplace([path])


TABLE_FUNCTIONS = [
    (genesis.population_by_age, CLASSIC),
    (employment_at_workplace, REGIONAL[0]),
    (genesis.unemployment, REGIONAL[1]),
    (genesis.care_recipients, REGIONAL[2]),
]
SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

CELLS = st.sampled_from([
    "", " ", "-", ".", "...", "x", "/", "–", "k.A.", "*", "1,5", "1.000", "-3", "abc", "0571", "ABCDE", "DG",
    "05711", "05711000", "inf", "nan", "1e400", "99999999999999999999", "31.12.2020", "2020", "__________",
    '"', "Insgesamt", "männlich", "Stand: x", "©", "GENESIS-Tabelle:",
]) | st.text(max_size=8)


def _lines(name: str) -> list[str]:
    return (FIXTURES / name).read_bytes().decode("utf-8" if name == FLAT else "latin-1").split("\n")


@st.composite
def mutated(draw, name: str) -> bytes:
    """The fixture ``name`` with a few random line, cell, separator and byte mutations."""
    lines = _lines(name)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["drop", "duplicate", "cell", "insert", "separator", "swap"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "drop" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
        elif kind == "cell":
            cells = lines[i].split(";")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
            lines[i] = ";".join(cells)
        elif kind == "insert":
            lines.insert(i, draw(st.text(max_size=40)))
        elif kind == "separator":
            lines[i] = lines[i].replace(";", draw(st.sampled_from([",", "\t", "|", ";;", "", " ; "])))
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    encoding = draw(st.sampled_from(["latin-1", "utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    data = "\n".join(lines).encode(encoding, errors="replace")
    if draw(st.booleans()):
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.binary(max_size=12)) + data[position:]
    if draw(st.integers(0, 9)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("genesis_fuzz") / "table.csv"


def _returns_frame_or_project_error(call, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        result = call(path)
    except RegiopolError:
        return
    assert isinstance(result, pd.DataFrame)


@pytest.mark.parametrize(("call", "name"), READERS + TABLE_FUNCTIONS,
                         ids=[f"{call.__name__}-{name}" for call, name in READERS + TABLE_FUNCTIONS])
@settings(SETTINGS, max_examples=100)
@given(data=st.data())
def test_fuzz_mutated_fixture(fuzz_file, call, name, data):
    _returns_frame_or_project_error(call, fuzz_file, data.draw(mutated(name)))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(fuzz_file, data):
    for reader, _ in READERS[:3]:
        _returns_frame_or_project_error(reader, fuzz_file, data)
