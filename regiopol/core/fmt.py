"""German number formatting for reports and the command line (1.234,5)."""

from __future__ import annotations

import pandas as pd

__all__ = ["number", "signed_percent", "count_word"]


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


_WORDS = {2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht", 9: "neun",
          10: "zehn", 11: "elf", 12: "zwölf"}


def count_word(n: int) -> str:
    """A small count as a German word ("acht"), larger ones as digits – as in running text."""
    return _WORDS.get(int(n), number(n))


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))
