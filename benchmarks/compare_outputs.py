"""Compare two batch outputs table by table: did a refactoring change any number?

    python benchmarks/compare_outputs.py BEFORE_DIR AFTER_DIR

Run ``regiopol run --force --output BEFORE_DIR`` before the change and ``… --output
AFTER_DIR`` after it. Every CSV under ``<region>/tables/`` is read with German number
format; a numeric cell counts as unchanged when it agrees within the rounding of the coarser
of the two files (a table written with fewer decimals after the change is no change in
value). The script prints, per table, "gleich", "gleich bis auf Rundung", or the cells that
differ, lists tables and figures that exist on one side only, and exits 1 on any difference.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

GERMAN_NUMBER = re.compile(r"^[−-]?\d+(,\d+)?$")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _decimals(cell: str) -> int:
    return len(cell.split(",")[1]) if "," in cell else 0


def _number(cell: str) -> float:
    return float(cell.replace("−", "-").replace(",", "."))


def compare_table(before: pd.DataFrame, after: pd.DataFrame) -> tuple[str, list[str]]:
    """("same" | "rounded" | "different", notes)."""
    if list(before.columns) != list(after.columns):
        return "different", [f"Spalten vorher {list(before.columns)}", f"Spalten nachher {list(after.columns)}"]
    if before.shape != after.shape:
        return "different", [f"Zeilen vorher {len(before)}, nachher {len(after)}"]
    if before.equals(after):
        return "same", []
    notes = []
    for column in before.columns:
        for row, (a, b) in enumerate(zip(before[column], after[column])):
            if a == b:
                continue
            if GERMAN_NUMBER.match(a) and GERMAN_NUMBER.match(b):
                tolerance = 0.5 * 10.0 ** -min(_decimals(a), _decimals(b)) * (1 + 1e-9)
                if np.isclose(_number(a), _number(b), rtol=0, atol=tolerance):
                    continue
            notes.append(f"Zeile {row + 2}, Spalte {column!r}: {a!r} → {b!r}")
    return ("different", notes) if notes else ("rounded", [])


def compare(before: Path, after: Path) -> int:
    differences = 0
    tables_before = {p.relative_to(before) for p in before.glob("*/tables/*.csv")}
    tables_after = {p.relative_to(after) for p in after.glob("*/tables/*.csv")}
    for name in sorted(tables_before ^ tables_after):
        side = "nur vorher" if name in tables_before else "nur nachher"
        print(f"{name}: {side}")
        differences += 1
    counts = {"same": 0, "rounded": 0, "different": 0}
    for name in sorted(tables_before & tables_after):
        verdict, notes = compare_table(read(before / name), read(after / name))
        counts[verdict] += 1
        if verdict == "different":
            differences += 1
            print(f"{name}: verschieden")
            for note in notes[:5]:
                print(f"    {note}")
            if len(notes) > 5:
                print(f"    … und {len(notes) - 5} weitere Zellen")
    figures_before = {p.relative_to(before) for p in before.glob("*/figures/*")}
    figures_after = {p.relative_to(after) for p in after.glob("*/figures/*")}
    for name in sorted(figures_before ^ figures_after):
        print(f"Abbildung {name}: {'nur vorher' if name in figures_before else 'nur nachher'}")
        differences += 1
    print(f"{len(tables_before & tables_after)} Tabellen verglichen: {counts['same']} gleich, "
          f"{counts['rounded']} gleich bis auf Rundung, {counts['different']} verschieden; "
          f"{len(figures_before & figures_after)} Abbildungen auf beiden Seiten")
    return 1 if differences else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
