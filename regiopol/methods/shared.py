"""Results that do not depend on the region, computed once per batch instead of once per report.

``regiopol run`` calls :func:`warm` after planning and before it starts the notebooks; each
computation goes through the disk cache (:func:`regiopol.core.cache.disk`), so every kernel
then reads the result from disk. Without the runner nothing changes: the first report that
needs a result computes it and the next ones read it.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Callable, Iterable


def _catchment() -> None:
    from regiopol.methods import catchment

    catchment.kreis_distances()


def _projections() -> None:
    from regiopol.methods import projection

    for variant in projection.variants():
        projection.project(variant)
    projection.project("medium", "hamilton_perry")


def _backtest() -> None:
    from regiopol.methods import backtest

    backtest.goal_check(backtest.results())
    backtest.goal_check(backtest.extended_results())
    backtest.rolling_errors(backtest.RECOMMENDED, series=backtest.region_series())


SHARED: dict[str, tuple[Callable[[], None], ...]] = {  # module slug → what its reports share
    "zentrale_funktionen": (_catchment,),
    "vorausschaetzung": (_projections, _backtest),
}


def slugs(modules: Iterable[str] | None = None) -> list[str]:
    """The modules of :data:`SHARED` among ``modules`` (notebook names ``NN_slug`` or slugs; None: all)."""
    if modules is None:
        return list(SHARED)
    wanted = {m.split("_", 1)[1] if m[:2].isdigit() and "_" in m else m for m in modules}
    return [slug for slug in SHARED if slug in wanted]


def compute(modules: Iterable[str] | None = None) -> None:
    """Compute the shared results of ``modules`` in this process (into the disk cache)."""
    for slug in slugs(modules):
        for step in SHARED[slug]:
            step()


def warm(modules: Iterable[str] | None = None) -> bool:
    """:func:`compute` in a fresh process, so that the caller (the batch runner, whose worker
    processes are forked from it) stays small. Best effort: if it fails, each report computes
    what it needs itself and reports the error there; returns whether it succeeded."""
    chosen = slugs(modules)
    if not chosen:
        return True
    done = subprocess.run([sys.executable, "-m", __name__, *chosen], capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        print(f"Hinweis: gemeinsame Ergebnisse nicht vorab berechnet ({last}); die Berichte rechnen selbst.",
              file=sys.stderr)
    return done.returncode == 0


if __name__ == "__main__":
    compute(sys.argv[1:])
