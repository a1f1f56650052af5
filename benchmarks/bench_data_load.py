"""Loading the embedded tables: time for one module's tables in a fresh process, and data size.

Targets (issue "Foundation"): everything one module needs loads in ≤ 1 s (import of the
package excluded, cold start of the tables included); committed data ≤ 25 MB.
Run: `make bench` or `.venv/bin/python benchmarks/bench_data_load.py`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5

# The tables a module report loads (module 1 needs the most: everything but care data).
MODULE_TABLES = ["kreise", "gemeinden", "kreis_geometries", "population_by_age", "population_series",
                 "employment", "inkar", "inkar_catalogue", "hospitals", "universities", "rail_stations"]

PROBE = f"""
import time
import regiopol.data as data, regiopol.regions as regions
import pandas, geopandas  # library imports are not part of the measurement
start = time.perf_counter()
for name in {MODULE_TABLES!r}:
    data.load(name)
regions.load()
print(time.perf_counter() - start)
"""


def main() -> None:
    times = [float(subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True,
                                  text=True, cwd=ROOT).stdout) for _ in range(REPEATS)]
    median = statistics.median(times)
    size = sum(p.stat().st_size for p in (ROOT / "data").iterdir() if p.is_file()) / 1024**2
    print(f"load one module's tables (cold process, median of {REPEATS}): {median:.3f} s "
          f"– target ≤ 1 s, ratio {median / 1.0:.2f} of the budget")
    print(f"committed data/: {size:.1f} MB – target ≤ 25 MB, ratio {size / 25:.2f} of the budget")


if __name__ == "__main__":
    main()
