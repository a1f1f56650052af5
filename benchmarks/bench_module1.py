"""Module 1 (Zentrale Funktionen): time every computation of the report for all eight regions
from the library, without notebooks and without figures, in a fresh process.

Per region: the indicator profile of every area with data (``zentrale_funktionen.profile_table``), the
Bedeutungsüberschuss, job centrality and core shares, the Huff tables and Huff sensitivity
for hospital beds and students, the catchment summary, the 2SFCA table and the Oberzentrum
checklist; then the checklist of all eight regions once.

Target: ≤ 5 s on 2 cores for all of it, the first load of the committed tables included
(the import of the packages – pandas, matplotlib, geopandas – is shown but not counted).
The script prints; it does not assert (exit code 0 either way).
Run: `.venv/bin/python benchmarks/bench_module1.py`.
"""

from __future__ import annotations

import sys

from _probe import cores, probe

TARGET_S = 5.0

# The tables module 1 reads (everything but the care data).
TABLES = ["kreise", "gemeinden", "kreis_geometries", "population_series", "employment", "inkar",
          "inkar_germany", "inkar_catalogue", "hospitals", "universities", "rail_stations", "central_places"]

PROBE = f"""
import json, time
t0 = time.perf_counter()
import pandas, numpy, scipy, matplotlib, geopandas  # noqa: F401 – library imports, shown separately
from regiopol import data, regions
from regiopol.methods import catchment
from regiopol.report import zentrale_funktionen
imported = time.perf_counter() - t0

steps = {{}}

def timed(step, function, *args):
    start = time.perf_counter()
    result = function(*args)
    steps[step] = steps.get(step, 0.0) + time.perf_counter() - start
    return result

start = time.perf_counter()
timed("first data load (tables, regions.toml)", lambda: ([data.load(n) for n in {TABLES!r}], regions.load()))
for r in regions.load():
    for area in zentrale_funktionen.areas_with_data():
        timed("profile_table (every area with data)", zentrale_funktionen.profile_table, r, area)
    timed("surplus_table", zentrale_funktionen.surplus_table, r)
    timed("job_centrality_table", zentrale_funktionen.job_centrality_table, r)
    timed("core_shares_table", zentrale_funktionen.core_shares_table, r)
    for measure in catchment.HUFF_MEASURES:
        timed("huff_table (beds, students)", zentrale_funktionen.huff_table, r, measure)
        timed("huff_sensitivity_table (beds, students)", zentrale_funktionen.huff_sensitivity_table, r, measure)
    timed("catchment_summary", zentrale_funktionen.catchment_summary, r)
    timed("fca_table", zentrale_funktionen.fca_table, r)
    timed("checklist", zentrale_funktionen.checklist, r)
timed("checklist_comparison (once)", zentrale_funktionen.checklist_comparison)
total = time.perf_counter() - start
print(json.dumps({{"imports": imported, "total": total, "steps": steps,
                  "regions": len(regions.load()), "areas": zentrale_funktionen.areas_with_data()}}))
"""


def main() -> int:
    result = probe(PROBE, "module-1")
    if result is None:
        return 0
    total, steps = result["total"], result["steps"]
    print(f"module 1 (Zentrale Funktionen), {result['regions']} regions, areas with data: "
          f"{', '.join(result['areas'])}; fresh process, {cores()} core(s) available")
    print(f"package imports (not counted): {result['imports']:.2f} s")
    width = max(map(len, steps))
    for step, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"  {step:<{width}}  {seconds:6.2f} s  {100 * seconds / total:5.1f} %")
    verdict = "PASS" if total <= TARGET_S else "FAIL"
    print(f"total wall time (first data load included): {total:.2f} s – target ≤ {TARGET_S:.0f} s on 2 cores: "
          f"{verdict} (ratio {total / TARGET_S:.2f} of the budget)")
    print(f"with package imports: {total + result['imports']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
