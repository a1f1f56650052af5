"""The before/after comparison of batch outputs (benchmarks/compare_outputs.py)."""

import importlib.util
from pathlib import Path

import pandas as pd

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_outputs.py"
spec = importlib.util.spec_from_file_location("compare_outputs", SCRIPT)
compare_outputs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_outputs)


def table(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=str)


def test_rounding_to_fewer_decimals_is_no_change():
    before = table(Wert=["5,779448767840721", "12", "−1,25"])
    after = table(Wert=["5,78", "12", "−1,3"])
    assert compare_outputs.compare_table(before, after) == ("rounded", [])


def test_a_changed_number_is_found_with_its_cell():
    verdict, notes = compare_outputs.compare_table(table(Wert=["5,7794"], Name=["a"]), table(Wert=["5,79"], Name=["a"]))
    assert verdict == "different" and notes == ["Zeile 2, Spalte 'Wert': '5,7794' → '5,79'"]


def test_renamed_columns_and_missing_tables_count(tmp_path):
    for side, header in (("before", "A;B"), ("after", "A;C")):
        (tmp_path / side / "trier" / "tables").mkdir(parents=True)
        (tmp_path / side / "trier" / "tables" / "t.csv").write_text(f"{header}\n1;2\n", encoding="utf-8")
    (tmp_path / "before" / "trier" / "tables" / "gone.csv").write_text("A\n1\n", encoding="utf-8")
    assert compare_outputs.compare(tmp_path / "before", tmp_path / "after") == 1
    assert compare_outputs.compare(tmp_path / "before", tmp_path / "before") == 0
