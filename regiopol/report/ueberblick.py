"""Module 0 – region overview: location, key figures, population trend, age structure, sources.

Pure functions over the committed tables (:mod:`regiopol.data`): each returns a DataFrame
with German column names, ready to show, or a matplotlib Figure in the report style
(:mod:`regiopol.report.style`). The notebook ``notebooks/00_ueberblick.ipynb`` only calls them.

>>> from regiopol.report import ueberblick
>>> facts = ueberblick.key_facts("trier")            # table per Kreis + region + Germany
>>> figure = ueberblick.plot_population_trend("trier")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from regiopol import data, regions
from regiopol.core import fmt
from regiopol.core.constants import METRIC_CRS
from regiopol.data import frames
from regiopol.report import common, style
from regiopol.report.common import COL_ROLE, ROLE_CORE, ROLE_REGION, short_citation

if TYPE_CHECKING:  # IPython and the Styler are needed only where a notebook shows the result
    from IPython.display import Markdown

__all__ = ["TABLES_KEY_FACTS", "TABLES_TREND", "TABLES_AGE", "TABLES_MAP", "TABLES_ALL", "TREND_START",
           "CHANGE_START", "OPEN_GROUP_WIDTH", "GERMANY", "ROLE_CORE_KREIS", "ROLE_KREIS", "ROLE_GERMANY",
           "COL_AGS", "COL_AREA", "key_facts", "population_trend", "trend_index", "plot_population_trend",
           "trend_text", "SHARE_LABELS", "age_structure", "plot_age_pyramid", "plot_region_map", "sources",
           "intro"]

# Tables each part of the overview rests on (for source lines and the source table).
TABLES_KEY_FACTS = ("kreise", "population_by_age", "population_series")
TABLES_TREND = ("population_series",)
TABLES_AGE = ("population_by_age",)
TABLES_MAP = ("kreis_geometries", "kreise", "gemeinden")
TABLES_ALL = ("kreise", "gemeinden", "kreis_geometries", "population_by_age", "population_series")

TREND_START = 1995
CHANGE_START = 2015  # first year of the age data (12411-0018)
OPEN_GROUP_WIDTH = 15  # "75 Jahre und mehr" drawn as 75 to under 90 in the pyramid

GERMANY = "Deutschland"
ROLE_CORE_KREIS = common.ROLE_LABELS["core_kreis"]
ROLE_KREIS = common.ROLE_LABELS[regions.ROLE_SURROUNDING]
ROLE_GERMANY = "Vergleich"

COL_AGS = "AGS"
COL_AREA = "Gebiet"





def _latest() -> int:
    """The latest 31.12. of the population series (:func:`regiopol.data.vintage`)."""
    return data.vintage().latest_year


def _age_year() -> int:
    return data.vintage().base_year


# --------------------------------------------------------------------------- key facts

def _age_shares(kreise) -> tuple[float, float]:
    """Shares (0–1) of under-18 and 65+ in the latest age data for a set of Kreise (None = Germany)."""
    ages = data.load("population_by_age")
    ages = ages[ages["year"] == _age_year()]
    if kreise is not None:
        ages = ages[ages["ags"].isin(list(kreise))]
    total = ages["population"].sum()
    under_18 = ages.loc[ages["age_to"].fillna(999).astype(int) <= 18, "population"].sum()
    over_65 = ages.loc[ages["age_from"] >= 65, "population"].sum()
    return under_18 / total, over_65 / total


def _series_pivot() -> pd.DataFrame:
    return frames.population_wide()


def key_facts(region) -> pd.DataFrame:
    """Key figures per Kreis of the region, the region total and Germany (latest year Y of the
    population series).

    Columns: AGS, Gebiet, Rolle, Fläche (km²), Einwohner Y, Dichte (EW/km²),
    Veränderung 2015–Y (%), Anteil unter 18 (%), Anteil 65+ (%). The core Kreis comes
    first (Rolle "Regiopole"); where the Regiopole is a Gemeinde inside a Kreis (Paderborn,
    Siegen) a row "darunter: <Stadt>" follows with the figures the Gemeinde directory has for it.
    """
    r = regions.as_region(region)
    kreise = data.load("kreise").set_index("ags")
    series = _series_pivot()
    latest = _latest()
    inhabitants, change_label = f"Einwohner {latest}", f"Veränderung {CHANGE_START}–{latest} (%)"
    rows = []

    def row(ags, name, role, members, area):
        population = series.loc[members, latest].sum()
        change = population / series.loc[members, CHANGE_START].sum() - 1
        under_18, over_65 = _age_shares(members)
        return {COL_AGS: ags, COL_AREA: name, COL_ROLE: role, "Fläche (km²)": float(area),
                inhabitants: int(population), "Dichte (EW/km²)": population / area, change_label: 100 * change,
                "Anteil unter 18 (%)": 100 * under_18, "Anteil 65+ (%)": 100 * over_65}

    for ags in r.kreise:
        k = kreise.loc[ags]
        if ags == r.core_kreis:
            role = ROLE_CORE if r.core_gemeinde is None else ROLE_CORE_KREIS
        else:
            role = ROLE_KREIS
        rows.append(row(ags, k["label"], role, [ags], k["area_km2"]))
        if ags == r.core_kreis and r.core_gemeinde is not None:
            g = data.load("gemeinden").set_index("gemeinde_ags").loc[r.core_gemeinde]
            rows.append({COL_AGS: r.core_gemeinde, COL_AREA: f"darunter: {g['name']}", COL_ROLE: ROLE_CORE,
                         "Fläche (km²)": float(g["area_km2"]), inhabitants: int(g["population"]),
                         "Dichte (EW/km²)": g["population"] / g["area_km2"],
                         change_label: np.nan, "Anteil unter 18 (%)": np.nan,
                         "Anteil 65+ (%)": np.nan})
    members = list(r.kreise)
    rows.append(row("", f"Region {r.name}", ROLE_REGION, members, kreise.loc[members, "area_km2"].sum()))
    rows.append(row("", GERMANY, ROLE_GERMANY, list(kreise.index), kreise["area_km2"].sum()))
    table = pd.DataFrame(rows)
    table["Fläche (km²)"] = table["Fläche (km²)"].round(2)
    ratios = ["Dichte (EW/km²)", change_label, "Anteil unter 18 (%)", "Anteil 65+ (%)"]
    table[ratios] = table[ratios].astype("float64").round(6)
    return table


# --------------------------------------------------------------------------- population trend

def population_trend(region, start: int = TREND_START, end: int | None = None) -> pd.DataFrame:
    """Population (31.12.) per Kreis of the region and the region total, one column per year."""
    r = regions.as_region(region)
    end = end or _latest()
    series = _series_pivot().loc[list(r.kreise), list(range(start, end + 1))]
    names = common.kreis_names()
    table = series.round().astype("int64")
    table.loc["region"] = table.sum()
    table.insert(0, "Kreis", [names[a] for a in r.kreise] + [f"Region {r.name}"])
    table.insert(0, COL_AGS, list(r.kreise) + [""])
    table.columns = [str(c) for c in table.columns]
    return table.reset_index(drop=True)


def trend_index(region, start: int = TREND_START, end: int | None = None) -> pd.DataFrame:
    """Index (``start`` = 100) per Kreis, the region and Germany; rows = years."""
    r = regions.as_region(region)
    end = end or _latest()
    series = _series_pivot().loc[:, list(range(start, end + 1))]
    labels = common.kreis_labels()
    frame = {labels[a]: series.loc[a] for a in r.kreise}
    frame[f"Region {r.name}"] = series.loc[list(r.kreise)].sum()
    frame[GERMANY] = series.sum()
    table = pd.DataFrame(frame)
    return 100 * table / table.loc[start]


def plot_population_trend(region, start: int = TREND_START, end: int | None = None) -> Figure:
    """Line chart: population index (``start`` = 100) per Kreis, region total (bold) and
    Germany (dashed), with the census breaks marked."""
    r = regions.as_region(region)
    end = end or _latest()
    index = trend_index(r, start, end)
    fig = style.figure((8.0, 4.6))
    ax = fig.subplots()
    kreis_columns = index.columns[:-2]
    for i, column in enumerate(kreis_columns):
        is_core = r.kreise[i] == r.core_kreis
        ax.plot(index.index, index[column], lw=1.6 if is_core else 1.0,
                color=style.CORE if is_core else style.CYCLE[(i + 1) % len(style.CYCLE)],
                alpha=1.0 if is_core else 0.85, label=column)
    ax.plot(index.index, index[f"Region {r.name}"], lw=2.6, color="#111111", label=f"Region {r.name}")
    ax.plot(index.index, index[GERMANY], lw=1.4, ls="--", color=style.GERMANY, label=GERMANY)
    ax.axhline(100, color="#999999", lw=0.6)
    for census in _breaks(start, end):
        ax.axvline(census - 0.5, color=style.ACCENT, lw=1.0, ls=":")
        ax.annotate(f"Zensus {census}", xy=(census - 0.5, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -2), textcoords="offset points", ha="left", va="top", fontsize=8, color=style.ACCENT)
    ax.set_xlim(start, end)
    ax.set_title(f"Bevölkerungsentwicklung {start}–{end}: Region {r.name}")
    ax.set_ylabel(f"Index ({start} = 100)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole index points: no rounded 2.5 steps
    style.german_axis(ax, "y", 0)
    ax.xaxis.set_major_formatter(style.FuncFormatter(lambda v, _p: f"{v:.0f}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    style.source_note(fig, [
        short_citation(TABLES_TREND),
        "Hinweis: Bevölkerung jeweils am 31.12.; " + _census_note(start, end)
        + "; Kreise auf Gebietsstand 2021 umgerechnet.",
    ])
    fig.tight_layout()
    return fig


def trend_text(region, start: int = TREND_START, end: int | None = None) -> Markdown:
    """A short German paragraph (IPython Markdown) with the region's actual change."""
    from IPython.display import Markdown

    r = regions.as_region(region)
    end = end or _latest()
    index = trend_index(r, start, end)
    total = population_trend(r, start, end).iloc[-1]
    region_col, change_short = f"Region {r.name}", _change(r, CHANGE_START, end)
    change = index.loc[end, region_col] / 100 - 1
    germany = index.loc[end, GERMANY] / 100 - 1
    kreise = index.columns[:-2]
    changes = {k: index.loc[end, k] / 100 - 1 for k in kreise}
    best, worst = max(changes, key=changes.get), min(changes, key=changes.get)
    verb = "gewachsen" if change > 0 else "geschrumpft" if change < 0 else "gleich geblieben"
    text = (
        f"Die Region {r.name} hatte Ende {end} **{fmt.number(total[str(end)])}** Einwohnerinnen und Einwohner "
        f"und ist seit {start} um **{fmt.signed_percent(change)}** {verb} "
        f"(Deutschland: {fmt.signed_percent(germany)}); von {CHANGE_START} bis {end} betrug die Veränderung "
        f"{fmt.signed_percent(change_short)}."
    )
    if len(kreise) > 1:
        text += (f" Seit {start} reicht die Spanne unter den Kreisen von {worst} "
                 f"({fmt.signed_percent(changes[worst])}) bis {best} ({fmt.signed_percent(changes[best])}).")
    for census in _breaks(start, end):
        text += (f" Die Werte ab {census} beruhen auf dem Zensus {census}; der Sprung an dieser Stelle "
                 "ist eine Korrektur des Niveaus, keine tatsächliche Veränderung.")
    return Markdown(text)


def _breaks(start: int, end: int) -> list[int]:
    """The census breaks of the data between ``start`` and ``end``."""
    return [year for year in data.vintage().census_breaks if start < year <= end]


def _census_note(start: int, end: int) -> str:
    breaks = _breaks(start, end)
    return "; ".join(f"ab {c} auf Basis des Zensus {c} (Niveausprung gegenüber der früheren Fortschreibung)"
                     for c in breaks) or "ohne Zensusbruch"


def _change(r: regions.Region, start: int, end: int) -> float:
    series = _series_pivot().loc[list(r.kreise)]
    return series[end].sum() / series[start].sum() - 1


# --------------------------------------------------------------------------- age structure

def _group_shares(region, year: int | None) -> pd.DataFrame:
    """Per official age group (rows, in order): age_group, age_from, age_to, width (the open
    group counted as 15 years) and the shares (% of all, both sexes) men/women of the region and
    of Germany (columns m_region, w_region, m_germany, w_germany) on 31.12. of ``year`` (default:
    the latest year of the age data)."""
    r = regions.as_region(region)
    year = year or _age_year()
    ages = data.load("population_by_age")
    ages = ages[ages["year"] == year]
    groups = (ages[["age_group", "age_from", "age_to"]].drop_duplicates()
              .sort_values("age_from").reset_index(drop=True))
    groups["width"] = groups["age_to"].astype("float64").fillna(groups["age_from"] + OPEN_GROUP_WIDTH) - groups["age_from"]

    def shares(frame):
        pivot = frame.pivot_table(index="age_from", columns="sex", values="population", aggfunc="sum")
        pivot = pivot.reindex(groups["age_from"])
        return 100 * pivot / pivot.to_numpy().sum()

    for where, frame in (("region", ages[ages["ags"].isin(list(r.kreise))]), ("germany", ages)):
        part = shares(frame)
        for sex in ("m", "w"):
            groups[f"{sex}_{where}"] = part[sex].to_numpy()
    return groups


SHARE_LABELS = {"m_region": "Männer Region", "w_region": "Frauen Region", "m_germany": "Männer Deutschland",
                "w_germany": "Frauen Deutschland"}


def age_structure(region, year: int | None = None) -> pd.DataFrame:
    """Shares (% of the whole population, both sexes) per sex and official age group, for the
    region and Germany, plus the same per year of age (share ÷ group width; the open group
    "75 Jahre und mehr" counted as 15 years)."""
    shares = _group_shares(region, year)
    table = pd.DataFrame({"Altersgruppe": shares["age_group"].to_numpy(), "von": shares["age_from"].to_numpy(),
                          "bis unter": shares["age_to"].to_numpy()})
    for key, label in SHARE_LABELS.items():
        table[f"{label} (%)"] = shares[key].to_numpy()
    for key, label in SHARE_LABELS.items():
        table[f"{label} (% je Altersjahr)"] = (shares[key] / shares["width"]).to_numpy()
    return table


def plot_age_pyramid(region, year: int | None = None) -> Figure:
    """Population pyramid of the region (bars) against Germany (outline), per year of age:
    each bar spans its age group, its length is the group's share divided by its width."""
    r = regions.as_region(region)
    year = year or _age_year()
    shares = _group_shares(r, year)
    bottom = shares["age_from"].to_numpy(dtype=float)
    height = shares["width"].to_numpy()
    top = bottom + height
    per_year = {key: (shares[key] / shares["width"]).to_numpy() for key in SHARE_LABELS}
    fig = style.figure((7.0, 5.2))
    ax = fig.subplots()
    men, women = per_year["m_region"], per_year["w_region"]
    ax.barh(bottom, -men, height=height, align="edge", color=style.MEN, edgecolor="white", lw=0.5,
            label=f"Männer, Region {r.name}")
    ax.barh(bottom, women, height=height, align="edge", color=style.WOMEN, edgecolor="white", lw=0.5,
            label=f"Frauen, Region {r.name}")
    for key, sign in (("m_germany", -1), ("w_germany", 1)):
        values = sign * per_year[key]
        xs = np.repeat(values, 2)
        ys = np.column_stack([bottom, top]).ravel()
        ax.plot(xs, ys, color="#111111", lw=1.1, label=GERMANY if sign > 0 else None)
    ax.axvline(0, color="#555555", lw=0.6)
    limit = 1.08 * max(np.abs(ax.get_xlim()))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(0, top.max())
    ax.set_yticks(list(bottom) + [top.max()])
    ax.set_yticklabels([f"{b:.0f}" for b in bottom] + [""])
    ax.text(-0.02, (75 + top.max()) / 2 / top.max(), "75+", transform=ax.transAxes, ha="right", va="center",
            fontsize=8, color="#444444")
    ax.set_ylabel("Alter (Jahre, Beginn der Altersgruppe)")
    ax.set_xlabel("Anteil an der Bevölkerung je Altersjahr (%)")
    style.german_axis(ax, "x", 2, absolute=True)
    ax.text(0.02, 0.97, "Männer", transform=ax.transAxes, ha="left", va="top", fontsize=10, color=style.MEN,
            fontweight="bold")
    ax.text(0.98, 0.97, "Frauen", transform=ax.transAxes, ha="right", va="top", fontsize=10, color=style.WOMEN,
            fontweight="bold")
    ax.set_title(f"Altersaufbau {year}: Region {r.name} und Deutschland")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3)
    ax.grid(axis="y", visible=False)
    style.source_note(fig, [
        short_citation(TABLES_AGE),
        f"Hinweis: Stand 31.12.{year}; die 17 amtlichen Altersgruppen sind unterschiedlich breit – "
        "jeder Balken überspannt seine Altersgruppe, seine Länge ist der Anteil der Gruppe geteilt durch "
        f"ihre Breite in Jahren; die offene Gruppe „75 Jahre und mehr“ ist als 75 bis unter 90 gezeichnet.",
    ])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- map

def plot_region_map(region) -> Figure:
    """Map (EPSG:25832): Germany's 400 Kreise in light grey with the region highlighted and
    the core Kreis darker (left), the region enlarged with Kreis names (right); the core
    city is marked by a point. Meant to be saved as PNG."""
    import geopandas
    from matplotlib import patheffects

    r = regions.as_region(region)
    geo = data.load("kreis_geometries").to_crs(METRIC_CRS)
    names = common.kreis_names()
    in_region = geo["ags"].isin(r.kreise)
    is_core = geo["ags"] == r.core_kreis
    (lon, lat), city = r.core_point(), r.name
    point = geopandas.GeoSeries(geopandas.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(METRIC_CRS)
    px, py = float(point.x.iloc[0]), float(point.y.iloc[0])

    fig = style.figure((9.0, 6.0))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.25]})
    for ax in (left, right):
        geo[~in_region].plot(ax=ax, color=style.CONTEXT, edgecolor=style.EDGE, linewidth=0.3)
        geo[in_region & ~is_core].plot(ax=ax, color=style.REGION, edgecolor=style.EDGE, linewidth=0.5)
        geo[is_core].plot(ax=ax, color=style.CORE, edgecolor=style.EDGE, linewidth=0.5)
        ax.set_axis_off()
        ax.set_aspect("equal")
    region_geo = geo[in_region]
    minx, miny, maxx, maxy = region_geo.total_bounds
    pad = 0.12 * max(maxx - minx, maxy - miny)
    left.add_patch(_rectangle(minx - pad, miny - pad, maxx + pad, maxy + pad))
    left.plot([px], [py], "o", ms=4, color=style.ACCENT, mec="white", mew=0.6)
    left.set_title("Lage in Deutschland")
    right.set_xlim(minx - pad, maxx + pad)
    right.set_ylim(miny - pad, maxy + pad)
    kinds = data.load("kreise").set_index("ags")["kind"]
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for _, k in region_geo.iterrows():
        ags = k["ags"]
        if ags == r.core_kreis and r.core_gemeinde is None:
            continue  # the kreisfreie Stadt is labelled by the city marker
        city_kreis = kinds[ags] in ("Kreisfreie Stadt", "Stadtkreis")
        label = common.kreis_labels()[ags].replace(" (Landkreis)", "").replace(" (Kreisfreie Stadt)", "")
        if not city_kreis and ags != r.core_kreis and (names[ags].endswith("(Landkreis)")):
            label = f"Lkr. {label}"
        spot = _label_point(k.geometry)
        right.annotate(label, (spot.x, spot.y), ha="center", va="center",
                       fontsize=6.5 if city_kreis else 7.5, color="#1a1a1a",
                       fontstyle="italic" if city_kreis else "normal", path_effects=halo)
    right.plot([px], [py], "o", ms=7, color=style.ACCENT, mec="white", mew=1.0, zorder=5)
    right.annotate(city, (px, py), xytext=(6, 6), textcoords="offset points", fontsize=10, fontweight="bold",
                   color="#1a1a1a", zorder=6,
                   bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
    right.set_title(f"Region {r.name} ({len(r.kreise)} Kreise)")
    style.source_note(fig, [
        "Quelle: © GeoBasis-DE / BKG (VG250, vereinfacht, Daten verändert), dl-de/by-2-0; "
        "Destatis, Gemeindeverzeichnis GV100AD (30.11.2021) und GV-ISys (Koordinaten)",
        f"Hinweis: dunkel Kreis der Regiopole; hell: weitere Kreise der Region; Punkt: {city}. Projektion ETRS89 / UTM 32N.",
    ])
    fig.tight_layout()
    return fig


def _label_point(geometry):
    """Where a Kreis' name goes: the pole of inaccessibility of its largest part (keeps the
    label of a Landkreis away from the kreisfreie Stadt enclosed in it)."""
    from shapely.ops import polylabel

    if geometry.geom_type == "MultiPolygon":
        geometry = max(geometry.geoms, key=lambda g: g.area)
    return polylabel(geometry, tolerance=200.0)


def _rectangle(x0, y0, x1, y1):
    from matplotlib.patches import Rectangle

    return Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=style.ACCENT, linewidth=1.0)


# --------------------------------------------------------------------------- sources, intro, display

def sources(region=None, tables=TABLES_ALL) -> pd.DataFrame:
    """The sources of the overview: Quelle, Tabelle, Stand, Lizenz (one row per source)."""
    return common.sources_table(tables)


def intro(region) -> Markdown:
    """Title and introduction of the report (IPython Markdown, German)."""
    from IPython.display import Markdown

    from regiopol.regions import DELINEATION_STATUS, LEAD_AREA_STATUS

    r = regions.as_region(region)
    names = common.kreis_names()
    latest = _latest()
    population = _series_pivot().loc[list(r.kreise), latest].sum()
    kreise = "; ".join(names[a] for a in r.kreise)
    lines = [
        f"# Regionsüberblick: {r.name}",
        "",
        f"Die Region {r.name} umfasst in dieser Auswertung {len(r.kreise)} Kreise ({kreise}) mit "
        f"{fmt.number(population)} Einwohnerinnen und Einwohnern am 31.12.{latest} auf "
        f"{fmt.number(r.area_km2())} km².",
        "",
        f"- **Abgrenzung:** {r.delineation} ({DELINEATION_STATUS.get(r.delineation_status, r.delineation_status)})",
        f"- **Leitthema im Modellvorhaben:** {r.lead_area_label}"
        + ("" if r.lead_area_status == "unpublished"
           else f" ({LEAD_AREA_STATUS.get(r.lead_area_status, r.lead_area_status)})"),
    ]
    if r.notes:
        lines.append(f"- **Hinweis:** {r.notes}")
    lines.append(f"- **Quelle der Abgrenzung:** {r.source} (geprüft am {r.as_of:%d.%m.%Y})")
    return Markdown("\n".join(lines))


