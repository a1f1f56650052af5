"""German number formatting for reports and the command line (1.234,5)."""

from __future__ import annotations

import pandas as pd

__all__ = ["number", "signed_percent"]


def number(value, decimals: int = 0) -> str:
    """``1234.5`` → ``"1.234,5"`` (German separators, typographic minus); NaN/None → ``"–"``."""
    if _missing(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".").replace("-", "−")


def signed_percent(value, decimals: int = 1) -> str:
    """``0.0123`` → ``"+1,2 %"`` (with a no-break space before %)."""
    if _missing(value):
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{number(abs(value) * 100, decimals)}\u00a0%"  # no line break before %


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))
