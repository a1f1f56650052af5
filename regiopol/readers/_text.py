"""Low-level pieces shared by the readers of official text files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from regiopol.errors import InputFormatError, MissingInputError

# GENESIS / Regionalstatistik signs for cells without a number ("Zeichenerklärung").
PLACEHOLDERS = {
    "-": "nichts vorhanden",
    "–": "nichts vorhanden",
    ".": "Zahlenwert unbekannt oder geheimzuhalten",
    "...": "Angabe fällt später an",
    "…": "Angabe fällt später an",
    "x": "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
    "/": "keine Angaben, da Zahlenwert nicht sicher genug",
}


def read_text(path: str | Path, *, encoding: str) -> str:
    """Read a whole text file, with errors that name the file and the fix.

    ``encoding="latin-1"`` (the GENESIS classic formats) also accepts a UTF-8 copy of the
    same file, since a UTF-8 file decoded as Latin-1 would silently give mojibake.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingInputError(
            "file does not exist", file=path,
            fix="check the raw data directory (--raw or REGIOPOL_RAW_DIR) or download the table again",
        )
    data = path.read_bytes()
    if not data.strip():
        raise InputFormatError("file is empty", file=path, fix="download the table again")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise InputFormatError(
            "file is UTF-16 or binary, not a text export", file=path,
            fix="export the table again as CSV (UTF-8 or ISO-8859-1)",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if encoding.lower().replace("_", "-") in ("latin-1", "latin1", "iso-8859-1"):
            text = data.decode("latin-1")
        else:
            line = data[: err.start].count(b"\n") + 1
            raise InputFormatError(
                f"not valid {encoding} (byte {data[err.start]:#04x})", file=path, line=line,
                fix=f"save the file as {encoding} or download it again",
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_numbers(
    cells: pd.Series, *, file, field: str, lines: pd.Series | None = None, decimal: str = ","
) -> tuple[pd.Series, pd.Series]:
    """Parse official number cells into floats and a flag column.

    Returns ``(values, flags)``: ``values`` is float with NaN where the cell holds an
    official placeholder (``-`` ``.`` ``...`` ``x`` ``/``), ``flags`` holds that
    placeholder (else ``<NA>``), so "nichts vorhanden" stays distinguishable from
    "geheim". Anything else that is not a number raises :class:`InputFormatError`
    naming the line and field.
    """
    text = cells.astype("string").str.strip()
    is_flag = text.isin(list(PLACEHOLDERS)).fillna(False).astype(bool)
    numeric = text.where(~is_flag)
    if decimal == ",":
        numeric = numeric.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(numeric, errors="coerce")
    bad = values.isna() & ~is_flag & text.notna() & (text != "")
    if bad.any():
        label = bad[bad].index[0]
        line = None if lines is None else int(lines[label])
        raise InputFormatError(
            f"'{cells[label]}' is neither a number nor an official placeholder "
            f"({' '.join(p for p in PLACEHOLDERS if p.isascii())})",
            file=file, line=line, field=field,
            fix="check that the columns are not shifted and the file is the official export",
        )
    flags = text.where(is_flag)
    return values.astype(float), flags


def as_count(values: pd.Series, *, file, field: str, lines: pd.Series | None = None) -> pd.Series:
    """Counts must be non-negative whole numbers; returned as nullable Int64."""
    negative = values < 0
    if negative.any():
        label = negative[negative].index[0]
        line = None if lines is None else int(lines[label])
        raise InputFormatError(
            f"negative count {values[label]:g}", file=file, line=line, field=field,
            fix="counts cannot be negative: check the file against the official table",
        )
    implausible = values.notna() & ~(values.abs() < 2**53)  # infinite or beyond exact integers
    if implausible.any():
        label = implausible[implausible].index[0]
        line = None if lines is None else int(lines[label])
        raise InputFormatError(
            f"count {values[label]:g} is not a plausible count", file=file, line=line, field=field,
            fix="check that the columns are not shifted and the file is the official export",
        )
    fractional = values.notna() & (values != np.round(values))
    if fractional.any():
        label = fractional[fractional].index[0]
        line = None if lines is None else int(lines[label])
        raise InputFormatError(
            f"count {values[label]:g} is not a whole number", file=file, line=line, field=field,
            fix="check the decimal separator and that the columns are not shifted",
        )
    return values.round().astype("Int64")


def read_delimited(path: str | Path, *, sep: str, encoding: str = "utf-8") -> tuple[pd.DataFrame, pd.Series]:
    """Read a delimited text file with a header row into stripped strings.

    Quoted fields may span lines. Returns ``(frame, lines)``: ``lines`` holds the
    1-based line number where each record starts, for error messages. Blank lines are
    skipped; a record with more or fewer fields than the header raises.
    """
    text = read_text(path, encoding=encoding)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    records, starts, start = [], [], 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append(record)
                starts.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputFormatError(
            f"not a valid {sep!r}-separated file ({err})", file=path, line=reader.line_num,
            fix="check the quoting of text fields or download the file again",
        ) from None
    if not records:
        raise InputFormatError("file has no header row", file=path, fix="download the file again")
    header = [name.strip() for name in records[0]]
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise InputFormatError(
            "column name occurs more than once", file=path, line=starts[0], field=duplicated[0],
            fix="use the official export with its original header",
        )
    for record, line in zip(records[1:], starts[1:]):
        if len(record) != len(header):
            raise InputFormatError(
                f"{len(record)} fields where the header has {len(header)}", file=path, line=line,
                fix="check for a shifted column or an unquoted separator inside a text field",
            )
    frame = pd.DataFrame(records[1:], columns=header, dtype="string")
    frame = frame.apply(lambda column: column.str.strip())
    return frame, pd.Series(starts[1:], index=frame.index, dtype=int)


def require_columns(frame: pd.DataFrame, columns, *, file, line: int | None = 1) -> None:
    """Raise naming the first of ``columns`` that ``frame`` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputFormatError(
            f"column missing (missing: {', '.join(missing)})", file=file, line=line, field=missing[0],
            fix="use the official file with its original header; do not rename or delete columns",
        )


def parse_flags(
    cells: pd.Series, mapping: dict[str, bool], *, file, field: str, lines: pd.Series | None = None
) -> pd.Series:
    """Map yes/no cells (case-insensitive keys of ``mapping``) to nullable booleans.

    Empty cells give ``<NA>``; any other value raises naming the line and field.
    """
    text = cells.astype("string").str.strip().str.lower()
    values = text.map(mapping)
    bad = values.isna() & text.notna() & (text != "")
    if bad.any():
        label = bad[bad].index[0]
        line = None if lines is None else int(lines[label])
        raise InputFormatError(
            f"'{cells[label]}' is not one of {', '.join(mapping)}", file=file, line=line, field=field,
            fix="check that the columns are not shifted and the file is the official export",
        )
    return values.astype("boolean")
