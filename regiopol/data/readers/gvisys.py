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
Any other point outside Germany (or with one coordinate only) is set to NaN and listed
in ``attrs["warnings"]``, as in every reader (:func:`regiopol.data.readers._text.parse_coordinates`).
As in GV100AD, two unpopulated pseudo-Gemeinden carry the Kreis part ``00``
(``07000999``, ``13000999``) and belong to no Kreis.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regiopol.core.sources import DESTATIS, Source, attach
from regiopol.data.readers._text import (
    check_unique,
    fail_at_first,
    parse_coordinates,
    parse_counts,
    parse_numbers,
    parse_postcodes,
    read_delimited,
    require_columns,
    text_as_object,
)
from regiopol.data.readers.gv100 import LICENCE, RECORD_TYPES

__all__ = ["CODE_PARTS", "COUNTS", "COLUMNS", "URBANISATION", "SOURCE", "FIX", "NUMBER", "read_gv_isys"]

CODE_PARTS = {"land": 2, "rb": 1, "kreis": 2, "gemeinde": 3}  # column → digits of the AGS
COUNTS = {"bevoelkerung": "population", "maennlich": "population_male",
          "weiblich": "population_female", "jekm2": "density"}
COLUMNS = ["satzart", *CODE_PARTS, "gemeindename", "flaeche", *COUNTS, "postleitzahl",
           "laengengrad", "breitengrad", "verstaedterungschluessel", "verstaedterungbezeichnung"]
URBANISATION = (1, 2, 3)
SOURCE = dict(
    table="Gemeindeverzeichnis GV-ISys (Auszug)",
    title="Gemeinden mit Fläche, Bevölkerung, Postleitzahl, Koordinaten und Verstädterungsgrad",
    publisher=DESTATIS, licence=LICENCE, stand="31.12.2019 (Bevölkerung)",
)
FIX = "use the official GV-ISys export; check that the columns are not shifted"
# Numbers: decimal point, blanks (also no-break spaces) between groups of thousands.
NUMBER = dict(decimal=".", thousands=" ")


def read_gv_isys(path: str | Path) -> pd.DataFrame:
    """Gemeinden (``satzart`` 60), one row each.

    Columns: gemeinde_ags (8-digit, from land + rb + kreis + gemeinde), ags (5-digit Kreis
    code), name, area_km2, population, population_male, population_female, density
    (inhabitants per km², as published; Int64), postcode (5-digit string or ``<NA>``), lon,
    lat (float, WGS84 degrees; NaN where the file has none or a point outside Germany),
    urbanisation (Int64 DEGURBA code 1–3), urbanisation_label. ``attrs["warnings"]``
    lists the points set to NaN.
    """
    frame, lines = read_delimited(path, sep=",", encoding="utf-8")
    require_columns(frame, COLUMNS, file=path)
    kind = frame["satzart"]
    fail_at_first(~kind.isin(list(RECORD_TYPES)), file=path, field="satzart", cells=kind, lines=lines, fix=FIX,
                  problem=f"'{{cell}}' is not a satzart ({', '.join(sorted(RECORD_TYPES))})")
    rows = frame[kind == "60"]
    lines = lines[rows.index]
    gemeinde = _code_parts(rows, path, lines)
    counts = {name: parse_counts(rows[column], file=path, field=column, lines=lines, **NUMBER)
              for column, name in COUNTS.items()}
    total = counts["population_male"] + counts["population_female"]
    fail_at_first((counts["population"] != total).fillna(False), file=path, field="bevoelkerung", lines=lines,
                  cells=rows["bevoelkerung"], problem="'{cell}' is not maennlich + weiblich", fix=FIX)
    area, _ = parse_numbers(rows["flaeche"], file=path, field="flaeche", lines=lines, **NUMBER)
    fail_at_first(area < 0, file=path, field="flaeche", lines=lines, cells=rows["flaeche"],
                  problem="'{cell}' is a negative area", fix=FIX)
    urbanisation = parse_counts(rows["verstaedterungschluessel"], file=path, field="verstaedterungschluessel",
                                lines=lines, **NUMBER)
    fail_at_first(~urbanisation.isin(URBANISATION).fillna(False) & urbanisation.notna(), file=path,
                  field="verstaedterungschluessel", lines=lines, cells=rows["verstaedterungschluessel"],
                  problem="'{cell}' is not a degree of urbanisation (1, 2, 3)", fix=FIX)
    lon, lat, warnings = _coordinates(rows, path, lines)
    table = pd.DataFrame({
        "gemeinde_ags": gemeinde,
        "ags": gemeinde.str[:5],
        "name": rows["gemeindename"],
        "area_km2": area,
        **counts,
        "postcode": parse_postcodes(rows["postleitzahl"], file=path, field="postleitzahl", lines=lines),
        "lon": lon,
        "lat": lat,
        "urbanisation": urbanisation,
        "urbanisation_label": rows["verstaedterungbezeichnung"].replace("", pd.NA),
    })
    check_unique(table, ["gemeinde_ags"], file=path, lines=lines, field="gemeinde", fix=FIX)
    table = text_as_object(table)
    table.attrs["warnings"] = warnings
    return attach(table, Source(file=Path(path).name, **SOURCE))


def _code_parts(rows: pd.DataFrame, path, lines: pd.Series) -> pd.Series:
    """The 8-digit AGS; a part with dropped leading zeros (``1`` for ``01``) is padded."""
    parts = []
    for column, width in CODE_PARTS.items():
        cells = rows[column]
        fail_at_first(~cells.str.fullmatch(rf"[0-9]{{1,{width}}}"), file=path, field=column, lines=lines,
                      cells=cells, problem=f"'{{cell}}' is not a code of up to {width} digits",
                      fix="the AGS parts land, rb, kreis, gemeinde hold digits only: correct the typing error "
                          "or download the file again")
        parts.append(cells.str.zfill(width))
    return parts[0] + parts[1] + parts[2] + parts[3]


def _coordinates(rows: pd.DataFrame, path, lines: pd.Series) -> tuple[pd.Series, pd.Series, list[str]]:
    """Longitude and latitude (decimal commas); the pair 0/0 is a spreadsheet's empty cell."""
    lon_cells, lat_cells = rows["laengengrad"], rows["breitengrad"]
    zero = r"-?0+(?:,0+)?"
    empty = (lon_cells.str.fullmatch(zero) & lat_cells.str.fullmatch(zero)).fillna(False).astype(bool)
    return parse_coordinates(lon_cells.mask(empty, ""), lat_cells.mask(empty, ""), file=path, lines=lines,
                             lon_field="laengengrad", lat_field="breitengrad", decimal=",")
