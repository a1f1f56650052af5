"""Readers for the GENESIS family of CSV exports (GENESIS-Online and Regionalstatistik).

Three layouts, each read into a tidy long table with ``attrs["source"]``:

- :func:`read_genesis_classic` – GENESIS-Online classic CSV ("GENESIS-Tabelle: …" title
  lines, header rows starting with empty cells, data rows ``time;code;name;values…``,
  footer after ``__________`` with © and ``Stand:`` lines; ISO-8859-1).
- :func:`read_genesis_flat` – the flat format "ffcsv" (``Statistik_Code;…;Zeit;
  1_Merkmal_Code;…;CODE__Label__Unit``).
- :func:`read_regionalstatistik` – Regionalstatistik classic CSV (same family; region
  names indented by level, optional extra label column such as sector or sex,
  multi-row headers with unit rows, quoted multi-line footnotes).

The table functions at the end (:func:`population_by_age`,
:func:`employment_at_workplace`, :func:`unemployment`, :func:`care_recipients`) turn the
tables the suite uses into Kreis tables with English column names.

Area codes are ``DG`` (Deutschland), 2-digit Länder, 3-digit Regierungsbezirke (also
"Stat. Region"), 5-digit Kreise and 8-digit Gemeinden (e.g. Hannover, Aachen,
Saarbrücken, the Berlin Bezirke in Regionalstatistik tables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from regiopol.core.errors import InputFormatError, MissingInputError
from regiopol.core.sources import DESTATIS, DL_DE_BY_2_0, STATISTIK_AEMTER, Source, attach
from regiopol.data.codes import kreis_series
from regiopol.data.readers._text import as_count, check_unique, fail_at_first, parse_numbers, read_text

__all__ = ["FOOTER", "LEVELS", "UNITS", "REGIONAL_MERKMALE", "read_genesis_classic",
           "read_regionalstatistik", "read_genesis_flat", "population_by_age", "employment_at_workplace",
           "unemployment", "care_recipients"]

FOOTER = "__________"
_TIME = r"[0-9]{4}|[0-9]{2}\.[0-9]{2}\.[0-9]{4}"  # "2020" or "31.12.2020"
_TIME_FORMATS = {4: "%Y", 10: "%d.%m.%Y"}  # by length, to check that the date exists
_AREA = r"DG|(?:0[1-9]|1[0-6])(?:[0-9]|[0-9]{3}|[0-9]{6})?"  # DG, Land, Regierungsbezirk, Kreis, Gemeinde
_TITLE_TIME = re.compile(r"(?:Stichtag|Jahr|Berichtsjahr|Zeitraum)\s*:\s*(.+)")
_REGION_DEPTH = re.compile(r"Kreise|Gemeinden|Länder|Regierungsbezirke|Deutschland")
LEVELS = {2: "Land", 3: "Regierungsbezirk", 5: "Kreis", 8: "Gemeinde"}
UNITS = {"Anzahl", "Prozent", "%", "EUR", "Euro", "Tsd. EUR", "Mill. EUR", "1000", "ha", "qkm", "km²", "Jahre"}
REGIONAL_MERKMALE = {"DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN"}
_RESERVED = {"time", "year", "ags", "level", "region_name", "category", "variable", "unit", "value", "flag", "line"}
_FLAT_HEAD = ["Statistik_Code", "Statistik_Label", "Zeit_Code", "Zeit_Label", "Zeit"]
_FLAT_MERKMAL = ["Merkmal_Code", "Merkmal_Label", "Auspraegung_Code", "Auspraegung_Label"]
_UNCHANGED = "use the unchanged CSV export of the table or download it again"
_SHIFTED = "check that no cell was added or removed (shifted columns) and that the file is complete"
_DUPLICATE = "remove the repeated row or download the table again"


# --------------------------------------------------------------------------- classic layout


@dataclass(frozen=True)
class _Block:
    """A classic export split into its parts."""

    path: Path
    table: str
    titles: list[str]  # title lines (line 2 …) without trailing ';'
    title_lines: list[int]  # line number of each title
    header: list[list[str]]  # header rows, value columns only, stripped
    header_line: int  # line number of the first header row
    lead: np.ndarray  # leading label cells of the data rows (rows × label columns)
    cells: np.ndarray  # value cells (rows × value columns)
    lines: np.ndarray  # line number of each data row
    footer: list[str]


def _split_classic(path: str | Path) -> _Block:
    """Split a classic export into title, header, data and footer; check the cell counts."""
    path = Path(path)
    lines = read_text(path, encoding="latin-1").split("\n")
    table = _table_code(lines[0], path)
    end = next((i for i, line in enumerate(lines) if line.strip().rstrip(";") == FOOTER), None)
    stop = end if end is not None else _without_trailing_blanks(lines)  # truncated: a cut row is named first
    start, data = _header_span(lines, stop, path)
    header = [[cell.strip() for cell in line.split(";")] for line in lines[start:data]]
    width = len(header[0])
    for number, row in enumerate(header, start=start + 1):
        if len(row) != width:
            raise InputFormatError(
                f"header row has {len(row)} cells, the first header row {width}", file=path, line=number,
                fix=_SHIFTED,
            )
    labels = min(next((j for j, cell in enumerate(row) if cell), width) for row in header)
    if labels >= width:
        raise InputFormatError("header rows have no column labels", file=path, line=start + 1, fix=_UNCHANGED)
    if data >= stop:
        raise InputFormatError("no data rows after the header rows", file=path, line=data + 1, fix=_UNCHANGED)
    cells = np.array(_split_rows(lines[data:stop], data + 1, width, path), dtype=object)
    if end is None:
        raise InputFormatError(
            f"no footer line '{FOOTER}': the file is incomplete", file=path, line=stop,
            fix="download the table again (the export ends with '__________', © and 'Stand:' lines)",
        )
    titles = [(number, line.rstrip().rstrip(";").strip()) for number, line in enumerate(lines[1:start], start=2)]
    titles = [(number, title) for number, title in titles if title]
    return _Block(
        path=path,
        table=table,
        titles=[title for _, title in titles],
        title_lines=[number for number, _ in titles],
        header=[row[labels:] for row in header],
        header_line=start + 1,
        lead=cells[:, :labels],
        cells=cells[:, labels:],
        lines=np.arange(data + 1, stop + 1),
        footer=lines[end + 1:],
    )


def _table_code(first_line: str, path: Path) -> str:
    """The table code of the title line 'GENESIS-Tabelle: <code>'."""
    first = first_line.split(";")[0].strip()
    table = first.split(":", 1)[1].strip() if first.startswith("GENESIS-Tabelle:") else ""
    if not table:
        raise InputFormatError(
            "no title block: line 1 should read 'GENESIS-Tabelle: <table code>'", file=path, line=1,
            fix=f"{_UNCHANGED}; a flat (ffcsv) download is read with read_genesis_flat",
        )
    return table


def _without_trailing_blanks(lines: list[str]) -> int:
    """The number of lines up to the last non-blank one."""
    stop = len(lines)
    while stop > 1 and not lines[stop - 1].strip():
        stop -= 1
    return stop


def _header_span(lines: list[str], stop: int, path: Path) -> tuple[int, int]:
    """Indices of the first header row (a line starting with ';') and of the first data row."""
    start = next((i for i in range(1, stop) if lines[i].startswith(";")), None)
    if start is None:
        raise InputFormatError(
            "no header rows (lines starting with ';') between the title lines and the data",
            file=path, line=2, fix=f"{_UNCHANGED}, with its header rows",
        )
    data = start
    while data < stop and lines[data].startswith(";"):
        data += 1
    return start, data


def _split_rows(lines: list[str], first: int, width: int, path: Path) -> list[list[str]]:
    """The data ``lines`` (the first is line number ``first``) split into ``width`` cells each."""
    rows = []
    for number, line in enumerate(lines, start=first):
        if not line.replace(";", "").strip():
            raise InputFormatError("blank line inside the data block", file=path, line=number,
                                   fix="delete the blank line (or download the table again)")
        row = line.split(";")
        if len(row) != width:
            raise InputFormatError(f"data row has {len(row)} cells where the header has {width}", file=path,
                                   line=number, fix=_SHIFTED)
        rows.append(row)
    return rows


def _is_time(label: str) -> bool:
    """A year ("2020") or a date that exists ("31.12.2020")."""
    if not re.fullmatch(_TIME, label):
        return False
    try:
        datetime.strptime(label, _TIME_FORMATS[len(label)])
    except ValueError:
        return False
    return True


def _check_times(time: pd.Series, lines: pd.Series, path: Path, field: str) -> None:
    """Raise at the first label that is not a year or an existing date."""
    valid = {label: _is_time(label) for label in time.dropna().unique()}
    fail_at_first(~time.map(valid).fillna(False).astype(bool), file=path, field=field, lines=lines, cells=time,
                  problem="'{cell}' is not a time label (a year such as 2020 or a date such as 31.12.2020)",
                  fix=_SHIFTED)


def _labels(block: _Block, *, time_from_title: bool) -> pd.DataFrame:
    """Per data row: line, time, year, ags, level, region_name, category."""
    lead = pd.DataFrame(block.lead).apply(lambda column: column.str.strip())
    lines = pd.Series(block.lines)
    has_time = re.fullmatch(_TIME, lead.iloc[0, 0]) is not None
    if lead.shape[1] < 2 + has_time:
        raise InputFormatError(
            f"{lead.shape[1]} label column(s) before the values; expected [time;]area code;area name",
            file=block.path, line=block.header_line, fix=_UNCHANGED,
        )
    if has_time:
        time = lead[0]
    elif time_from_title:
        time = pd.Series(_title_time(block), index=lead.index)
    else:
        raise InputFormatError(
            f"'{lead.iloc[0, 0]}' is not a time label (e.g. 31.12.2020 or 2020)", file=block.path,
            line=int(lines[0]), field="time",
            fix="the data rows must begin with time;area code;area name – use read_regionalstatistik "
                "for tables with other leading columns",
        )
    _check_times(time, lines, block.path, "time")
    code = int(has_time)
    ags, level = _areas(lead[code], lines, block.path)
    extra = [lead[j] for j in range(code + 2, lead.shape[1])]
    category = extra[0].str.cat(extra[1:], sep=" | ") if extra else pd.Series(pd.NA, index=lead.index)
    return pd.DataFrame({
        "line": lines, "time": time, "year": time.str[-4:].astype(int), "ags": ags, "level": level,
        "region_name": lead[code + 1], "category": category,
    })


def _title_time(block: _Block) -> str:
    """Time label from a title line such as 'Stichtag: 30.06.2020'."""
    for title, line in zip(block.titles, block.title_lines):
        match = _TITLE_TIME.fullmatch(title)
        if match and re.fullmatch(_TIME, match.group(1).strip()):
            _check_times(pd.Series([match.group(1).strip()]), pd.Series([line]), block.path, "time")
            return match.group(1).strip()
    raise InputFormatError(
        "no time: neither a time column nor a title line such as 'Stichtag: 30.06.2020'",
        file=block.path, line=2, field="time", fix=f"{_UNCHANGED}, with its title lines",
    )


def _areas(codes: pd.Series, lines: pd.Series, path: Path, *, kreise: bool = False) -> tuple[pd.Series, pd.Series]:
    """Validated area codes (Kreise as 5-digit AGS) and their level; ``kreise``: all codes
    must be Kreis codes (5 digits or 8 digits ending in 000)."""
    fail_at_first(~codes.str.fullmatch(_AREA), file=path, field="area code", lines=lines, cells=codes,
                  problem="'{cell}' is not an official area code",
                  fix="area codes are DG, 2-digit Länder, 3-digit Regierungsbezirke, 5-digit Kreise or 8-digit "
                      "Gemeinden with leading zeros; check for shifted columns or a spreadsheet that dropped zeros")
    length = codes.str.len()
    kreis = (length == 5) | kreise
    ags = codes.astype(object)
    ags[kreis] = kreis_series(codes[kreis], file=path, field="area code", lines=lines[kreis])
    level = ags.str.len().map(LEVELS).where(codes != "DG", "Deutschland")
    return ags, level


def _values(cells: pd.DataFrame, lines: pd.Series, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse the value cells column by column (a column's name is its field in errors):
    (floats, placeholder flags). An empty cell raises: official exports write a placeholder."""
    values = np.empty(cells.shape)
    flags = np.empty(cells.shape, dtype=object)
    for j, field in enumerate(cells.columns):
        parsed, flag = parse_numbers(cells.iloc[:, j], file=path, field=field, lines=lines, allow_empty=False)
        values[:, j], flags[:, j] = parsed.to_numpy(), flag.to_numpy(dtype=object, na_value=pd.NA)
    return values, flags


def _long(rows: pd.DataFrame, columns: pd.DataFrame, values: np.ndarray, flags: np.ndarray) -> pd.DataFrame:
    """Row labels × column labels with one value per cell (row-major order)."""
    n, m = values.shape
    left = rows.iloc[np.repeat(np.arange(n), m)].reset_index(drop=True)
    right = columns.iloc[np.tile(np.arange(m), n)].reset_index(drop=True)
    return pd.concat([left, right], axis=1).assign(
        value=values.ravel(), flag=pd.array(flags.ravel(), dtype="string")
    )


def _check_header_unique(block: _Block, labels: pd.DataFrame) -> None:
    duplicated = labels.astype(str).duplicated()
    if duplicated.any():
        raise InputFormatError(
            "two value columns have the same header labels", file=block.path, line=block.header_line,
            field=" | ".join(str(label) for label in labels.iloc[duplicated.idxmax()]), fix=_UNCHANGED,
        )


def _footer(block: _Block, default_publisher: str) -> tuple[str, str | None]:
    """Publisher (© line) and 'Stand' of the footer."""
    publisher, stand = default_publisher, None
    for line in block.footer:
        text = line.strip().strip('"').strip()
        if text.startswith("©"):
            match = re.fullmatch(r"©\s*(.+?)(?:,\s*Deutschland)?,\s*[0-9]{4}\.?", text)
            publisher = (match.group(1) if match else text[1:].strip(" ,.;")) or default_publisher
        elif text.startswith("Stand:"):
            stand = text[len("Stand:"):].strip(" ;") or None
    return publisher, stand


def _dimension_names(title: str, count: int) -> list[str]:
    """Header dimension names from a title such as 'Bevölkerung: Kreise, Stichtag, Geschlecht,
    Altersgruppen' (region and time first); else dim1, dim2, …"""
    items = [item.strip() for item in title.split(":", 1)[1].split(",")] if ":" in title else []
    names = items[2:] if len(items) == count + 2 else []
    if len(set(names)) != count or "" in names or _RESERVED & set(names):
        names = [f"dim{i}" for i in range(1, count + 1)]
    return names


def _read_classic(path: str | Path) -> pd.DataFrame:
    """:func:`read_genesis_classic` with a ``line`` column (line number of the data row)."""
    block = _split_classic(path)
    if block.lead.shape[1] != 3:
        raise InputFormatError(
            f"{block.lead.shape[1]} label columns before the values; expected time;area code;area name",
            file=block.path, line=block.header_line,
            fix="use read_regionalstatistik for tables with further label columns",
        )
    rows = _labels(block, time_from_title=False)
    title = block.titles[0] if block.titles else block.table
    names = _dimension_names(title, len(block.header))
    dims = pd.DataFrame({name: row for name, row in zip(names, block.header)}).replace("", pd.NA)
    _check_header_unique(block, dims)
    check_unique(rows, ["time", "ags"], file=block.path, lines=rows["line"], fix=_DUPLICATE)
    fields = [" | ".join(map(str, r)) for r in dims.itertuples(index=False)]
    values, flags = _values(pd.DataFrame(block.cells, columns=fields), rows["line"], block.path)
    table = _long(rows.drop(columns=["level", "category"]), dims, values, flags)
    publisher, stand = _footer(block, DESTATIS)
    source = Source(file=block.path.name, table=block.table, title=title, publisher=publisher,
                    licence=DL_DE_BY_2_0, stand=stand)
    return attach(table, source)


def read_genesis_classic(path: str | Path) -> pd.DataFrame:
    """Read a GENESIS-Online classic CSV export (e.g. 12411-0018) into a long table.

    Columns: time (label as printed), year, ags (Kreise as 5-digit AGS; DG, Länder etc.
    as printed), region_name, one column per header dimension (named from the title
    line, e.g. Geschlecht, Altersgruppen; else dim1, dim2, …), value (float; NaN for a
    placeholder), flag (the placeholder or <NA>).
    """
    table = _read_classic(path)
    return attach(table.drop(columns="line"), table.attrs["source"])


# --------------------------------------------------------------------------- Regionalstatistik


def _read_regional(path: str | Path) -> pd.DataFrame:
    """:func:`read_regionalstatistik` with a ``line`` column."""
    block = _split_classic(path)
    rows = _labels(block, time_from_title=True)
    unit_rows = [row for row in block.header if any(row) and all(cell in UNITS or not cell for cell in row)]
    label_rows = [row for row in block.header if row not in unit_rows]
    width = block.cells.shape[1]
    variables = [" | ".join(dict.fromkeys(cell for cell in cells if cell)) or pd.NA
                 for cells in zip(*label_rows, [""] * width)]
    units = [cell or pd.NA for cell in unit_rows[-1]] if unit_rows else [_title_unit(block)] * width
    columns = pd.DataFrame({"variable": variables, "unit": units})
    _check_header_unique(block, columns)
    check_unique(rows, ["time", "ags", "category"], file=block.path, lines=rows["line"], fix=_DUPLICATE)
    values, flags = _values(pd.DataFrame(block.cells, columns=[str(v) for v in variables]), rows["line"],
                            block.path)
    table = _long(rows, columns, values, flags)
    publisher, stand = _footer(block, STATISTIK_AEMTER)
    source = Source(file=block.path.name, table=block.table, title=_regional_title(block), publisher=publisher,
                    licence=DL_DE_BY_2_0, stand=stand)
    return attach(table, source)


def _title_unit(block: _Block):
    """Unit from a title line such as 'Sozialversicherungspfl. Beschäftigte (Anzahl)'."""
    for title in reversed(block.titles):
        match = re.search(r"\(([^()]+)\)$", title)
        if match and match.group(1) in UNITS:
            return match.group(1)
    return pd.NA


def _regional_title(block: _Block) -> str:
    """The table title, which Regionalstatistik wraps over several lines up to the regional depth."""
    titles = [t for t in block.titles if not _TITLE_TIME.fullmatch(t)]
    end = next((i for i, t in enumerate(titles) if _REGION_DEPTH.search(t)), 0)
    return " ".join(titles[:end + 1]) or block.table


def read_regionalstatistik(path: str | Path) -> pd.DataFrame:
    """Read a Regionalstatistik classic CSV export (e.g. 13111-07-05-4, 13211-02-05-4).

    Columns: time (from a time column or the 'Stichtag: …' title line), year, ags
    (Kreise as 5-digit AGS; DG, Länder, Regierungsbezirke, Gemeinden as printed), level
    (Deutschland/Land/Regierungsbezirk/Kreis/Gemeinde), region_name (stripped),
    category (an extra leading label column such as sector or sex; <NA> if none),
    variable (the distinct header cells of the column joined with ' | '), unit (from a
    unit header row or the title; may be <NA>), value, flag.
    """
    table = _read_regional(path)
    return attach(table.drop(columns="line"), table.attrs["source"])


# --------------------------------------------------------------------------- flat format


def read_genesis_flat(path: str | Path) -> pd.DataFrame:
    """Read a GENESIS flat CSV download ("ffcsv") into a long table.

    Columns: time (Zeit), year, ags (Auspraegung_Code of the regional Merkmal –
    DINSG/DLAND/REGBEZ/KREISE/GEMEIN – else <NA>), region_name, one column per other
    Merkmal named by its Merkmal_Label (values: Auspraegung_Label; an empty
    Auspraegung_Code is the total "Insgesamt"), variable (only if the file has several
    value columns: their label), value, flag.
    """
    path = Path(path)
    lines = read_text(path, encoding="latin-1").split("\n")
    lines = lines[:_without_trailing_blanks(lines)]
    header = [cell.strip() for cell in lines[0].split(";")]
    merkmale, value_columns = _flat_header(header, path)
    if len(lines) < 2:
        raise InputFormatError("no data rows after the header", file=path, line=2, fix=_UNCHANGED)
    cells = pd.DataFrame(_split_rows(lines[1:], 2, len(header), path), columns=header)
    cells = cells.apply(lambda column: column.str.strip())
    rows = _flat_labels(cells, merkmale, path)
    keys = ["Zeit"] + [f"{n}_Auspraegung_Code" for n in range(1, merkmale + 1)]
    check_unique(cells, keys, file=path, lines=rows["line"], fix=_DUPLICATE)
    values, flags = _values(cells[value_columns], rows["line"], path)
    parts = []
    for j, name in enumerate(value_columns):
        part = rows.assign(value=values[:, j], flag=pd.array(flags[:, j], dtype="string"))
        parts.append(part.assign(variable=name.split("__")[1]) if len(value_columns) > 1 else part)
    result = pd.concat(parts, ignore_index=True).drop(columns="line")
    if len(value_columns) > 1:
        result = result[[c for c in result if c not in ("variable", "value", "flag")] + ["variable", "value", "flag"]]
    source = Source(file=path.name, table=cells["Statistik_Code"].iloc[0], title=cells["Statistik_Label"].iloc[0],
                    publisher=DESTATIS, licence=DL_DE_BY_2_0)
    return attach(result, source)


def _flat_header(header: list[str], path: Path) -> tuple[int, list[str]]:
    """Check the flat header; return the number of Merkmale and the value columns."""
    if header[:5] != _FLAT_HEAD:
        raise InputFormatError(
            "not a GENESIS flat file: the header should begin with " + ";".join(_FLAT_HEAD), file=path, line=1,
            fix="download the table as flat CSV (ffcsv); a classic CSV export is read with read_genesis_classic",
        )
    unchanged = "use the unchanged flat download; do not rename, add or delete columns"
    merkmale, position = 0, 5
    while position < len(header) and re.fullmatch(r"[0-9]+_Merkmal_Code", header[position]):
        expected = [f"{merkmale + 1}_{name}" for name in _FLAT_MERKMAL]
        for name, found in zip(expected, header[position:position + 4] + [""] * 4):
            if name != found:
                raise InputFormatError(f"header column '{found}' where '{name}' belongs", file=path, line=1,
                                       field=name, fix=unchanged)
        merkmale, position = merkmale + 1, position + 4
    value_columns = header[position:]
    if not value_columns:
        raise InputFormatError("no value column after the Merkmal columns", file=path, line=1, fix=_UNCHANGED)
    for name in value_columns:
        parts = name.split("__")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise InputFormatError(f"'{name}' is not a value column (CODE__Label__Unit)", file=path, line=1,
                                   field=name, fix=unchanged)
    if len(set(header)) != len(header):
        raise InputFormatError("a header column occurs twice", file=path, line=1, fix=_UNCHANGED)
    return merkmale, value_columns


def _flat_labels(cells: pd.DataFrame, merkmale: int, path: Path) -> pd.DataFrame:
    """Per data row: line, time, year, ags and region_name (of the regional Merkmal, if
    any) and one column per other Merkmal."""
    lines = pd.Series(np.arange(2, len(cells) + 2))
    time = cells["Zeit"]
    _check_times(time, lines, path, "Zeit")
    table = pd.DataFrame({"line": lines, "time": time, "year": time.str[-4:].astype(int),
                          "ags": pd.Series(pd.NA, index=cells.index, dtype=object),
                          "region_name": pd.Series(pd.NA, index=cells.index, dtype=object)})
    regional = False
    for number in range(1, merkmale + 1):
        code = cells[f"{number}_Merkmal_Code"]
        fail_at_first(code != code.iloc[0], file=path, field=f"{number}_Merkmal_Code", lines=lines, cells=code,
                      problem=f"Merkmal '{{cell}}' where the first row has '{code.iloc[0]}'", fix=_SHIFTED)
        values, labels = cells[f"{number}_Auspraegung_Code"], cells[f"{number}_Auspraegung_Label"]
        if code.iloc[0] in REGIONAL_MERKMALE:
            if regional:
                raise InputFormatError(
                    "more than one regional Merkmal", file=path, line=1, field=f"{number}_Merkmal_Code",
                    fix="download the table with one regional breakdown",
                )
            regional = True
            table["ags"] = _areas(values, lines, path, kreise=code.iloc[0] == "KREISE")[0]
            table["region_name"] = labels
        else:
            name = cells[f"{number}_Merkmal_Label"].iloc[0]
            if not name or name in _RESERVED or name in table:
                name = code.iloc[0] or f"dim{number}"
            if name in _RESERVED or name in table:
                raise InputFormatError(
                    f"Merkmal name '{name}' occurs twice", file=path, line=2, field=f"{number}_Merkmal_Label",
                    fix=_UNCHANGED,
                )
            table[name] = labels.where(values != "", "Insgesamt")
    return table


# --------------------------------------------------------------------------- table functions

_SEX = {"männlich": "m", "weiblich": "w"}
_EMPLOYMENT = {
    "Nationalität | Insgesamt | Geschlecht": "employees",
    "Nationalität | Insgesamt | Geschlecht | männlich": "employees_male",
    "Nationalität | Insgesamt | Geschlecht | weiblich": "employees_female",
    "Nationalität | Ausländer(innen) | Geschlecht | Insgesamt": "employees_foreign",
}
_RATE = "Arbeitslosenquote bez. auf alle zivile Erwerbsp."
_UNEMPLOYED = {
    "Arbeitslose": "unemployed",
    "Arbeitslose | Ausländer": "unemployed_foreign",
    "Arbeitslose | schwerbehindert": "unemployed_disabled",
    "Arbeitslose | 15 bis unter 20 Jahre": "unemployed_15_20",
    "Arbeitslose | 15 bis unter 25 Jahre": "unemployed_15_25",
    "Arbeitslose | 55 bis unter 65 Jahre": "unemployed_55_65",
    "Arbeitslose | langzeitarbeitslos": "unemployed_long_term",
}
_UNEMPLOYMENT_RATES = {
    _RATE: "unemployment_rate",
    f"{_RATE} | Männer": "unemployment_rate_men",
    f"{_RATE} | Frauen": "unemployment_rate_women",
    f"{_RATE} | Ausländer": "unemployment_rate_foreign",
    f"{_RATE} | 15 bis unter 25 Jahre": "unemployment_rate_15_25",
    "Arbeitslosenquote bez. abh. zivile Erwerbspers.": "unemployment_rate_dependent",
}
_CARE = {
    "Pflegebedürftige": "care_total",
    "ambulante Pflege": "care_ambulatory",
    "Pflegebedürftige der Pflegeheime, vollstationär": "care_inpatient",
    "Pflegegeldempfänger": "care_allowance",
}
_CARE_SEX = {**_SEX, "Insgesamt": "insgesamt"}


def population_by_age(path: str | Path) -> pd.DataFrame:
    """Population per Kreis by sex and age group from GENESIS 12411-0018.

    Columns: ags, year, sex ("m"/"w"), age_group (official label), age_from, age_to
    (exclusive; <NA> for "75 Jahre und mehr"), population (Int64; <NA> for a placeholder).
    """
    table = _read_classic(path)
    source = table.attrs["source"]
    _expect_table(source, "12411-0018", path)
    for dimension in ("Geschlecht", "Altersgruppen"):
        if dimension not in table:
            raise InputFormatError(
                f"no header dimension '{dimension}' in the title line", file=path, line=2, field=dimension,
                fix="use table 12411-0018 with its title 'Bevölkerung: Kreise, Stichtag, Geschlecht, Altersgruppen'",
            )
    table = table[(table["ags"].str.len() == 5) & (table["Geschlecht"] != "Insgesamt")
                  & (table["Altersgruppen"] != "Insgesamt")]
    sex = _mapped(table["Geschlecht"], _SEX, table["line"], path)
    bounds = {label: _age_bounds(label, path) for label in table["Altersgruppen"].unique()}
    result = pd.DataFrame({
        "line": table["line"], "ags": table["ags"], "year": table["year"], "sex": sex,
        "age_group": table["Altersgruppen"],
        "age_from": table["Altersgruppen"].map({k: lower for k, (lower, _) in bounds.items()}).astype("int64"),
        "age_to": table["Altersgruppen"].map({k: upper for k, (_, upper) in bounds.items()}).astype("Int64"),
        "population": as_count(table["value"], file=path, field="population", lines=table["line"]),
    })
    check_unique(result, ["ags", "year", "sex", "age_group"], file=path, lines=result["line"], fix=_DUPLICATE)
    result = result.sort_values(["ags", "year", "sex", "age_from"]).drop(columns="line").reset_index(drop=True)
    return attach(result, source)


def employment_at_workplace(paths: list[str | Path]) -> pd.DataFrame:
    """Employees subject to social insurance at their place of work per Kreis and sector
    from Regionalstatistik 13111-07-05-4 (one file per Stichtag 30.06.).

    Columns: ags, year, sector (official WZ 2008 label, incl. "Insgesamt"), employees,
    employees_male, employees_female, employees_foreign (Int64; <NA> for a placeholder).
    """
    if not paths:
        raise MissingInputError("no files given", fix="pass the files 13111-07-05-4_YYYY.csv")
    parts, sources = [], []
    for path in paths:
        table = _read_regional(path)
        _expect_table(table.attrs["source"], "13111-07-05-4", path)
        part = _wide(_kreise(table), ["ags", "year", "category"], _EMPLOYMENT, {}, path)
        earlier = set().union(*(set(p["year"]) for p in parts))
        if earlier & set(part["year"]):
            raise InputFormatError(
                f"year {min(earlier & set(part['year']))} is also in an earlier file", file=path, field="Stichtag",
                fix="pass each year's file once",
            )
        parts.append(part)
        sources.append(table.attrs["source"])
    result = pd.concat(parts, ignore_index=True).rename(columns={"category": "sector"})
    result = result.sort_values(["ags", "year", "sector"]).reset_index(drop=True)
    first = sources[0]
    source = Source(file=", ".join(s.file for s in sources), table=first.table, title=first.title,
                    publisher=first.publisher, licence=first.licence,
                    stand=", ".join(dict.fromkeys(s.stand for s in sources if s.stand)) or None)
    return attach(result, source)


def unemployment(path: str | Path) -> pd.DataFrame:
    """Unemployed (annual average) and unemployment rates per Kreis from Regionalstatistik
    13211-02-05-4.

    Columns: ags, year; counts (Int64): unemployed, unemployed_foreign,
    unemployed_disabled (schwerbehindert), unemployed_15_20, unemployed_15_25,
    unemployed_55_65 (age groups "15 bis unter 20 Jahre" …), unemployed_long_term;
    rates in percent (float): unemployment_rate (relative to all civilian labour force,
    "bez. auf alle zivile Erwerbsp."), unemployment_rate_men, unemployment_rate_women,
    unemployment_rate_foreign (not published for Kreise in 2017 and 2018),
    unemployment_rate_15_25, unemployment_rate_dependent (relative to the dependent
    civilian labour force, "bez. abh. zivile Erwerbspers.").
    """
    table = _read_regional(path)
    _expect_table(table.attrs["source"], "13211-02-05-4", path)
    result = _wide(_kreise(table), ["ags", "year"], _UNEMPLOYED, _UNEMPLOYMENT_RATES, path)
    return attach(result.sort_values(["ags", "year"]).reset_index(drop=True), table.attrs["source"])


def care_recipients(path: str | Path) -> pd.DataFrame:
    """People in need of long-term care per Kreis from Regionalstatistik 22411-02-03-4.

    Columns: ags, year, sex ("m"/"w"/"insgesamt"), care_total (Pflegebedürftige),
    care_ambulatory (ambulante Pflege), care_inpatient (vollstationär in Pflegeheimen),
    care_allowance (Pflegegeldempfänger) – all Int64, <NA> for a placeholder.
    """
    table = _read_regional(path)
    _expect_table(table.attrs["source"], "22411-02-03-4", path)
    kreise = _kreise(table)
    kreise = kreise.assign(category=_mapped(kreise["category"], _CARE_SEX, kreise["line"], path))
    result = _wide(kreise, ["ags", "year", "category"], _CARE, {}, path).rename(columns={"category": "sex"})
    return attach(result.sort_values(["ags", "year", "sex"]).reset_index(drop=True), table.attrs["source"])


def _expect_table(source: Source, code: str, path) -> None:
    if source.table != code:
        raise InputFormatError(
            f"this is table {source.table}, not {code}", file=path, line=1,
            fix=f"pass the export of table {code}",
        )


def _mapped(labels: pd.Series, mapping: dict[str, str], lines: pd.Series, path) -> pd.Series:
    """``labels`` mapped by ``mapping``; an unknown label raises at its line."""
    result = labels.map(mapping)
    fail_at_first(result.isna(), file=path, field="Geschlecht", lines=lines, cells=labels, fix=_SHIFTED,
                  problem=f"unknown sex label '{{cell}}' (expected {', '.join(mapping)})")
    return result


def _age_bounds(label: str, path) -> tuple[int, int | None]:
    """(from, exclusive upper bound) of an official age group label."""
    for pattern, bounds in (
        (r"unter ([0-9]{1,3}) Jahren?", lambda m: (0, int(m[1]))),
        (r"([0-9]{1,3}) bis unter ([0-9]{1,3}) Jahren?", lambda m: (int(m[1]), int(m[2]))),
        (r"([0-9]{1,3}) Jahre und mehr", lambda m: (int(m[1]), None)),
    ):
        match = re.fullmatch(pattern, str(label))
        if match:
            return bounds(match)
    raise InputFormatError(
        f"unknown age group '{label}'", file=path, field="Altersgruppen",
        fix="use table 12411-0018 with its official age groups ('unter 3 Jahre' … '75 Jahre und mehr')",
    )


def _kreise(table: pd.DataFrame) -> pd.DataFrame:
    """Kreis rows of a Regionalstatistik table.

    Berlin and Hamburg appear there only as Länder (11, 02) and become the Kreise 11000
    and 02000. Areas listed for a date at which they did not exist (every cell '-', e.g.
    Kreis Aachen, the Kreise before the reforms in Sachsen and Mecklenburg-Vorpommern)
    are dropped.
    """
    kreise = table[table["level"] == "Kreis"]
    cities = table[table["ags"].isin(["02", "11"])]
    cities = cities.assign(ags=cities["ags"] + "000", level="Kreis")
    kreise = pd.concat([kreise, cities[~cities["ags"].isin(kreise["ags"])]])
    nothing = kreise["flag"].isin(["-", "–"]).astype(bool)
    absent = nothing.groupby([kreise["ags"], kreise["time"]]).transform("all")
    return kreise[~absent]


def _wide(table: pd.DataFrame, keys: list[str], counts: dict, rates: dict, path) -> pd.DataFrame:
    """One column per variable (renamed by ``counts``/``rates``; counts as Int64)."""
    present = set(table["variable"].dropna())
    for label in [*counts, *rates]:
        if label not in present:
            raise InputFormatError(
                f"value column '{label}' is missing", file=path, field=label,
                fix="download the complete table with all its value columns",
            )
    part = table[table["variable"].isin([*counts, *rates])]
    check_unique(part, [*keys, "variable"], file=path, lines=part["line"], fix=_DUPLICATE)
    wide = part.pivot(index=keys, columns="variable", values=["value", "line"])
    result = wide.index.to_frame(index=False)
    for label, name in counts.items():
        result[name] = as_count(wide["value"][label].reset_index(drop=True), file=path, field=label,
                                lines=wide["line"][label].reset_index(drop=True))
    for label, name in rates.items():
        result[name] = wide["value"][label].to_numpy(dtype=float)
    return result
