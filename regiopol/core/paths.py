"""Where the project's directories are: repository data, raw official files, outputs."""

from __future__ import annotations

import os
from pathlib import Path

from regiopol.core.errors import MissingInputError

__all__ = ["PROJECT_ROOT", "DATA_DIR", "DEFAULT_RAW_DIR", "DEFAULT_RATES_DIR", "RATES_ENV", "data_dir",
           "raw_dir", "rates_dir"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_RAW_DIR = PROJECT_ROOT.parent / "shared" / "data" / "raw"
DEFAULT_RATES_DIR = PROJECT_ROOT.parent / "shared" / "data" / "rates"
RATES_ENV = "REGIOPOL_RATES_DIR"


def data_dir() -> Path:
    """Directory of the committed tables (``REGIOPOL_DATA_DIR`` overrides it)."""
    return Path(os.environ.get("REGIOPOL_DATA_DIR", DATA_DIR))


def raw_dir(explicit: str | Path | None = None) -> Path:
    """Directory of the official raw files: ``--raw``, else ``REGIOPOL_RAW_DIR``, else
    ``../shared/data/raw`` beside the repository."""
    path = Path(explicit or os.environ.get("REGIOPOL_RAW_DIR") or DEFAULT_RAW_DIR)
    if not path.is_dir():
        raise MissingInputError(
            "raw data directory does not exist", file=path,
            fix="pass --raw DIR or set REGIOPOL_RAW_DIR to the folder with the official downloads",
        )
    return path


def rates_dir(explicit: str | Path | None = None) -> Path:
    """Directory of the official assumption rates (life tables, fertility, usage rates):
    ``explicit``, else ``REGIOPOL_RATES_DIR``, else ``../shared/data/rates`` beside the repository."""
    path = Path(explicit or os.environ.get(RATES_ENV) or DEFAULT_RATES_DIR)
    if not path.is_dir():
        raise MissingInputError(
            "rates directory does not exist", file=path,
            fix=f"set {RATES_ENV} to the folder with the official rate files (../shared/data/rates)",
        )
    return path
