"""Module 2 – Vorausschätzung: the report layer over :mod:`regiopol.methods.projection` (cohort-component
and Hamilton–Perry projections by age and sex to 2045, variants), :mod:`regiopol.methods.backtest`
(accuracy against what happened, ETS/ARIMA cross-check) and :mod:`regiopol.methods.demand`
(infrastructure demand and the gap against today's supply). German tables and figures for
``notebooks/02_vorausschaetzung.ipynb``.

>>> from regiopol.report import vorausschaetzung
>>> table = vorausschaetzung.horizon_table("trier")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from regiopol import data, regions
from regiopol.core import fmt
from regiopol.core.cache import memo
from regiopol.core.constants import METRIC_CRS
from regiopol.methods import backtest, demand, projection
from regiopol.report import common, style

if TYPE_CHECKING:  # IPython and the Styler are needed only where a notebook shows the result
    from IPython.display import Markdown

__all__ = ["HORIZONS", "GAP_YEARS", "FAN_VARIANTS", "TABLES", "ERROR_NOTE", "run", "totals", "time_series",
           "band", "backtest_results", "extended_results", "extended_goals", "intro", "COMPONENT_LABELS",
           "variants_table", "assumptions", "horizon_table", "variant_table", "plot_fan", "age_group_table",
           "age_groups_by_kreis", "plot_age_groups", "plot_pyramid", "plot_change_map", "components_table",
           "time_series_table", "METHOD_LABELS", "accuracy_view", "cohort_accuracy_view", "accuracy_details",
           "accuracy_text", "accuracy_by_horizon", "plot_accuracy_history", "gap_table", "gap_text",
           "rates_note", "demand_sources"]

HORIZONS = projection.HORIZONS
GAP_YEARS = (2030, 2035, 2045)
FAN_VARIANTS = ("migration_low", "migration_high", "fertility_low", "fertility_high", "life_low", "life_high")
TABLES = ("population_by_age", "population_series")
ERROR_NOTE = ("Band: 80 %- und 95 %-Intervalle aus den Fehlern des Rückrechnungstests (gedämpfter Trend für die "
              "Regiopolregionen als Ganzes, alle Ausgangsjahre innerhalb der Zensus-Abschnitte, Horizonte "
              "1–10 Jahre, darüber mit dem Horizont fortgeschrieben).")





def _base() -> int:
    """The projection's base year: the latest observed year of the age data (:func:`regiopol.data.vintage`)."""
    return projection.base_year()


# --------------------------------------------------------------------------- cached model runs

@memo(maxsize=16)
def run(variant: str = "medium", method: str = "cohort") -> projection.Projection:
    """The projection of all 400 Kreise (cached per process)."""
    return projection.project(variant, method)


def totals(region, variant: str = "medium", method: str = "cohort") -> pd.Series:
    """Projected total population of the region by year."""
    aggregated = projection.aggregate(run(variant, method), regions.as_region(region).kreise)
    return aggregated.totals().set_index("year")["population"]


def time_series(region) -> pd.DataFrame:
    """ETS, ARIMA and damped trend for the region's Kreise (cached: the fan chart and the
    cross-check table use the same fits)."""
    return _time_series(regions.as_region(region).kreise).copy()


@memo(maxsize=8)
def _time_series(kreise: tuple[str, ...]) -> pd.DataFrame:
    return backtest.time_series(list(kreise))


def band(region) -> pd.DataFrame:
    """Main variant with its 80 % and 95 % band: year, population, lo80, hi80, lo95, hi95."""
    return backtest.band(totals(region))


def backtest_results() -> pd.DataFrame:
    """The full back-test (all methods, the six windows, all Kreise)."""
    return backtest.results()


def extended_results() -> pd.DataFrame:
    """The naive baselines and the damped trend on all 40 windows of horizon 5 and 8–10 years."""
    return backtest.extended_results()


@memo(maxsize=1)
def extended_goals() -> pd.DataFrame:
    """:func:`regiopol.methods.backtest.goal_check` of the 40 windows (one bootstrap per process)."""
    return backtest.goal_check(extended_results())


# --------------------------------------------------------------------------- text, assumptions

def intro(region) -> Markdown:
    base = _base()
    r = regions.as_region(region)
    lines = [
        f"# Vorausschätzung: {r.name}",
        "",
        f"Wie entwickeln sich Zahl und Altersaufbau der Bevölkerung in der Region {r.name} bis 2045, und was "
        "bedeutet das für Kitas, Schulen, Krankenhäuser, Pflege und Hausärzte? Dieser Bericht rechnet mit einem "
        "**Kohorten-Komponenten-Modell** (Geburten, Sterbefälle und Wanderungen je Kreis, Alter und Geschlecht; "
        f"Basis 31.12.{base}) in Varianten nach dem Muster der Destatis-Vorausberechnung, zeigt ein "
        "**Unsicherheitsband**, vergleicht mit **Zeitreihenmodellen** und prüft im **Rückrechnungstest**, wie "
        "genau solche Verfahren in der Vergangenheit waren. Alle Annahmen stehen mit Quelle am Ende.",
        "",
        f"**Hinweis:** Die Werte sind Modellrechnungen unter Annahmen, keine Vorhersagen. Wanderungen nach {base} "
        "(z. B. 2022 aus der Ukraine) und die Korrektur durch den Zensus 2022 sind nicht enthalten.",
    ]
    return common.markdown("\n".join(lines))


COMPONENT_LABELS = {"fertility": "Geburten", "life_expectancy": "Lebenserwartung", "migration": "Wanderungen"}


def variants_table() -> pd.DataFrame:
    rows = []
    for name, label in projection.variants().items():
        chosen = projection.assumptions(name).set_index("component")["label"]
        rows.append({"Variante": label, **{COMPONENT_LABELS[c]: text for c, text in chosen.items()}})
    return pd.DataFrame(rows)


def assumptions() -> pd.DataFrame:
    table = projection.assumptions("medium")
    return pd.DataFrame({"Komponente": table["component"].map(COMPONENT_LABELS), "Annahme": table["label"],
                         "Quelle": table["source"], "Datengrundlage": table["basis"]})


# --------------------------------------------------------------------------- horizons

def horizon_table(region, variant: str = "medium") -> pd.DataFrame:
    """Population 2020 and at each horizon per Kreis, the core, the region; change 2020–2045."""
    base = _base()
    r = regions.as_region(region)
    result = run(variant)
    frame = result.totals().pivot(index="ags", columns="year", values="population")
    names = common.kreis_names()
    surrounding = common.ROLE_LABELS[regions.ROLE_SURROUNDING]
    rows = [(a, names[a], common.ROLE_CORE if a == r.core_kreis else surrounding, frame.loc[a]) for a in r.kreise]
    rows.append(("", f"Region {r.name}", common.ROLE_REGION, frame.loc[list(r.kreise)].sum()))
    rows.append(("", "Deutschland", "Deutschland", frame.sum()))
    out = pd.DataFrame({"AGS": [a for a, *_ in rows], "Gebiet": [common.area_label(a, n) for a, n, *_ in rows],
                        common.COL_ROLE: [role for _, _, role, _ in rows]})
    for year in (base, *HORIZONS):
        out[str(year)] = [int(round(values[year])) for *_, values in rows]
    out[f"Veränderung {base}–{HORIZONS[-1]} (%)"] = [100 * (v[HORIZONS[-1]] / v[base] - 1) for *_, v in rows]
    return out


def variant_table(region) -> pd.DataFrame:
    """The region's population at the horizons in every variant, and the band."""
    r = regions.as_region(region)
    rows = []
    for name, label in projection.variants().items():
        series = totals(r, name)
        rows.append({"Variante": label, **{str(y): series[y] for y in HORIZONS}})
    hp = totals(r, "medium", "hamilton_perry")
    rows.append({"Variante": f"Hamilton–Perry (Kohortenwandel {projection.FIRST_YEAR}–{_base()})",
                 **{str(y): hp[y] for y in HORIZONS}})
    b = band(r)
    for level in ("80", "95"):
        for bound, label in (("lo", "untere"), ("hi", "obere")):
            rows.append({"Variante": f"Hauptvariante, {level} %-Band, {label} Grenze",
                         **{str(y): b.loc[y, f"{bound}{level}"] for y in HORIZONS}})
    out = pd.DataFrame(rows)
    years = [str(y) for y in HORIZONS]
    out[years] = out[years].round().astype("int64")
    return out


def plot_fan(region) -> Figure:
    """Fan chart of the region's population: observed 2011–2020, main variant with 80/95 % band,
    the other variants, and the damped-trend time series for comparison."""
    r = regions.as_region(region)
    series = data.load("population_series")
    observed = series[series["ags"].isin(r.kreise)].groupby("year")["population"].sum().astype("float64")
    b = band(r)
    fig = style.figure((8.0, 4.8))
    ax = fig.subplots()
    ax.fill_between(b.index, b["lo95"], b["hi95"], color=style.REGION, alpha=0.25, lw=0, label="95 %-Band")
    ax.fill_between(b.index, b["lo80"], b["hi80"], color=style.REGION, alpha=0.45, lw=0, label="80 %-Band")
    labels = projection.variants()
    for i, name in enumerate(FAN_VARIANTS):
        if name in labels:
            values = totals(r, name)
            ax.plot(values.index, values, lw=0.9, ls="--", color=style.CYCLE[(i + 2) % len(style.CYCLE)],
                    label=labels[name].split(" (")[0])
    ax.plot(b.index, b["population"], lw=2.4, color=style.CORE, label="Hauptvariante")
    ax.plot(observed.loc[2011:].index, observed.loc[2011:], lw=2.0, color="#111111", label="beobachtet (ab Zensus 2011)")
    ts = time_series(r)
    ts = ts[ts["model"] == backtest.BAND_METHOD]
    trend = ts.groupby("year")["mean"].sum()
    ax.plot(trend.index, trend, lw=1.2, ls=":", color=style.ACCENT, label="Zeitreihe (gedämpfter Trend)")
    ax.set_title(f"Bevölkerung der Region {r.name} bis {HORIZONS[-1]}")
    ax.set_ylabel("Einwohner (Tsd.)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.number(v / 1000)))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    style.source_note(fig, [common.short_citation(TABLES, "Destatis 12621-0001, 12612-0008/-0009/-0001"),
                            "Hinweis: " + ERROR_NOTE])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- age groups, pyramid

def _age_groups(region, variant: str = "medium") -> pd.DataFrame:
    """Population of the region per functional age group (index) and year (base and horizons)."""
    frame = projection.aggregate(run(variant), regions.as_region(region).kreise).frame()
    groups = projection.functional_groups(frame[frame["year"].isin((_base(), *HORIZONS))])
    return groups.groupby(["age_group", "year"], observed=True)["population"].sum().unstack("year")


def age_group_table(region, variant: str = "medium") -> pd.DataFrame:
    base = _base()
    wide = _age_groups(region, variant)
    out = pd.DataFrame({"Altersgruppe": [str(g) for g in wide.index]})
    for year in (base, *HORIZONS):
        out[str(year)] = wide[year].round().astype("int64").to_numpy()
    for year in (2035, HORIZONS[-1]):
        out[f"Veränderung {base}–{year} (%)"] = (100 * (wide[year] / wide[base] - 1)).to_numpy()
    return out


def age_groups_by_kreis(region, variant: str = "medium") -> pd.DataFrame:
    """Functional age groups at the base year and every horizon for each Kreis of the region
    (the core first) – the table behind :func:`age_group_table`, for the CSV."""
    r = regions.as_region(region)
    frame = run(variant).subset(r.kreise, (_base(), *HORIZONS)).frame()
    groups = projection.functional_groups(frame)
    wide = groups.groupby(["ags", "age_group", "year"], observed=True)["population"].sum().unstack("year")
    wide = wide.reindex(list(r.kreise), level="ags")
    out = pd.DataFrame({"AGS": wide.index.get_level_values("ags"),
                        "Kreis": list(common.kreis_labels()[wide.index.get_level_values("ags")]),
                        "Altersgruppe": [str(g) for g in wide.index.get_level_values("age_group")]})
    for year in (_base(), *HORIZONS):
        out[str(year)] = wide[year].round().astype("int64").to_numpy()
    out[f"Veränderung {_base()}–{HORIZONS[-1]} (%)"] = (100 * (wide[HORIZONS[-1]] / wide[_base()] - 1)).to_numpy()
    return out


def plot_age_groups(region) -> Figure:
    base = _base()
    wide = _age_groups(region)
    r = regions.as_region(region)
    fig = style.figure((8.0, 4.2))
    ax = fig.subplots()
    y = np.arange(len(wide))
    for offset, year, colour in ((-0.2, 2035, style.REGION), (0.2, HORIZONS[-1], style.CORE)):
        ax.barh(y + offset, 100 * (wide[year] / wide[base] - 1), height=0.38, color=colour, label=f"{base}–{year}")
    ax.axvline(0, color="#555555", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{g} Jahre" for g in wide.index])
    ax.invert_yaxis()
    ax.set_xlabel(f"Veränderung gegenüber {base} (%)")
    style.german_axis(ax, "x", 0)
    ax.set_title(f"Veränderung nach Altersgruppen: Region {r.name} (Hauptvariante)")
    ax.legend(loc="lower right")
    style.source_note(fig, common.short_citation(TABLES, "Destatis 12621-0001, 12612-0008/-0009/-0001"))
    fig.tight_layout()
    return fig


def plot_pyramid(region, year: int = HORIZONS[-1]) -> Figure:
    """Single-year pyramid of the region: 2020 (bars) and ``year`` (outline), share of the total."""
    base = _base()
    r = regions.as_region(region)
    frame = projection.aggregate(run(), r.kreise).frame()
    fig = style.figure((7.0, 5.6))
    ax = fig.subplots()
    for when, kind in ((base, "bar"), (year, "line")):
        part = frame[frame["year"] == when]
        total = part["population"].sum()
        for sex, sign, colour in (("m", -1, style.MEN), ("w", 1, style.WOMEN)):
            values = part[part["sex"] == sex].sort_values("age")
            share = sign * 100 * values["population"].to_numpy() / total
            if kind == "bar":
                ax.barh(values["age"], share, height=1.0, color=colour, alpha=0.55, lw=0,
                        label=f"{'Männer' if sex == 'm' else 'Frauen'} {base}")
            else:
                ax.step(share, values["age"], where="mid", color="#111111", lw=1.0,
                        label=f"{year}" if sex == "w" else None)
    ax.axvline(0, color="#555555", lw=0.6)
    limit = max(abs(v) for v in ax.get_xlim())
    ax.set_xlim(-limit, limit)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Alter (Jahre; 100 = 100 und älter)")
    ax.set_xlabel("Anteil an der Bevölkerung je Altersjahr (%)")
    style.german_axis(ax, "x", 2, absolute=True)
    ax.set_title(f"Altersaufbau {base} und {year}: Region {r.name}")
    ax.legend(loc="upper right")
    style.source_note(fig, [common.short_citation(TABLES, "Destatis 12621-0001, 12612-0008/-0009/-0001"),
                            "Hinweis: Einzelaltersjahre aus den 17 amtlichen Altersgruppen geschätzt (gruppentreue "
                            "Aufteilung, offene Gruppe 75+ nach der Sterbetafel)."])
    fig.tight_layout()
    return fig


def plot_change_map(region) -> Figure:
    """Map: projected change 2020–2045 (main variant) per Kreis of the region and its neighbours."""
    base = _base()
    r = regions.as_region(region)
    table = run().totals().pivot(index="ags", columns="year", values="population")
    change = 100 * (table[HORIZONS[-1]] / table[base] - 1)
    geo = data.load("kreis_geometries").to_crs(METRIC_CRS)
    geo["value"] = geo["ags"].map(change)
    region_geo = geo[geo["ags"].isin(r.kreise)]
    minx, miny, maxx, maxy = region_geo.total_bounds
    pad = 0.25 * max(maxx - minx, maxy - miny)
    fig = style.figure((8.0, 6.2))
    ax = fig.subplots()
    limit = max(5.0, float(np.nanmax(np.abs(change))))
    limit = min(limit, 20.0)
    geo.plot(ax=ax, column="value", cmap="RdBu", vmin=-limit, vmax=limit, edgecolor="white", linewidth=0.4,
             legend=True, legend_kwds={"label": f"Veränderung {base}–{HORIZONS[-1]} (%)", "shrink": 0.6,
                                       "format": style.german_formatter(0)})
    region_geo.dissolve().boundary.plot(ax=ax, color=style.ACCENT, linewidth=1.4)
    for _, k in region_geo.iterrows():
        spot = k.geometry.representative_point()
        ax.annotate(fmt.signed_percent(k["value"] / 100, 0), (spot.x, spot.y), ha="center", va="center",
                    fontsize=7, color="#1a1a1a")
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_axis_off()
    ax.set_title(f"Bevölkerungsveränderung {base}–{HORIZONS[-1]} je Kreis (Hauptvariante)")
    style.source_note(fig, [common.short_citation(TABLES + ("kreis_geometries",)),
                            f"Hinweis: rote Linie: Region {r.name}; Farbskala bei ±{fmt.number(limit)} % begrenzt."])
    fig.tight_layout()
    return fig


def components_table(region) -> pd.DataFrame:
    """Births, deaths and net migration of the region (main variant), summed over 5-year periods."""
    r = regions.as_region(region)
    comp = projection.aggregate(run(), r.kreise).components()
    base, last = _base(), int(comp["year"].max())
    comp = comp[comp["year"] > base].copy()
    start = (comp["year"] - base - 1) // 5 * 5 + base + 1
    comp["Zeitraum"] = [f"{s}–{min(s + 4, last)}" for s in start]
    sums = comp.groupby("Zeitraum", sort=False)[["births", "deaths", "migration"]].sum()
    out = pd.DataFrame({"Zeitraum": sums.index, "Geburten": sums["births"].round().astype("int64").to_numpy(),
                        "Sterbefälle": sums["deaths"].round().astype("int64").to_numpy(),
                        "Wanderungssaldo": sums["migration"].round().astype("int64").to_numpy()})
    out["Veränderung"] = out["Geburten"] - out["Sterbefälle"] + out["Wanderungssaldo"]
    return out


# --------------------------------------------------------------------------- time series, back-test

def time_series_table(region) -> pd.DataFrame:
    """Per Kreis: the cohort projection (main variant) beside ETS, ARIMA and the damped trend
    (with 80 % intervals) for 2030 and 2045."""
    r = regions.as_region(region)
    ts = time_series(r)
    cohort = run().totals().pivot(index="ags", columns="year", values="population")
    labels = common.kreis_labels()
    rows = []
    for ags in r.kreise:
        for year in (2030, HORIZONS[-1]):
            row = {"Kreis": labels[ags], "Jahr": year, "Kohortenmodell": cohort.loc[ags, year]}
            for model, label in (("ets", "ETS"), ("arima", "ARIMA"), ("damped", "Gedämpfter Trend")):
                hit = ts[(ts["ags"] == ags) & (ts["model"] == model) & (ts["year"] == year)].iloc[0]
                row[label] = hit["mean"]
                row[f"{label} 80 % von"] = hit["lo80"]
                row[f"{label} 80 % bis"] = hit["hi80"]
            rows.append(row)
    out = pd.DataFrame(rows)
    counts = [c for c in out.columns if c not in ("Kreis", "Jahr")]
    out[counts] = out[counts].round().astype("int64")
    return out


METHOD_LABELS = {"constant": "konstant (naiv)", "linear": "linear (naiv)", "exponential": "exponentiell (naiv)",
                 "ets": "ETS", "arima": "ARIMA", "damped": "gedämpfter Trend", "cohort": "Kohortenmodell"}


def accuracy_view(region=None) -> pd.DataFrame:
    """MAPE (%) per method and back-test window – all 400 Kreise, or the region's Kreise."""
    results = backtest_results()
    table = backtest.accuracy_table(results) if region is None else backtest.accuracy_for(regions.as_region(region), results)
    wide = table.pivot(index="method", columns="window", values="MAPE")
    wide = wide.reindex([m for m in METHOD_LABELS if m in wide.index])
    out = pd.DataFrame({"Verfahren": [METHOD_LABELS[m] for m in wide.index]})
    for window in wide.columns:
        out[f"MAPE {window} (%)"] = wide[window].to_numpy()
    return out


def cohort_accuracy_view() -> pd.DataFrame:
    """The cohort model in the back-test (bases 2016 and 2017 → 2020, all 400 Kreise)."""
    table = backtest.cohort_accuracy()
    return pd.DataFrame({"Zeitfenster": table["window"], "Verfahren": table["method"].map(METHOD_LABELS),
                         "MAPE (%)": table["MAPE"], "Median APE (%)": table["MdAPE"],
                         "Verzerrung (%)": table["bias"], "Kreise": table["n"]}).sort_values(
        ["Zeitfenster", "MAPE (%)"]).reset_index(drop=True)


def accuracy_details() -> pd.DataFrame:
    """All 400 Kreise: MAPE, median APE, bias and 80 % coverage per window for the naive baselines
    and the project's method."""
    table = backtest.accuracy_table(backtest_results())
    table = table[table["method"].isin(["constant", "linear", "exponential", backtest.BAND_METHOD])]
    return pd.DataFrame({"Zeitfenster": table["window"], "Verfahren": table["method"].map(METHOD_LABELS),
                         "MAPE (%)": table["MAPE"], "Median APE (%)": table["MdAPE"],
                         "Verzerrung (%)": table["bias"], "Abdeckung 80 %-Intervall (%)": table["coverage80"],
                         "Kreise": table["n"]}).sort_values(["Zeitfenster", "Verfahren"]).reset_index(drop=True)


def accuracy_text() -> Markdown:
    table = backtest.accuracy_table(backtest_results())
    goals_extended = extended_goals()
    issue, extended = backtest.goal_summary(backtest.goal_check(backtest_results())), backtest.goal_summary(goals_extended)
    own = table[table["method"] == backtest.BAND_METHOD]
    short, long = own[own["horizon"] <= 5]["MAPE"], own[own["horizon"] >= 8]["MAPE"]
    losses = goals_extended[~goals_extended["beats"]]
    narrow = goals_extended[goals_extended["coverage80"] < backtest.COVERAGE_GOAL[0]]
    wide = goals_extended[goals_extended["coverage80"] > backtest.COVERAGE_GOAL[1]]
    text = (f"**Ergebnis.** In den sechs Zeitfenstern oben ist der gedämpfte Trend in {issue['beats']} von "
            f"{issue['windows']} genauer als die beste naive Fortschreibung, über alle {extended['windows']} Zeitfenster "
            f"mit 5 und 8–10 Jahren Horizont (Ausgangsjahre {goals_extended['base'].min()}–"
            f"{goals_extended['base'].max()}) in {extended['beats']}. ")
    if len(losses):
        text += (f"Wo er verliert ({_windows(losses, 'difference', 2, ' Prozentpunkte')}), "
                 + ("schließt das 95 %-Bootstrap-Intervall über die Kreise 0 ein – der Abstand liegt in der "
                    "Zufallsschwankung. " if not losses["worse"].any() else "ist der Abstand teils größer als die "
                    "Zufallsschwankung. "))
    text += (f"Sein 80 %-Intervall enthält in {extended['covers']} von {extended['with_interval']} Fenstern 70–90 % "
             f"der tatsächlichen Werte (im Mittel {fmt.number(extended['mean_coverage80'], 0)} %). ")
    if len(narrow):
        text += (f"Zu schmal war es in {_windows(narrow, 'coverage80', 0, ' %')}: Vom Zensusjahr 2011 aus gibt "
                 "es noch keine Entwicklung auf dem neuen Zensusstand – der gedämpfte Trend setzt die Wachstumsraten "
                 "2006–2010 fort –, und die Zuwanderung 2015/16 lag außerhalb dessen, was die Fehler der 1990er- und "
                 "2000er-Jahre kannten. ")
    if len(wide):
        text += (f"Zu breit war es in {_windows(wide, 'coverage80', 0, ' %')}: Diese Jahre verliefen ruhiger als "
                 "die Jahre, aus deren Fehlern das Intervall stammt. ")
    text += ("Weil alle Kreise eines Fensters von denselben Ereignissen getroffen werden (Zuwanderungswellen, "
             "Zensus), ist die Trefferquote eines einzelnen Fensters kein Test mit 400 unabhängigen Fällen. "
            f"Zur Einordnung: Nach fünf Jahren lagen die Kreiswerte im Mittel {fmt.number(short.min(), 1)}–"
            f"{fmt.number(short.max(), 1)} % neben der tatsächlichen Entwicklung, nach acht bis zehn Jahren "
            f"{fmt.number(long.min(), 1)}–{fmt.number(long.max(), 1)} %. Das ist die Größenordnung, mit der auch "
            "die Zahlen dieses Berichts zu lesen sind.")
    return common.markdown(text)


def _windows(goals: pd.DataFrame, column: str, decimals: int, unit: str) -> str:
    """'2011→2016 (53 %), 2011→2019 (67 %)': the windows in order of base year, with a value
    (signed where ``column`` is a difference)."""
    goals = goals.sort_values(["base", "horizon"])
    sign = "+" if column == "difference" else ""
    return ", ".join(f"{w} ({sign if v > 0 else ''}{fmt.number(v, decimals)}{unit})"
                     for w, v in zip(goals["window"], goals[column]))


def accuracy_by_horizon() -> pd.DataFrame:
    """The damped trend against the best naive baseline in all 40 windows, by horizon."""
    goals = extended_goals()
    rows = []
    for horizon, g in goals.groupby("horizon"):
        summary = backtest.goal_summary(g)
        rows.append({"Horizont (Jahre)": int(horizon), "Zeitfenster": summary["windows"],
                     "Ausgangsjahre": f"{g['base'].min()}–{g['base'].max()}",
                     "genauer als beste naive": summary["beats"],
                     "signifikant ungenauer (95 %)": summary["worse"],
                     "mittlerer Vorsprung (Prozentpunkte MAPE)": round(-g["difference"].mean(), 2),
                     "Fenster mit Intervall": summary["with_interval"],
                     "Intervall trifft 70–90 %": summary["covers"],
                     "mittlere Abdeckung (%)": round(summary["mean_coverage80"], 1)})
    return pd.DataFrame(rows)


def plot_accuracy_history() -> Figure:
    """By base year: MAPE of the damped trend and the best naive baseline (5 years ahead), and the
    coverage of its 80 % interval (all horizons) against the 70–90 % goal."""
    goals = extended_goals()
    fig = style.figure((8.0, 3.8))
    left, right = fig.subplots(1, 2)
    five = goals[goals["horizon"] == 5].set_index("base")
    for segment_ in (five.loc[:backtest.CENSUS_YEAR - 1], five.loc[backtest.CENSUS_YEAR:]):
        left.plot(segment_.index, segment_["naive_MAPE"], color=style.GERMANY, ls="--", marker="o", ms=3)
        left.plot(segment_.index, segment_["MAPE"], color=style.CORE, marker="o", ms=3)
    left.plot([], [], color=style.GERMANY, ls="--", label="beste naive Fortschreibung")
    left.plot([], [], color=style.CORE, label="gedämpfter Trend")
    left.set_title("Fehler nach 5 Jahren (MAPE, %)")
    left.set_ylim(bottom=0)
    left.legend(loc="lower left")
    right.axhspan(*backtest.COVERAGE_GOAL, color=style.REGION, alpha=0.25, lw=0, label="Ziel 70–90 %")
    markers = {5: ("o", style.CORE), 8: ("s", style.ACCENT), 9: ("^", style.CYCLE[3]), 10: ("D", style.GERMANY)}
    for horizon, g in goals[goals["coverage80"].notna()].groupby("horizon"):
        marker, colour = markers.get(int(horizon), ("o", style.CORE))
        right.scatter(g["base"], g["coverage80"], marker=marker, s=20, color=colour, label=f"{int(horizon)} Jahre")
    right.set_ylim(40, 100)
    right.set_title("Treffer des 80 %-Intervalls (%)")
    right.legend(loc="lower left", ncol=2, fontsize="small")
    for ax, decimals in ((left, 1), (right, 0)):
        ax.axvline(backtest.CENSUS_YEAR - 0.5, color=style.ACCENT, lw=0.8, ls=":")
        ax.set_xlabel("Ausgangsjahr")
        ax.xaxis.set_major_locator(MultipleLocator(5))
        style.german_axis(ax, "y", decimals)
    style.source_note(fig, [common.short_citation(("population_series",)),
                            "Alle 400 Kreise; punktierte Linie: Zensusbruch 2011 (kein Zeitfenster überspringt ihn)."])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- demand and gap

def gap_table(region) -> pd.DataFrame:
    """Demand per infrastructure item in 2020 (observed) and at the gap years against today's supply."""
    base = _base()
    r = regions.as_region(region)
    rates = demand.rates().set_index("item")
    gaps = demand.gap(run(), r.kreise, GAP_YEARS)
    rows = []
    for item, block in gaps.groupby("item", sort=False):
        block = block.set_index("year")
        row = {"Bedarf": rates.loc[item, "label"], "Einheit": rates.loc[item, "unit"],
               "Angebot heute": block["supply"].iloc[0], f"Bedarf {base}": block.loc[base, "demand"]}
        for year in GAP_YEARS:
            row[f"Bedarf {year}"] = block.loc[year, "demand"]
        for year in GAP_YEARS:
            row[f"Lücke {year} (%)"] = block.loc[year, "gap_pct"]
        row["Datenlage"] = common.VERIFICATION_LABELS[rates.loc[item, "verification"]]
        rows.append(row)
    out = pd.DataFrame(rows)
    counts = [c for c in out.columns if c.startswith(("Angebot", "Bedarf "))]
    out[counts] = out[counts].round().astype("int64")
    return out


def gap_text() -> Markdown:
    return common.markdown(
        "Lücke = (Bedarf − heutiges Angebot) ÷ heutiges Angebot; positiv heißt: mehr Bedarf als heute vorhanden. "
        "Wo es keine Kapazitätsdaten je Kreis gibt (Kita, Schulen), ist das heutige Angebot die heutige Nutzung – die "
        "Lücke zeigt dann allein die demografische Veränderung. Mit **UNGEPRÜFT** markierte Raten (Krankenhausfälle "
        "und -betten) beruhen auf Zahlen, die nicht an einer amtlichen Tabelle geprüft werden konnten.")


def rates_note() -> str:
    """The closing source line of the rates: what is official and what is not, from the rate tables."""
    periods = ", ".join(p.replace("/20", "/") for p in projection.life_tables())
    counts = demand.rates()["verification"].map(common.VERIFICATION_LABELS).value_counts()
    use = ", ".join(f"{n} {label}" for label, n in counts.items())
    return (f"Sterbetafeln: Destatis 12621-0001 ({periods}); Geburtenziffern: Destatis 12612-0008, 12612-0009, "
            "12612-0001 (GENESIS-Exporte, aus öffentlichen Repositorien übernommen), Länderwerte: Statistischer "
            f"Bericht Geburten 2023; Nutzungsraten: {use} (siehe Tabelle). Datenlizenz Deutschland – Namensnennung 2.0.")


def demand_sources() -> pd.DataFrame:
    rates = demand.rates()
    return pd.DataFrame({"Bedarf": rates["label"], "Regel": rates["rule"], "Quelle": rates["source"],
                         "Datenlage": rates["verification"].map(common.VERIFICATION_LABELS)})

