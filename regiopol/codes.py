"""Official area codes (AGS).

Kreis codes occur as 5-digit strings (``05711``), 8-digit strings (``05711000``) and
integers without the leading zero (``5711000``). They are normalised once, at the
reader, to a 5-digit Kreis string and an 8-digit Gemeinde string.
"""

from __future__ import annotations

import re

import pandas as pd

from regiopol.errors import InputFormatError

_DIGITS = re.compile(r"^\d+$")


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
    text = values.astype("string").str.strip()
    dropped_zero = text.str.len().isin([4, 7]) & ~text.str.startswith("0")
    text = text.where(~dropped_zero.fillna(False).astype(bool), "0" + text)
    ok = text.str.fullmatch(r"\d{5}|\d{5}000").fillna(False).astype(bool)
    if not ok.all():
        bad = ok[~ok].index[0]
        line = None if lines is None else int(lines[bad])
        kreis_ags(values[bad], file=file, line=line, field=field)
    return text.str[:5].astype(object)


def _digits(value, *, file, line, field) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not _DIGITS.match(text):
        raise InputFormatError(
            f"'{value}' is not an area code (digits only)", file=file, line=line, field=field,
            fix="check the column order and that the code column holds official AGS codes",
        )
    return text
