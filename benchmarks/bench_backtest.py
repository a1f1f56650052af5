"""Module 2 (Vorausschätzung): time the full back-test of the total-population methods on all
400 Kreise and print its accuracy against the naive baselines.

The back-test (:func:`regiopol.methods.backtest.backtest`): constant, LINE, EXPO, ETS, ARIMA and the
project's damped trend on the six windows of :data:`regiopol.methods.backtest.WINDOWS`, ETS and ARIMA
fitted per Kreis in 2 worker processes. Prints the time (target ≤ 30 s on 2 cores, package
imports shown but not counted), MAPE / MdAPE / bias / coverage of the 80 % interval per method
and window, the reference values of the issue for the best naive baseline, and PASS/FAIL for
the goals of the project's method (beat the best naive baseline in every window; 80 % interval
covering 70–90 % of outcomes) with a 95 % bootstrap interval of each MAPE difference, and the
same verdict over all 40 windows of horizon 5 and 8–10 years (:func:`regiopol.methods.backtest.extended_windows`,
timed separately). It does not assert (exit code 0 either way).
Run: `.venv/bin/python benchmarks/bench_backtest.py`.
"""

from __future__ import annotations

import os
import sys
import time

TARGET_S = 30.0
JOBS = 2
# Best naive baseline on the BBSR series, 400 Kreise (MAPE %), as given in the issue.
REFERENCE = {"2005→2010": 2.0, "2011→2016": 2.3, "2011→2019": 3.4}


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover – not Linux
        return os.cpu_count() or 1


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    t0 = time.perf_counter()
    import pandas as pd

    from regiopol.methods import backtest as bt

    imported = time.perf_counter() - t0

    start = time.perf_counter()
    results = bt.backtest(jobs=JOBS)
    table = bt.accuracy_table(results)
    total = time.perf_counter() - start

    print(f"module 2 back-test: {results['ags'].nunique()} Kreise, {len(bt.METHODS)} methods, "
          f"{len(bt.WINDOWS)} windows, {JOBS} worker processes, {cores()} core(s) available")
    print(f"package imports (not counted): {imported:.2f} s")
    print(f"back-test wall time (first data load included): {total:.2f} s – target ≤ {TARGET_S:.0f} s on 2 cores: "
          f"{verdict(total <= TARGET_S)} (ratio {total / TARGET_S:.2f} of the budget)")
    caught = results.attrs.get("warnings", {})
    print("statsmodels warnings caught and silenced: "
          + (", ".join(f"{k} {v}" for k, v in caught.items()) if caught else "none"))

    windows = [w.label for w in bt.WINDOWS]
    pd.set_option("display.width", 200)
    for measure, digits in (("MAPE", 2), ("MdAPE", 2), ("bias", 2), ("coverage80", 1)):
        pivot = table.pivot(index="method", columns="window", values=measure).reindex(
            index=list(bt.METHODS), columns=windows)
        print(f"\n{measure} (%){' – share of actual values inside the 80 % interval' if measure == 'coverage80' else ''}")
        print(pivot.round(digits).to_string(na_rep="–"))

    goals = bt.goal_check(results)
    print("\nbest naive baseline against the reference of the issue (MAPE %):")
    for window, reference in REFERENCE.items():
        row = goals.set_index("window").loc[window]
        print(f"  {window}: {row['best_naive']} {row['naive_MAPE']:.2f} – reference {reference:.1f}")

    print(f"\ngoals of the project's method '{bt.RECOMMENDED}' per window:")
    for row in goals.itertuples():
        print(f"  {row.window}: MAPE {row.MAPE:.2f} vs best naive {row.best_naive} {row.naive_MAPE:.2f} "
              f"({row.difference:+.2f}, 95 % bootstrap {row.difference_lo95:+.2f}…{row.difference_hi95:+.2f}) "
              f"{verdict(row.beats)}; coverage80 {row.coverage80:.1f} % "
              f"(goal 70–90) {verdict(row.covers)}")
    print(f"beats the best naive baseline in every window: {verdict(goals['beats'].all())} "
          f"({int(goals['beats'].sum())} of {len(goals)})")
    print(f"80 % interval covers 70–90 % in every window: {verdict(goals['covers'].all())} "
          f"({int(goals['covers'].sum())} of {len(goals)})")

    start = time.perf_counter()
    extended = bt.goal_summary(bt.goal_check(bt.extended_results(JOBS)))
    print(f"\nextended back-test ({extended['windows']} windows of horizon "
          f"{', '.join(map(str, bt.EXTENDED_HORIZONS))} years from base 1995, naive baselines and "
          f"'{bt.RECOMMENDED}', {time.perf_counter() - start:.2f} s, not part of the target):")
    print(f"  beats the best naive baseline in {extended['beats']} of {extended['windows']} windows "
          f"(loses in {', '.join(extended['not_beaten']) or 'none'}); worse beyond the 95 % bootstrap interval in "
          f"{extended['worse']}")
    print(f"  80 % interval covers 70–90 % in {extended['covers']} of {extended['with_interval']} windows with an "
          f"interval (mean {extended['mean_coverage80']:.1f} %; misses {', '.join(extended['not_covered']) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
