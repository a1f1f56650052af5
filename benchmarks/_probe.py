"""Shared by the benchmark scripts: the core count and a measurement in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover – not Linux
        return os.cpu_count() or 1


def probe(code: str, what: str) -> dict | None:
    """Run ``code`` in a fresh Python process and return the JSON it prints last (None on failure,
    reported on stderr: a benchmark prints, it does not fail the build)."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if run.returncode != 0:
        print(f"{what} benchmark: the probe process failed\n" + run.stderr, file=sys.stderr)
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])
