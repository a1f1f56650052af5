"""Reader for the GV-ISys municipality directory extract of Destatis (``AuszugGV4QAktuell.csv``).

UTF-8 with BOM, ``,``-separated, one row per area unit with its ``satzart`` (10 Land …
60 Gemeinde, as in GV100AD). Gemeinde rows carry area (km², decimal point), population
total/male/female and density (blanks as thousands separators), postcode, longitude and
latitude (decimal commas, quoted) and the degree of urbanisation (Eurostat DEGURBA:
1 dicht, 2 mittlere Besiedlungsdichte, 3 gering besiedelt). Population: 31.12.2019.

The file went through a spreadsheet program once. The reader therefore restores
leading zeros the spreadsheet drops in codes (Land ``1`` → ``01``, postcode ``4618`` →
``04618``) and reads the coordinate pair ``0``/``0`` – the spreadsheet's rendering of
an empty cell, found at the unpopulated German-Luxembourg condominium – as missing.
Any other coordinate outside Germany raises. As in GV100AD, two unpopulated
pseudo-Gemeinden carry the Kreis part ``00`` (``07000999``, ``13000999``) and belong to
no Kreis.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regiopol.errors import InputFormatError
from regiopol.readers._text import as_count, parse_numbers, read_delimited, require_columns
from regiopol.readers.gv100 import LICENCE, RECORD_TYPES
from regiopol.sources import DESTATIS, Source, attach

CODE_PARTS = {"land": 2, "rb": 1, "kreis": 2, "gemeinde": 3}  # column → digits of the AGS
COUNTS = {"bevoelkerung": "population", "maennlich": "population_male",
          "weiblich": "population_female", "jekm2": "density"}
COLUMNS = ["satzart", *CODE_PARTS, "gemeindename", "flaeche", *COUNTS, "postleitzahl",
           "laengengrad", "breitengrad", "verstaedterungschluessel", "verstaedterungbezeichnung"]
GERMANY = {"laengengrad": (5.5, 15.5), "breitengrad": (47.0, 55.2)}  # lon/lat bounding box
URBANISATION = (1, 2, 3)
SOURCE = dict(
    table="Gemeindeverzeichnis GV-ISys (Auszug)",
    title="Gemeinden mit Fläche, Bevölkerung, Postleitzahl, Koordinaten und Verstädterungsgrad",
    publisher=DESTATIS, licence=LICENCE, stand="31.12.2019 (Bevölkerung)",
)


def read_gv_isys(path: str | Path) -> pd.DataFrame:
    """Gemeinden (``satzart`` 60), one row each.

    Columns: ags (8-digit, from land + rb + kreis + gemeinde), kreis_ags (5-digit), name,
    area_km2, population, population_male, population_female, density (inhabitants per
    km², as published; Int64), postcode (5-digit string or ``<NA>``), lon, lat (float,
    WGS84 degrees; NaN where the file has none), urbanisation (Int64 DEGURBA code 1–3),
    urbanisation_label.
    """
    frame, lines = read_delimited(path, sep=",", encoding="utf-8")
    require_columns(frame, COLUMNS, file=path)
    kind = frame["satzart"]
    _check(kind.isin(list(RECORD_TYPES)), path, lines, "satzart", kind,
           f"is not a satzart ({', '.join(sorted(RECORD_TYPES))})")
    rows = frame[kind == "60"]
    lines = lines[rows.index]
    ags = _code_parts(rows, path, lines)
    counts = {
        name: as_count(_number(rows[column], path, lines, column, "."), file=path, field=column, lines=lines)
        for column, name in COUNTS.items()
    }
    total = counts["population_male"] + counts["population_female"]
    _check((counts["population"] == total) | total.isna() | counts["population"].isna(), path, lines,
           "bevoelkerung", rows["bevoelkerung"], "is not maennlich + weiblich")
    area = _number(rows["flaeche"], path, lines, "flaeche", ".")
    _check(~(area < 0), path, lines, "flaeche", rows["flaeche"], "is a negative area")
    urbanisation = as_count(_number(rows["verstaedterungschluessel"], path, lines, "verstaedterungschluessel", "."),
                            file=path, field="verstaedterungschluessel", lines=lines)
    _check(urbanisation.isin(URBANISATION) | urbanisation.isna(), path, lines, "verstaedterungschluessel",
           rows["verstaedterungschluessel"], "is not a degree of urbanisation (1, 2, 3)")
    lon, lat = _coordinates(rows, path, lines)
    table = pd.DataFrame({
        "ags": ags,
        "kreis_ags": ags.str[:5],
        "name": rows["gemeindename"],
        "area_km2": area,
        **counts,
        "postcode": _postcode(rows["postleitzahl"], path, lines),
        "lon": lon,
        "lat": lat,
        "urbanisation": urbanisation,
        "urbanisation_label": rows["verstaedterungbezeichnung"].replace("", pd.NA),
    })
    _check(~ags.duplicated(keep="first"), path, lines, "gemeinde", ags, "occurs twice as Gemeinde code")
    text = table.select_dtypes("string").columns
    table = table.astype({column: object for column in text}).reset_index(drop=True)
    return attach(table, Source(file=Path(path).name, **SOURCE))


def _code_parts(rows: pd.DataFrame, path, lines: pd.Series) -> pd.Series:
    """The 8-digit AGS; a part with dropped leading zeros (``1`` for ``01``) is padded."""
    parts = []
    for column, width in CODE_PARTS.items():
        cells = rows[column]
        _check(cells.str.fullmatch(rf"[0-9]{{1,{width}}}"), path, lines, column, cells,
               f"is not a code of up to {width} digits",
               fix="the AGS parts land, rb, kreis, gemeinde hold digits only: correct the typing error "
                   "or download the file again")
        parts.append(cells.str.zfill(width))
    return parts[0] + parts[1] + parts[2] + parts[3]


def _postcode(cells: pd.Series, path, lines: pd.Series) -> pd.Series:
    _check(cells.str.fullmatch(r"[0-9]{4,5}") | (cells == ""), path, lines, "postleitzahl", cells,
           "is not a postcode (5 digits)")
    return cells.str.zfill(5).where(cells != "")


def _coordinates(rows: pd.DataFrame, path, lines: pd.Series) -> tuple[pd.Series, pd.Series]:
    values = {column: _number(rows[column], path, lines, column, ",") for column in GERMANY}
    lon, lat = values["laengengrad"], values["breitengrad"]
    empty = (lon == 0) & (lat == 0)  # a spreadsheet's rendering of an empty cell
    lon, lat = lon.mask(empty), lat.mask(empty)
    _check(lon.isna() == lat.isna(), path, lines, "breitengrad", rows["breitengrad"],
           "is given without its partner coordinate (or vice versa)")
    for column, series in (("laengengrad", lon), ("breitengrad", lat)):
        low, high = GERMANY[column]
        _check(series.between(low, high) | series.isna(), path, lines, column, rows[column],
               f"lies outside Germany ({low}–{high}°)",
               fix="check for swapped longitude/latitude or a lost decimal comma (write e.g. \"9,43751\")")
    return lon, lat


def _number(cells: pd.Series, path, lines: pd.Series, column: str, decimal: str) -> pd.Series:
    """Numbers with blanks (also no-break spaces) as thousands separators."""
    values, _ = parse_numbers(cells.str.replace(r"[\s\u00a0\u202f]", "", regex=True),
                              file=path, field=column, lines=lines, decimal=decimal)
    return values


def _check(ok: pd.Series, path, lines: pd.Series, field: str, cells: pd.Series, problem: str, *,
           fix: str | None = None) -> None:
    """Raise for the first row where ``ok`` is false (or missing), quoting its cell."""
    ok = ok.fillna(False).astype(bool)
    if not ok.all():
        label = ok.index[~ok.to_numpy()][0]
        raise InputFormatError(
            f"'{cells[label]}' {problem}", file=path, line=int(lines[label]), field=field,
            fix=fix or "use the official GV-ISys export; check that the columns are not shifted",
        )
