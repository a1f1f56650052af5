"""Module 2 (projection): time projecting all 400 Kreise × 2 sexes × 101 ages × 25 years under
every variant of data/projection.toml (cohort-component) plus Hamilton–Perry, in a fresh process.

Printed separately and not counted: the package imports and the data load (the committed table
population_by_age, the official rate files, projection.toml). Counted: the estimation from the
base period (joint single-year split, Kreis fertility, residual migration – once per process)
and every projection. Target ≤ 1 s on 2 cores. The script prints; it does not assert (exit 0).
Run: `.venv/bin/python benchmarks/bench_projection.py`.
"""

from __future__ import annotations

import sys

from _probe import cores, probe

TARGET_S = 1.0

PROBE = """
import json, time
t0 = time.perf_counter()
import numpy, pandas, scipy.interpolate, scipy.optimize, scipy.sparse.linalg  # noqa: F401
from regiopol import data
from regiopol.methods import projection
imported = time.perf_counter() - t0

t0 = time.perf_counter()
data.load("population_by_age")
for name in projection.RATE_FILES:
    projection.read_rates(name)
config = projection.load_config()
loaded = time.perf_counter() - t0

steps = {}
t0 = time.perf_counter()
projection.base_period(config=config)
steps["base period (joint split, fertility, residual migration)"] = time.perf_counter() - t0
cells = 0
for variant in config.names:
    t = time.perf_counter()
    result = projection.project(variant, config=config)
    steps[f"cohort {variant}"] = time.perf_counter() - t
    cells += result.population.size
t = time.perf_counter()
projection.project("medium", "hamilton_perry", config=config)
steps["hamilton_perry"] = time.perf_counter() - t
total = time.perf_counter() - t0
print(json.dumps({"imports": imported, "load": loaded, "steps": steps, "total": total,
                  "variants": len(config.names), "cells": cells}))
"""


def main() -> int:
    result = probe(PROBE, "projection")
    if result is None:
        return 0
    total, steps = result["total"], result["steps"]
    print(f"module 2 (projection): 400 Kreise × 2 sexes × 101 ages × 25 years, {result['variants']} cohort "
          f"variants + Hamilton–Perry ({result['cells']:,} projected cells); fresh process, {cores()} core(s)")
    print(f"package imports (not counted): {result['imports']:.2f} s")
    print(f"data load – population_by_age, rate files, projection.toml (not counted): {result['load']:.2f} s")
    width = max(map(len, steps))
    for step, seconds in steps.items():
        print(f"  {step:<{width}}  {seconds:6.3f} s")
    verdict = "PASS" if total <= TARGET_S else "FAIL"
    print(f"total (estimation + all projections): {total:.2f} s – target ≤ {TARGET_S:.0f} s on 2 cores: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
