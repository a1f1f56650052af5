"""Official area codes (AGS).

Kreis codes occur as 5-digit strings (``05711``), 8-digit strings (``05711000``) and
integers without the leading zero (``5711000``). They are normalised once, at the
reader, to a 5-digit Kreis string and an 8-digit Gemeinde string.
"""

from __future__ import annotations

import re

import pandas as pd

from regiopol.core.errors import InputFormatError
from regiopol.data.readers._text import fail_at_first

__all__ = ["kreis_ags", "gemeinde_ags", "kreis_series", "gemeinde_series"]

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: \d also matches e.g. Arabic-Indic digits


def kreis_ags(value, *, file=None, line=None, field=None) -> str:
    """Return the 5-digit Kreis AGS for ``value`` (5/8-digit string or integer)."""
    text = _digits(value, file=file, line=line, field=field)
    if len(text) in (4, 7) and not text.startswith("0"):  # leading zero dropped (integer column)
        text = "0" + text
    if len(text) == 8:
        if not text.endswith("000"):
            raise InputFormatError(
                f"'{value}' is a Gemeinde code, not a Kreis code",
                file=file, line=line, field=field,
                fix="use the Kreis code (first five digits followed by 000) or the 5-digit AGS",
            )
        text = text[:5]
    if len(text) != 5:
        raise InputFormatError(
            f"'{value}' is not a Kreis code (expected 5 or 8 digits)",
            file=file, line=line, field=field, fix="write the Kreis AGS with 5 digits, e.g. 05711",
        )
    return text


def gemeinde_ags(value, *, file=None, line=None, field=None) -> str:
    """Return the 8-digit Gemeinde AGS for ``value`` (string or integer)."""
    text = _digits(value, file=file, line=line, field=field)
    if len(text) == 7 and not text.startswith("0"):
        text = "0" + text
    if len(text) != 8:
        raise InputFormatError(
            f"'{value}' is not a Gemeinde code (expected 8 digits)",
            file=file, line=line, field=field, fix="write the Gemeinde AGS with 8 digits, e.g. 05774032",
        )
    return text


def kreis_series(values: pd.Series, *, file=None, field=None, lines: pd.Series | None = None) -> pd.Series:
    """Vectorised :func:`kreis_ags` for a column; an error names the first bad row's line."""
    text = _code_text(values)
    dropped_zero = (text.str.len().isin([4, 7]) & ~text.str.startswith("0")).fillna(False).astype(bool)
    text = text.where(~dropped_zero, "0" + text)
    bad = ~text.str.fullmatch(r"[0-9]{5}|[0-9]{5}000").fillna(False).astype(bool)
    if bad.any():
        label = bad.idxmax()
        problem, fix = f"'{values[label]}' is not a Kreis code", "write the Kreis AGS with 5 digits, e.g. 05711"
        try:  # the scalar function knows why (Gemeinde code, wrong length, not digits)
            kreis_ags(values[label], file=file, field=field)
        except InputFormatError as err:
            problem, fix = err.problem, err.fix
        fail_at_first(bad, file=file, field=field, problem=problem, fix=fix, lines=lines)
    return text.str[:5].astype(object)


def gemeinde_series(values: pd.Series, *, file=None, field=None, lines: pd.Series | None = None) -> pd.Series:
    """Vectorised :func:`gemeinde_ags` for a column; an error names the first bad row's line."""
    text = _code_text(values)
    dropped_zero = (text.str.len().eq(7) & ~text.str.startswith("0")).fillna(False).astype(bool)
    text = text.where(~dropped_zero, "0" + text)
    bad = ~text.str.fullmatch(r"[0-9]{8}").fillna(False).astype(bool)
    if bad.any():
        label = bad.idxmax()
        problem = f"'{values[label]}' is not a Gemeinde code"
        fix = "write the Gemeinde AGS with 8 digits, e.g. 05774032"
        try:  # the scalar function knows why (wrong length, not digits)
            gemeinde_ags(values[label], file=file, field=field)
        except InputFormatError as err:
            problem, fix = err.problem, err.fix
        fail_at_first(bad, file=file, field=field, problem=problem, fix=fix, lines=lines)
    return text.astype(object)


def _code_text(values: pd.Series) -> pd.Series:
    """Codes as stripped text; integral floats (a column read as float) without their ``.0``."""
    text = values.astype("string").str.strip()
    if values.dtype == object:
        floats = values.map(lambda value: isinstance(value, float)).astype(bool)
    else:
        floats = pd.Series(pd.api.types.is_float_dtype(values), index=values.index, dtype=bool)
    return text.where(~floats, text.str.replace(r"\.0$", "", regex=True))


def _digits(value, *, file, line, field) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not _DIGITS.fullmatch(text):
        raise InputFormatError(
            f"'{value}' is not an area code (digits only)", file=file, line=line, field=field,
            fix="check the column order and that the code column holds official AGS codes",
        )
    return text
