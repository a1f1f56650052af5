"""Atomic file writes: a crash or Ctrl-C never leaves a half-written file in place of a good one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["PUBLISHED", "write_atomic", "write_text_atomic", "write_all_atomic"]

PUBLISHED = 0o644  # mkstemp creates 0600; reports and tables are meant to be read by others


def write_atomic(path: str | Path, write: Callable[[str], object], *, suffix: str = ".tmp",
                 keep_partial: Path | None = None) -> Path:
    """Call ``write(tmp_path)`` for a temporary file beside ``path``, then rename it to ``path``.

    ``suffix`` ends the temporary name (some writers need a known extension). If ``write``
    raises an error and ``keep_partial`` is given, what was written is kept there for
    debugging – never in place of ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, PUBLISHED)
        os.replace(tmp, path)
    except BaseException as err:
        failed = isinstance(err, Exception)  # an interruption (Ctrl-C) keeps nothing
        if failed and keep_partial is not None and Path(tmp).is_file() and Path(tmp).stat().st_size > 0:
            os.chmod(tmp, PUBLISHED)
            os.replace(tmp, keep_partial)
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_all_atomic(writers: dict[Path, Callable[[str], object]]) -> None:
    """Write several files so that either all of them are replaced or none: every file is
    first written to a temporary file, and only when all succeeded are they renamed."""
    staged: dict[Path, str] = {}
    try:
        for path, write in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            staged[path] = tmp
            write(tmp)
            os.chmod(tmp, PUBLISHED)
        for path, tmp in staged.items():
            os.replace(tmp, path)
    finally:
        for tmp in staged.values():
            Path(tmp).unlink(missing_ok=True)
