"""What every module notebook shows and saves: German tables (pandas Styler), figures,
source lines. Tables and figures are saved under ``outputs/<region>/`` as they are shown,
so the report and the files agree.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from regiopol import data, regions
from regiopol.core import fmt
from regiopol.core.cache import memo

if TYPE_CHECKING:  # IPython and the Styler are needed only where a notebook shows the result
    from IPython.display import Markdown
    from pandas.io.formats.style import Styler

__all__ = ["COL_ROLE", "ROLE_LABELS", "ROLE_CORE", "ROLE_REGION", "VERIFICATION_LABELS", "CITY_KINDS",
           "kreis_labels", "area_label", "kreis_names", "citations", "short_citation", "sources_table",
           "source_line", "markdown", "RATIO_COLUMNS", "YEAR_COLUMNS", "decimals_for", "rounded", "show",
           "save"]

COL_ROLE = "Rolle"
ROLE_LABELS = {regions.ROLE_CORE: "Regiopole", "core_kreis": "Kreis der Regiopole", regions.ROLE_SURROUNDING: "Umland",
               regions.ROLE_REGION: "Region gesamt", regions.ROLE_KREIS: "Kreis", regions.ROLE_GERMANY: "Deutschland"}
ROLE_CORE, ROLE_REGION = ROLE_LABELS[regions.ROLE_CORE], ROLE_LABELS[regions.ROLE_REGION]
VERIFICATION_LABELS = {"official": "amtlich", "derived": "abgeleitet", "example": "Beispiel", "UNVERIFIED": "UNGEPRÜFT"}


CITY_KINDS = ("Kreisfreie Stadt", "Stadtkreis")


def kreis_names() -> pd.Series:
    """The official Kreis label by AGS ("Kassel, documenta-Stadt")."""
    return data.load("kreise").set_index("ags")["label"]


def kreis_labels() -> pd.Series:
    """A short label by AGS that is unique among all Kreise: the name before the comma
    ("Trier, kreisfreie Stadt" → "Trier"); where a city and a Landkreis share it,
    "Kassel, Stadt" and "Landkreis Kassel"."""
    return _kreis_labels().copy()


@memo(maxsize=1)
def _kreis_labels() -> pd.Series:
    kreise = data.load("kreise").set_index("ags")
    short = kreise["label"].str.split(",").str[0].str.strip()
    shared = short.duplicated(keep=False)
    city = kreise["kind"].isin(CITY_KINDS)
    kind = kreise["kind"].where(kreise["kind"] != "Kreis", "Kreis")
    labels = short.where(~shared, np.where(city, short + ", Stadt", kind + " " + short))
    return labels.rename("label")


def area_label(ags: str, name: str) -> str:
    """The unique Kreis label for a Kreis code, else ``name`` (a region or Germany)."""
    labels = _kreis_labels()
    return labels[ags] if ags in labels.index else name


def citations(tables) -> list[str]:
    """Full German citations of the sources of ``tables`` (table names, or Source objects)."""
    found = [t for t in tables if not isinstance(t, str)]
    return [s.citation() for s in found + data.sources(*[t for t in tables if isinstance(t, str)])]


def short_citation(tables, extra: str = "") -> str:
    """One compact source line for under a figure: publisher and table per source, each once."""
    parts = []
    for s in data.sources(*tables):
        parts.append(f"{s.publisher}: {s.table}" + (f", {s.stand_label()}" if s.stand else ""))
    parts = list(dict.fromkeys(parts))
    return "Quelle: " + "; ".join(parts) + (f"; {extra}" if extra else "") + "; eigene Berechnung (regiopol)"


def sources_table(tables) -> pd.DataFrame:
    """The sources of ``tables`` (embedded table names), one row each: Quelle, Tabelle, Stand, Lizenz."""
    rows = [{"Quelle": s.publisher, "Tabelle": f"{s.table} – {s.title}", "Stand": s.stand or "–",
             "Lizenz": s.licence} for s in data.sources(*tables)]
    return pd.DataFrame(rows, columns=["Quelle", "Tabelle", "Stand", "Lizenz"]).drop_duplicates(ignore_index=True)


def source_line(tables, note: str = "") -> Markdown:
    """The German source lines of ``tables`` (and a note) as small Markdown text."""
    from IPython.display import Markdown

    lines = citations(tables) + ([note] if note else [])
    return Markdown("<small>" + "<br>".join(lines) + "</small>")


def markdown(text: str) -> Markdown:
    from IPython.display import Markdown

    return Markdown(text)


RATIO_COLUMNS = ("Index", "Verhältnis", "Standortquotient")


YEAR_COLUMNS = ("Jahr", "Basisjahr", "Zieljahr", "Ausgangsjahr", "Stand")


def _is_year(column: str) -> bool:
    return column.startswith(YEAR_COLUMNS)


def decimals_for(column: str, series: pd.Series) -> int:
    """Decimals a number column is shown with (the CSV keeps one more, counts stay whole)."""
    if "(%" in column:
        return 1
    if column.startswith(RATIO_COLUMNS):
        return 2
    if pd.api.types.is_integer_dtype(series) or column.startswith(("Einwohner", "Dichte")):
        return 0
    if column.isdigit():  # year columns of the trend table
        return 0
    return 1


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as the CSV tables are written: whole numbers stay whole, other float columns get
    one decimal more than shown and at least three significant digits of their smallest value."""
    out = table.copy()
    for column in out.columns:
        series = out[column]
        if not pd.api.types.is_float_dtype(series):
            continue
        values = series.dropna()
        if (values == values.round()).all():
            continue
        smallest = values.abs()[values.abs() > 0].min()
        d = max(decimals_for(str(column), series) + 1, 2 - int(np.floor(np.log10(smallest))))
        out[column] = series.round(min(d, 6))
    return out


def show(table: pd.DataFrame, decimals: dict[str, int] | None = None) -> Styler:
    """A pandas Styler that shows ``table`` with German number format and without index;
    the core and total rows (column "Rolle") are set in bold."""
    chosen = decimals or {}
    formats = {}
    for column in table.columns:
        series = table[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            if _is_year(str(column)):
                formats[column] = lambda v: "–" if pd.isna(v) else str(int(v))
                continue
            d = chosen.get(column, decimals_for(str(column), series))
            formats[column] = lambda v, d=d: fmt.number(v, d)
    styler = table.style.format(formats, na_rep="–").hide(axis="index")
    # a stable id (pandas draws a random one) keeps the report HTML reproducible
    key = "|".join(map(str, table.columns)) + f"|{len(table)}"
    styler = styler.set_uuid(f"rp{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}")
    if COL_ROLE in table.columns:
        bold = table[COL_ROLE].isin([ROLE_CORE, ROLE_REGION])

        def weight(row):
            return ["font-weight: bold" if bold.loc[row.name] else ""] * len(row)

        styler = styler.apply(weight, axis=1)
    numeric = [c for c in formats]
    text = [c for c in table.columns if c not in formats]
    styler = styler.set_properties(subset=text, **{"text-align": "left"})
    return styler.set_properties(subset=numeric, **{"text-align": "right"})


def save(obj, region, name: str, *, fmt: str = "svg"):
    """Save a table (CSV) or figure (SVG/PNG) under ``outputs/<region>/`` and return what the
    notebook shows: the table itself, or the saved image file (so report = file)."""
    from IPython.display import SVG, Image

    from regiopol.core import outputs

    slug = regions.as_region(region).slug
    if isinstance(obj, pd.DataFrame):
        outputs.save_table(rounded(obj), slug, name)
        return obj
    path = outputs.save_figure(obj, slug, name, fmt=fmt)
    return SVG(filename=str(path)) if fmt == "svg" else Image(filename=str(path))
