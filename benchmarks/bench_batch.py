"""Batch benchmark: ``regiopol run --force`` against the naive loop a user would write.

Measures in one run on the same machine, each in a fresh temporary output directory and with
a fresh, empty disk cache (``REGIOPOL_CACHE_DIR``), so both ways compute the shared results
(projections, back-test) once:

* ``regiopol run --force`` – all regions × all notebooks (worker processes, one kernel each);
* naive – per (region, notebook), sequentially: the ``papermill`` CLI, then
  ``jupyter nbconvert --to html --no-input``;
* their ratio; the peak memory (max RSS of any single child process, and of the whole
  process tree sampled with psutil where available);
* per module, the slowest report of the runner against the module's median (``run.json``);
* the no-op rerun (``regiopol run`` again, nothing changed).

Usage: ``python benchmarks/bench_batch.py [--jobs N] [--region SLUG ...] [--module NAME ...]``
(targets: ≥ 3× faster than naive on 2 cores, no report above 2× the median of its module,
peak memory of the process tree ≤ 3 GB, no-op ≤ 3 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


class TreeMemory:
    """Peak resident memory of a process and all its descendants (psutil sampling, 50 ms)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def timed(commands: list[list[str]], env: dict) -> tuple[float, int, list[int]]:
    """Run the commands one after the other; wall seconds, peak tree RSS (bytes), exit codes."""
    start, peak, codes = time.perf_counter(), 0, []
    for command in commands:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        with TreeMemory(proc.pid) as memory:
            _, err = proc.communicate()
        peak = max(peak, memory.peak)
        codes.append(proc.returncode)
        if proc.returncode:
            print(f"  ! exit {proc.returncode}: {' '.join(command[:4])} …\n{err[-800:]}", file=sys.stderr)
    return time.perf_counter() - start, peak, codes


def module_spread(manifest: Path) -> dict[str, list[float]]:
    """Seconds of every report that ran, by module, from the runner's ``run.json``."""
    results = json.loads(manifest.read_text(encoding="utf-8")).get("results", {}) if manifest.is_file() else {}
    spread: dict[str, list[float]] = {}
    for entry in results.values():
        if entry.get("status") == "ok":
            spread.setdefault(entry["module"], []).append(float(entry["seconds"]))
    return dict(sorted(spread.items()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--region", action="append", default=[])
    parser.add_argument("--module", action="append", default=[])
    parser.add_argument("--kernel", default="regiopol")
    parser.add_argument("--skip-naive", action="store_true", help="only the runner and the no-op rerun")
    args = parser.parse_args(argv)

    from regiopol import regions
    from regiopol.core.cache import CACHE_ENV
    from regiopol.core.outputs import OUTPUTS_ENV
    from regiopol.run import runner

    modules = [m for m in runner.discover() if not args.module or any(m.matches(w) for w in args.module)]
    slugs = [r.slug for r in regions.load() if not args.region or r.slug in args.region]
    n = len(modules) * len(slugs)
    work = Path(tempfile.mkdtemp(prefix="regiopol-bench-"))
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    env.pop(OUTPUTS_ENV, None)
    selectors = [x for s in slugs for x in ("--region", s)] + [x for m in modules for x in ("--module", m.name)]
    try:
        out_runner = work / "runner"
        cmd = [sys.executable, "-m", "regiopol", "run", "--force", "--no-progress", "--jobs", str(args.jobs),
               "--kernel", args.kernel, "--output", str(out_runner), *selectors]
        runner_env = dict(env, **{OUTPUTS_ENV: str(out_runner), CACHE_ENV: str(work / "cache-runner")})
        t_runner, mem_runner, codes = timed([cmd], runner_env)
        spread = module_spread(out_runner / runner.MANIFEST_NAME)
        t_noop, _, _ = timed([[c for c in cmd if c != "--force"]], runner_env)

        t_naive = mem_naive = None
        if not args.skip_naive:
            out_naive = work / "naive"
            commands = []
            for slug in slugs:
                for module in modules:
                    target = out_naive / slug / f"{module.name}.ipynb"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    commands.append([_tool("papermill"), str(module.path), str(target), "-p", "region", slug,
                                     "-k", args.kernel, "--cwd", str(module.path.parent), "--no-progress-bar"])
                    commands.append([_tool("jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)])
            t_naive, mem_naive, _ = timed(commands, dict(env, **{OUTPUTS_ENV: str(out_naive),
                                                                  CACHE_ENV: str(work / "cache-naive")}))
        child_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux

        mib = lambda b: f"{b / 2**20:,.0f} MiB" if b else "–"
        print(f"\nregiopol batch benchmark – {len(slugs)} regions × {len(modules)} notebooks = {n} reports, "
              f"{os.cpu_count()} cores, --jobs {args.jobs}\n")
        print(f"{'way':<44}{'seconds':>10}{'per report':>12}{'peak RSS (tree)':>18}")
        print(f"{'regiopol run --force':<44}{t_runner:>10.1f}{t_runner / n:>12.2f}{mib(mem_runner):>18}")
        if t_naive is not None:
            print(f"{'naive: papermill + nbconvert, sequential':<44}{t_naive:>10.1f}{t_naive / n:>12.2f}"
                  f"{mib(mem_naive):>18}")
        print(f"{'regiopol run (no-op rerun)':<44}{t_noop:>10.2f}{'':>12}{'':>18}")
        print(f"\nlargest single child process: {mib(child_max)} (getrusage RUSAGE_CHILDREN)")
        print(f"\n{'module (runner)':<28}{'reports':>8}{'median s':>10}{'max s':>8}{'max/median':>12}")
        for module, seconds in spread.items():
            median = statistics.median(seconds)
            print(f"{module:<28}{len(seconds):>8}{median:>10.1f}{max(seconds):>8.1f}{max(seconds) / median:>11.2f}×")
        worst = max((max(s) / statistics.median(s) for s in spread.values()), default=float("nan"))
        print(f"\nslowest report / median of its module: {worst:.2f}×  (target ≤ 2×)")
        print(f"peak RSS of the runner's process tree: {mem_runner / 1e9:.2f} GB  (target ≤ 3 GB)")
        if t_naive is not None:
            print(f"speed-up runner vs. naive: {t_naive / t_runner:.2f}×  (target ≥ 3× on 2 cores)")
        print(f"no-op rerun: {t_noop:.2f} s  (target ≤ 3 s)")
        return 0 if all(c in (0, 1) for c in codes) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
