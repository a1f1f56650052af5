"""Wide forms of the embedded tables that several modules use (one pivot, one place)."""

from __future__ import annotations

import pandas as pd

from regiopol import data
from regiopol.core.cache import memo
from regiopol.core.paths import data_dir

__all__ = ["population_wide"]


def population_wide(directory=None) -> pd.DataFrame:
    """Population on 31.12. per Kreis (index ags) and year (int columns), float – the harmonised
    ``population_series`` (a copy)."""
    return _population_wide(str(directory or data_dir())).copy()


@memo(maxsize=2)
def _population_wide(directory: str) -> pd.DataFrame:
    series = data.load("population_series", directory)
    wide = series.pivot(index="ags", columns="year", values="population").astype("float64")
    wide.columns = wide.columns.astype(int)
    return wide
