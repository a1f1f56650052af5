"""Where a module notebook writes its tables and figures: ``outputs/<region>/tables|figures``.

Notebooks never write files themselves; they call :func:`save_table` and
:func:`save_figure`, which write atomically and deterministically (CSV in UTF-8 for German
spreadsheets, German column names as given; SVG with a fixed hash salt and no timestamp).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from regiopol.core.files import write_atomic
from regiopol.core.paths import PROJECT_ROOT

if TYPE_CHECKING:  # pandas is not imported at run time: the batch runner's no-op path stays light
    import pandas as pd

__all__ = ["OUTPUTS_ENV", "output_root", "region_dir", "save_table", "save_figure"]

OUTPUTS_ENV = "REGIOPOL_OUTPUT_DIR"


def output_root() -> Path:
    """The output root: ``$REGIOPOL_OUTPUT_DIR`` (set by ``regiopol run --output``) or ``outputs/``."""
    return Path(os.environ.get(OUTPUTS_ENV) or PROJECT_ROOT / "outputs")


def region_dir(region: str) -> Path:
    return output_root() / region


def save_table(table: pd.DataFrame, region: str, name: str) -> Path:
    """Write ``table`` to ``outputs/<region>/tables/<name>.csv`` in the form German spreadsheet
    programs open directly: UTF-8 with byte-order mark, ``;`` between fields, decimal comma."""
    path = region_dir(region) / "tables" / f"{name}.csv"
    return write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, sep=";", decimal=",",
                                                         encoding="utf-8-sig"))


def save_figure(figure, region: str, name: str, *, fmt: str = "svg") -> Path:
    """Write a matplotlib figure to ``outputs/<region>/figures/<name>.<fmt>`` without timestamps."""
    path = region_dir(region) / "figures" / f"{name}.{fmt}"
    metadata = {"Date": None} if fmt == "svg" else {"Software": None} if fmt == "png" else {}
    return write_atomic(path, lambda tmp: figure.savefig(tmp, format=fmt, metadata=metadata, bbox_inches="tight"))
