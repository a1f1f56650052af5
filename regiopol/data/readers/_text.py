"""Low-level pieces shared by the readers of official text files."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from regiopol.core.errors import InputFormatError, MissingInputError

__all__ = ["PLACEHOLDERS", "GERMANY_BOUNDS", "MISSING_FIX", "require_file", "read_text", "fail_at_first",
           "check_unique", "parse_numbers", "parse_counts", "as_count", "parse_postcodes",
           "parse_coordinates", "text_as_object", "read_delimited", "require_columns", "parse_flags"]

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
# Germany's bounding box (WGS84 degrees); a point outside is a geocoding or typing error.
GERMANY_BOUNDS = {"lon": (5.5, 15.5), "lat": (47.0, 55.2)}
MISSING_FIX = "check the raw data directory (--raw or REGIOPOL_RAW_DIR) or download the file again"


def require_file(path: str | Path, *, fix: str = MISSING_FIX) -> Path:
    """``path`` as a :class:`Path`; :class:`MissingInputError` naming it if it is no file."""
    path = Path(path)
    if not path.is_file():
        raise MissingInputError("file does not exist", file=path, fix=fix)
    return path


def read_text(path: str | Path, *, encoding: str) -> str:
    """Read a whole text file, with errors that name the file and the fix.

    ``encoding="latin-1"`` (the GENESIS classic formats) also accepts a UTF-8 copy of the
    same file, since a UTF-8 file decoded as Latin-1 would silently give mojibake.
    """
    path = require_file(path)
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


def fail_at_first(
    bad: pd.Series, *, file, field: str | None, problem: str, fix: str,
    cells: pd.Series | None = None, lines: pd.Series | None = None,
) -> None:
    """Raise :class:`InputFormatError` for the first row flagged in ``bad`` (``<NA>``: flagged).

    ``problem`` may contain ``{cell}`` (that row's value in ``cells``), ``field`` may
    contain ``{row}`` (the row's index label, for files without line numbers such as a
    GeoJSON: ``features[{row}].properties.AGS``); ``lines`` (aligned with ``bad``) gives
    the line number named in the message.
    """
    flagged = bad.fillna(True).to_numpy(dtype=bool)
    if not flagged.any():
        return
    label = bad.index[flagged.argmax()]
    if cells is not None:
        problem = problem.replace("{cell}", str(cells[label]))
    line = None if lines is None else int(lines[label])
    field = None if field is None else field.replace("{row}", str(label))
    raise InputFormatError(problem, file=file, line=line, field=field, fix=fix)


def check_unique(
    frame: pd.DataFrame, keys: list[str], *, file, lines: pd.Series | None = None,
    field: str | None = None, fix: str = "keep one row per key, as in the official file, or download it again",
) -> None:
    """Raise at the first row whose ``keys`` repeat an earlier row's, naming both rows
    (by ``lines``, or by ``field`` if it contains ``{row}`` as in :func:`fail_at_first`).

    ``field`` defaults to the first key.
    """
    repeated = frame.duplicated(keys)
    if not repeated.any():
        return
    group = frame.groupby(keys, sort=False, dropna=False).ngroup()
    label = repeated.idxmax()
    earlier = group.index[(group == group[label]).to_numpy()][0]
    field = field or keys[0]
    first = ""
    if lines is not None:
        first = f" (first at line {int(lines[earlier])})"
    elif "{row}" in field:
        first = f" (first at {field.replace('{row}', str(earlier))})"
    shown = ", ".join(f"{key} {frame.at[label, key]}" for key in keys)
    fail_at_first(repeated, file=file, field=field, problem=f"{shown} occurs twice{first}", fix=fix, lines=lines)


def parse_numbers(
    cells: pd.Series, *, file, field: str, lines: pd.Series | None = None, decimal: str = ",",
    thousands: str | None = None, allow_empty: bool = True, placeholders: bool = True,
) -> tuple[pd.Series, pd.Series]:
    """Parse official number cells into floats and a flag column.

    Returns ``(values, flags)``: ``values`` is float with NaN where the cell holds an
    official placeholder (``-`` ``.`` ``...`` ``x`` ``/``), ``flags`` holds that
    placeholder (else ``<NA>``), so "nichts vorhanden" stays distinguishable from
    "geheim". A number is ASCII digits with an optional ``-`` and ``decimal`` part, the
    digits optionally grouped by threes with ``thousands`` (default ``.`` with a decimal
    comma, none with a decimal point; ``" "`` also stands for the no-break spaces).
    Anything else – ``+5``, ``1e3``, ``inf`` … – raises :class:`InputFormatError` naming
    the line and field; so do empty cells unless ``allow_empty`` (then NaN) and the
    placeholders unless ``placeholders``. Cells that already hold numbers (a
    spreadsheet's numeric cells) are taken as they are, if finite.
    """
    if thousands is None and decimal == ",":
        thousands = "."
    given = _holds_numbers(cells)
    numbers = pd.to_numeric(cells.where(given), errors="coerce").astype(float)
    text = cells.where(~given).astype("string").str.strip()
    empty = (given & numbers.isna()) | (~given & (text.isna() | (text == "")).fillna(True).astype(bool))
    fix = "check that the columns are not shifted and the file is the official export"
    if not allow_empty:
        fail_at_first(empty, file=file, field=field, lines=lines, fix=fix, problem="empty cell" + (
            " (official exports write a placeholder such as '-' or '.')" if placeholders else ""))
    is_flag = text.isin(list(PLACEHOLDERS)).fillna(False).astype(bool) & placeholders
    candidate = text.where(~(given | empty | is_flag))
    ok = candidate.isna() | candidate.str.fullmatch(_number_pattern(decimal, thousands)).fillna(False)
    problem = "'{cell}' is not a number"
    if placeholders:
        problem = "'{cell}' is neither a number nor an official placeholder (" + " ".join(
            p for p in PLACEHOLDERS if p.isascii()) + ")"
    fail_at_first(~ok.astype(bool), file=file, field=field, problem=problem, fix=fix, cells=cells, lines=lines)
    if thousands:
        candidate = candidate.str.replace(_separator_class(thousands), "", regex=True)
    parsed = candidate.str.replace(decimal, ".", regex=False).astype("float64")
    values = numbers.where(given, parsed)
    fail_at_first(pd.Series(np.isinf(values.to_numpy()), index=cells.index), file=file, field=field, fix=fix,
                  problem="'{cell}' is not a finite number", cells=cells, lines=lines)
    return values, text.where(is_flag)


def parse_counts(cells: pd.Series, *, file, field: str, lines: pd.Series | None = None, **options) -> pd.Series:
    """:func:`parse_numbers` (``options``: decimal, thousands, allow_empty, placeholders)
    followed by :func:`as_count`: non-negative whole numbers as nullable Int64."""
    values, _ = parse_numbers(cells, file=file, field=field, lines=lines, **options)
    return as_count(values, file=file, field=field, lines=lines)


def as_count(values: pd.Series, *, file, field: str, lines: pd.Series | None = None) -> pd.Series:
    """Counts must be non-negative whole numbers; returned as nullable Int64."""
    checks = [
        (values < 0, "negative count {cell}", "counts cannot be negative: check the file against the official table"),
        (values.notna() & ~(values.abs() < 2**53), "count {cell} is not a plausible count",  # infinite or too large
         "check that the columns are not shifted and the file is the official export"),
        (values.notna() & (values != np.round(values)), "count {cell} is not a whole number",
         "check the decimal separator and that the columns are not shifted"),
    ]
    for bad, problem, fix in checks:
        if bad.any():
            fail_at_first(bad, file=file, field=field, problem=problem, fix=fix, cells=values.map("{:g}".format),
                          lines=lines)
    return values.round().astype("Int64")


def parse_postcodes(cells: pd.Series, *, file, field: str, lines: pd.Series | None = None) -> pd.Series:
    """5-digit postcode strings (``<NA>`` for an empty cell); blanks inside are dropped and
    4 digits (the leading zero lost in a spreadsheet: ``4618``) are padded."""
    text = cells.astype("string").str.replace(r"\s+", "", regex=True).replace("", pd.NA)
    text = text.where(text.str.len() != 4, "0" + text)
    fail_at_first(text.notna() & ~text.str.fullmatch(r"[0-9]{5}").fillna(False).astype(bool), file=file,
                  field=field, lines=lines, cells=cells, problem="'{cell}' is not a German postcode (5 digits)",
                  fix="check that the columns are not shifted")
    return text


def parse_coordinates(
    lon_cells: pd.Series, lat_cells: pd.Series, *, file, lon_field: str, lat_field: str,
    lines: pd.Series | None = None, decimal: str = ".",
) -> tuple[pd.Series, pd.Series, list[str]]:
    """Longitude and latitude (WGS84 degrees) and warnings.

    A cell that is not a number raises. A point outside :data:`GERMANY_BOUNDS` or with
    only one of its coordinates – a geocoding or typing error, e.g. swapped or lost
    decimal separators – is set to NaN (both coordinates) and listed in the returned
    warnings with the file's name (no directory: warnings go into the provenance record)
    and line, so one bad point does not fail the whole read.
    """
    lon, _ = parse_numbers(lon_cells, file=file, field=lon_field, lines=lines, decimal=decimal, thousands="",
                           placeholders=False)
    lat, _ = parse_numbers(lat_cells, file=file, field=lat_field, lines=lines, decimal=decimal, thousands="",
                           placeholders=False)
    inside = lon.between(*GERMANY_BOUNDS["lon"]) & lat.between(*GERMANY_BOUNDS["lat"])
    dropped = (lon.notna() | lat.notna()) & ~inside
    where = lines if lines is not None else pd.Series(lon.index, index=lon.index)
    label = "line" if lines is not None else "row"
    warnings = [
        f"{Path(file).name}, {label} {line}: coordinates (lat {y:g}, lon {x:g}) "
        + ("lie outside Germany" if pd.notna(x) and pd.notna(y) else "are incomplete")
        + " – set to NaN (check for swapped coordinates or a lost decimal separator)"
        for line, x, y in zip(where[dropped], lon[dropped], lat[dropped])
    ]
    return lon.mask(dropped), lat.mask(dropped), warnings


def text_as_object(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its text columns as object (like :func:`regiopol.data.codes.kreis_series`
    returns them) and a fresh index – the form all readers return."""
    text = table.select_dtypes("string").columns
    return table.astype({column: object for column in text}).reset_index(drop=True)


def _holds_numbers(cells: pd.Series) -> pd.Series:
    """Which cells already hold numbers (not text, not booleans)."""
    if cells.dtype == object:
        return cells.map(lambda cell: isinstance(cell, (int, float, np.integer, np.floating))
                         and not isinstance(cell, (bool, np.bool_))).astype(bool)
    numeric = pd.api.types.is_numeric_dtype(cells) and not pd.api.types.is_bool_dtype(cells)
    return pd.Series(numeric, index=cells.index, dtype=bool)


def _separator_class(thousands: str) -> str:
    return "[ \u00a0\u202f]" if thousands == " " else re.escape(thousands)


def _number_pattern(decimal: str, thousands: str | None) -> str:
    """Plain digits, or digits grouped by threes; an optional sign ``-`` and decimal part."""
    fraction = f"(?:{re.escape(decimal)}[0-9]+)?"
    grouped = f"|[0-9]{{1,3}}(?:{_separator_class(thousands)}[0-9]{{3}})+" if thousands else ""
    return f"-?(?:[0-9]+{grouped}){fraction}"


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
    fail_at_first(values.isna() & text.notna() & (text != ""), file=file, field=field, lines=lines, cells=cells,
                  problem=f"'{{cell}}' is not one of {', '.join(mapping)}",
                  fix="check that the columns are not shifted and the file is the official export")
    return values.astype("boolean")
