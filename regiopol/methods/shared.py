"""Results that do not depend on the region, computed once per batch instead of once per report.

``regiopol run`` calls :func:`warm` after planning and before it starts the notebooks; each
computation goes through the disk cache (:func:`regiopol.core.cache.disk`), so every kernel
then reads the result from disk. Without the runner nothing changes: the first report that
needs a result computes it and the next ones read it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable

__all__ = ["indicators", "catchment", "projections", "backtest", "extended_backtest", "STEPS", "SHARED",
           "steps", "warm"]


def indicators() -> None:
    from regiopol.methods import indicators

    indicators.values()


def catchment() -> None:
    from regiopol.methods import catchment

    catchment.kreis_distances()


def projections() -> None:
    from regiopol.methods import projection

    for variant in projection.variants():
        projection.project(variant)
    projection.project("medium", "hamilton_perry")


def backtest() -> None:
    from regiopol.methods import backtest

    backtest.goal_check(backtest.results())


def extended_backtest() -> None:
    from regiopol.methods import backtest

    backtest.goal_check(backtest.extended_results())
    backtest.rolling_errors(backtest.RECOMMENDED, series=backtest.region_series())


STEPS = {step.__name__: step for step in (indicators, catchment, projections, backtest, extended_backtest)}
SHARED = {  # module slug → the steps its reports share
    "zentrale_funktionen": ("indicators", "catchment"),
    "vorausschaetzung": ("projections", "backtest", "extended_backtest"),
}


def steps(modules: Iterable[str] | None = None) -> list[str]:
    """The steps the ``modules`` share (notebook names ``NN_slug`` or slugs; None: all modules)."""
    wanted = set(SHARED) if modules is None else {
        m.split("_", 1)[1] if m[:2].isdigit() and "_" in m else m for m in modules}
    return list(dict.fromkeys(step for slug, names in SHARED.items() if slug in wanted for step in names))


def warm(modules: Iterable[str] | None = None) -> bool:
    """Compute the shared results of ``modules`` into the disk cache, each step in a fresh process
    and all steps at the same time (the caller – the batch runner, whose workers are forked from
    it – stays small, and no core idles while the back-test runs). Best effort: where a step
    fails, each report computes what it needs itself and reports the error there; returns
    whether every step succeeded."""
    running = [subprocess.Popen([sys.executable, "-m", __name__, name], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True) for name in steps(modules)]
    ok = True
    for process in running:
        _, err = process.communicate()
        if process.returncode:
            ok = False
            last = (err.strip().splitlines() or ["?"])[-1]
            print(f"Hinweis: gemeinsame Ergebnisse nicht vorab berechnet ({last}); die Berichte rechnen selbst.",
                  file=sys.stderr)
    return ok


if __name__ == "__main__":
    for step in sys.argv[1:]:
        STEPS[step]()
