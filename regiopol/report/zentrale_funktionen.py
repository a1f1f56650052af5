"""Module 1 – Zentrale Funktionen: what each Regiopole provides for its region, measured
against its peers.

The report layer over :mod:`regiopol.methods.profile` (indicator profiles), :mod:`regiopol.methods.centrality`
(Bedeutungsüberschuss, Arbeitsplatzzentralität), :mod:`regiopol.methods.catchment` (Huff, 2SFCA) and
the Oberzentrum checklist below: German tables and figures for the notebook
``notebooks/01_zentrale_funktionen.ipynb``. Assumptions live in ``data/zentrale_funktionen.toml``.

>>> from regiopol.report import zentrale_funktionen
>>> profile = zentrale_funktionen.profile_table("trier", "gesundheit")
>>> huff = zentrale_funktionen.huff_table("trier", "beds")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from regiopol import data, regions
from regiopol.core import fmt
from regiopol.core.constants import METRIC_CRS
from regiopol.methods import catchment, centrality, indicators, profile
from regiopol.methods.checklist import check, settings
from regiopol.report import common, style

if TYPE_CHECKING:  # IPython and the Styler are needed only where a notebook shows the result
    from IPython.display import Markdown

__all__ = ["MEASURES", "MEASURE_TABLES", "MEASURE_NOTES", "DIRECTION_MARK", "PEER_LABELS", "MISSING_DATA",
           "core_label", "intro", "coverage", "coverage_text", "areas", "areas_with_data", "area_heading",
           "profile_table", "profile_values", "plot_profile", "plot_trend", "peer_table", "show_area",
           "surplus_table", "plot_surplus", "job_centrality_table", "plot_job_centrality",
           "core_shares_table", "TABLES_CENTRALITY", "centrality_note", "huff_table", "catchment_figures",
           "SUMMARY_LABELS", "catchment_summary", "huff_sensitivity_table", "plot_huff_map", "fca_values",
           "fca_table", "plot_fca_map", "TABLES_CATCHMENT", "catchment_note", "CHECK_NOT_TESTED",
           "checklist", "checklist_comparison", "show_lead", "lead_intro", "lead_catchment_text",
           "TABLES_ALL", "sources", "assumptions"]

MEASURES = {"beds": "Krankenhausbetten", "doctors": "Ärzte (ambulant)", "students": "Studierende",
            "jobs": "Arbeitsplätze"}
MEASURE_TABLES = {"beds": ("hospitals",), "doctors": ("inkar",), "students": ("universities",),
                  "jobs": ("employment",)}
MEASURE_NOTES = {
    "beds": "Betten aller Krankenhausstandorte 2019 (G-BA-Qualitätsberichte)",
    "doctors": "niedergelassene Ärzte 2020, aus INKAR q_ärzte_bev × Einwohner zurückgerechnet",
    "students": "Studierende 2023 am Hochschulsitz (Hochschulkompass, ohne Fernhochschulen)",
    "jobs": "sozialversicherungspflichtig Beschäftigte am Arbeitsort 30.06.2020",
}
DIRECTION_MARK = {"higher": "↑", "lower": "↓", "neutral": "–"}
PEER_LABELS = {"regiopolen": "unter den {n} {short}", "cities": "unter kreisfreien Städten 100–350 Tsd.",
               "kreise": "unter allen 400 Kreisen"}
MISSING_DATA = {
    "energie": "INKAR q_ladepunkte (Ladepunkte), a_elektro (Elektro-Pkw); Energieatlas/Marktstammdatenregister "
               "(Erneuerbare-Energien-Anlagen)",
    "digitalisierung": "INKAR a_bb_100Mbits, a_bb_1000Mbits (Breitbandverfügbarkeit; Breitbandatlas)",
    "mobilitaet": "INKAR „Verkehr und Erreichbarkeit“ (z. B. i_fz_bh Pkw-Fahrzeit zum nächsten IC/ICE-Bahnhof, "
                  "Pkw-Fahrzeit zum nächsten Oberzentrum), BA-Pendlerstatistik",
}


def _peer_words() -> dict[str, str]:
    """The peer group for running text: {"n": "acht", "short": "Regiopolen", "name": …}."""
    peers = regions.registry().peers
    return {"n": fmt.count_word(len(peers)), "short": peers.short, "name": peers.name}


def core_label(region) -> str:
    """What the reports call the core: the city, or "Kreis X" where the Regiopole lies in a Landkreis."""
    r = regions.as_region(region)
    return r.name if r.core_gemeinde is None else f"Kreis {common.kreis_labels()[r.core_kreis]}"


# --------------------------------------------------------------------------- introduction, coverage

def intro(region) -> Markdown:
    r = regions.as_region(region)
    core = core_label(r)
    lines = [
        f"# Zentrale Funktionen: {r.name}",
        "",
        f"Welche oberzentralen Funktionen erfüllt {r.name} für die Region, für wen und wie steht die Stadt im "
        "Vergleich da? Dieser Bericht misst das mit amtlichen Daten in fünf Schritten: **Indikatorprofil** je "
        "Infrastrukturbereich gegen drei Vergleichsgruppen (Werte und Perzentilränge), **Zentralität** "
        "(Bedeutungsüberschuss nach Christaller, Arbeitsplatzzentralität, Anteile des Kerns an der Region), "
        "**Einzugsbereiche** (Huff-Modell, Two-Step-Floating-Catchment-Verfahren), die **Oberzentrum-Checkliste** "
        f"im Vergleich der {_peer_words()['n']} {_peer_words()['short']} und ein vertiefter Abschnitt zum **Leitthema**.",
    ]
    if r.core_gemeinde is not None:
        lines += ["", f"**Hinweis:** {r.name} ist eine kreisangehörige Stadt. Die amtlichen Kreisdaten beziehen sich "
                  f"daher auf den {core} als Ganzes („Kernkreis“); Einrichtungen (Krankenhäuser, Hochschulen, "
                  "Bahnhöfe) sind mit ihrem Standort angegeben."]
    return common.markdown("\n".join(lines))


def coverage() -> pd.DataFrame:
    """Per infrastructure area: how many indicators, from which sources, which years."""
    listed = indicators.load()
    values = indicators.values()
    labels = regions.registry().areas
    rows = []
    for area in areas():
        chosen = listed[listed["area"] == area]
        years = values.loc[values["indicator"].isin(chosen["code"]), "year"]
        sources = {"inkar": "INKAR 2024", "regionalstatistik": "Regionalstatistik",
                   "db_stationsdaten": "DB-Stationsdaten 2016"}
        rows.append({"Bereich": labels[area], "Indikatoren": len(chosen),
                     "Quellen": ", ".join(dict.fromkeys(sources[s] for s in chosen["source"])) or "–",
                     "Jahre": f"{years.min()}–{years.max()}" if len(years) else "–",
                     "Fehlende amtliche Daten": MISSING_DATA.get(area, "")})
    return pd.DataFrame(rows)


def coverage_text() -> Markdown:
    listed = indicators.load()
    empty = [area_heading(a) for a in areas() if not (listed["area"] == a).any()]
    text = "Jeder Indikator nennt Quelle, Einheit und Richtung (ob ein höherer oder niedrigerer Wert günstiger ist)."
    if empty:
        text += (f" **Für {' und '.join(empty)} enthalten die hier eingebundenen amtlichen Daten keine "
                 "Kreisindikatoren** – diese Bereiche können deshalb nicht gemessen werden; die Tabelle nennt die "
                 "amtlichen Quellen, die die Lücke schließen würden.")
    text += (" Für Mobilität leitet die Suite Kennzahlen aus der DB-Stationsliste 2016 ab; Fahrzeiten und "
             "Pendlerströme fehlen.")
    return common.markdown(text)


# --------------------------------------------------------------------------- indicator profile

def areas() -> list[str]:
    """The infrastructure areas of ``data/regions.toml`` in the file's order (the report's order)."""
    return [a for a in regions.registry().areas if a != regions.UNKNOWN_AREA]


def areas_with_data() -> list[str]:
    listed = indicators.load()
    return [a for a in areas() if (listed["area"] == a).any()]


def _area_codes(area: str, key_only: bool = False) -> list[str]:
    listed = indicators.load()
    chosen = listed[(listed["area"] == area) & (listed["key"] | (not key_only))]
    return list(chosen["code"])


def area_heading(area: str) -> str:
    return regions.registry().areas[area]


def profile_table(region, area: str) -> pd.DataFrame:
    """Values of every indicator of ``area``: core, surrounding Kreise, region, Germany, peer
    medians, the core's percentile ranks by favourability (100 = most favourable) and the
    region's rank in the peer group (1 = most favourable); the direction as an arrow."""
    r = regions.as_region(region)
    peers = regions.registry().peers
    table = profile.profile(r, _area_codes(area))
    core = core_label(r)
    out = pd.DataFrame({
        "Indikator": table["label"], "Einheit": table["unit"], "Jahr": table["year"].astype(str),
        core: table["core"], "Umland": table["surrounding"], f"Region {r.name}": table["region"],
        "Deutschland": table["germany"], f"Median {peers.short}": table["median_regiopolen"],
        "Median Städte 100–350 Tsd.": table["median_cities"],
        f"Perzentilrang unter {peers.short} (100 = günstigster)": table["favour_regiopolen"],
        "Perzentilrang unter Städten (100 = günstigster)": table["favour_cities"],
        "Perzentilrang unter allen Kreisen (100 = günstigster)": table["favour_kreise"],
        f"Rang der Region (von {int(table['region_group'].iloc[0])}, 1 = günstigster Wert)":
            table["region_rank"].astype("Int64"),
        "Richtung": table["direction"].map(DIRECTION_MARK),
    })
    return out


def profile_values(table: pd.DataFrame) -> pd.DataFrame:
    """The value columns of :func:`profile_table` (what the report shows; the CSV has all)."""
    return table.drop(columns=[c for c in table.columns if c.startswith("Perzentilrang")])


def plot_profile(region, area: str) -> Figure:
    """Dot chart of the core's percentile ranks by favourability per indicator in the three peer
    groups (indicators without a direction are left out: they have no favourable end)."""
    r = regions.as_region(region)
    table = profile.profile(r, _area_codes(area))
    table = table[table["direction"] != "neutral"].iloc[::-1].reset_index(drop=True)
    marks = {"lower": " (↓ niedriger = günstiger)", "higher": " (↑)"}
    labels = [label + marks[d] for label, d in zip(table["label"], table["direction"])]
    height = 1.9 + 0.34 * len(table)
    fig = style.figure((8.0, height))
    ax = fig.subplots()
    y = np.arange(len(table))
    for group, marker, colour in (("regiopolen", "o", style.CORE), ("cities", "s", style.ACCENT),
                                  ("kreise", "D", style.GERMANY)):
        ax.scatter(table[f"favour_{group}"], y, marker=marker, s=28, color=colour, zorder=3,
                   label=f"{core_label(r)} {PEER_LABELS[group].format(**_peer_words())}")
    ax.axvline(50, color="#999999", lw=0.8, ls="--")
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.set_xlabel("Perzentilrang nach Günstigkeit (0 = ungünstigster, 100 = günstigster Wert der Gruppe)")
    style.german_axis(ax, "x", 0)
    ax.set_title(f"{area_heading(area)}: {core_label(r)} im Vergleich")
    handles, legend_labels = ax.get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="lower center", ncol=1, bbox_to_anchor=(0.5, 0.0))
    style.source_note(fig, [
        common.short_citation(indicators.tables(table["indicator"])),
        "Hinweis: Perzentilrang = Anteil der Gruppe mit ungünstigerem Wert plus halber Anteil mit gleichem Wert; "
        "↑ höher = günstiger (mehr Angebot), ↓ niedriger = günstiger; Indikatoren ohne Wertung nicht gezeigt; "
        "jüngstes Jahr mit Werten für mindestens 90 % der Kreise.",
    ])
    fig.tight_layout(rect=(0, 0.75 / height, 1, 1))
    return fig


def plot_trend(region, area: str, codes=None) -> Figure:
    """Small multiples of the key indicators of ``area`` (or ``codes``) over time: core,
    surrounding Kreise, region, Germany and the median of the eight Regiopolen."""
    r = regions.as_region(region)
    codes = list(codes) if codes is not None else _area_codes(area, key_only=True)
    listed = indicators.load().set_index("code")
    table = profile.trend(r, codes)
    codes = [c for c in codes if table.loc[table["indicator"] == c, "year"].nunique() > 1] or codes
    columns = min(2, len(codes))
    rows = int(np.ceil(len(codes) / columns))
    fig = style.figure((8.0, 0.6 + 2.9 * rows))
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    lines = (("core", core_label(r), style.CORE, "-", 2.0), ("surrounding", "Umland", style.REGION, "-", 1.4),
             ("region", f"Region {r.name}", "#111111", "-", 1.2), ("germany", "Deutschland", style.GERMANY, "--", 1.2),
             ("median_regiopolen", "Median der {n} {short}".format(**_peer_words()), style.ACCENT, ":", 1.4))
    for ax, code in zip(axes, codes):
        block = table[table["indicator"] == code]
        for column, label, colour, dash, width in lines:
            ax.plot(block["year"], block[column], ls=dash, lw=width, color=colour, label=label,
                    marker="o" if len(block) == 1 else None)
        ax.set_title(f"{listed.loc[code, 'label']}\n({listed.loc[code, 'unit']})", fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}"))
        style.german_axis(ax, "y", 1 if block[["core", "germany"]].abs().max().max() < 100 else 0)
    for ax in axes[len(codes):]:
        ax.set_axis_off()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, bbox_to_anchor=(0.5, 0.02))
    style.source_note(fig, common.short_citation(indicators.tables(codes)))
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def peer_table(area: str, region=None) -> pd.DataFrame:
    """The area's indicators for the core Kreise of the peer group (and ``region`` where it is
    not a member), latest year."""
    group = regions.registry().peer_regions(regions.as_region(region) if region is not None else None)
    first = profile.profile(group[0], _area_codes(area))
    out = first[["label", "unit"]].rename(columns={"label": "Indikator", "unit": "Einheit"})
    out["Jahr"] = first["year"].astype(str)
    for r in group:
        out[r.name] = profile.profile(r, _area_codes(area))["core"].to_numpy()
    out["Deutschland"] = first["germany"].to_numpy()
    return out


def show_area(region, area: str, *, deep: bool = False) -> None:
    """Display (and save) the profile of one area: the values, the percentile-rank chart,
    the trends and the sources – or, where no official data are embedded, say so.
    ``deep`` (lead area): trends of all indicators and the peer group side by side."""
    from IPython.display import display as show_now

    r = regions.as_region(region)
    codes = _area_codes(area)
    if not codes:
        if deep:  # lead_intro has said it
            return
        show_now(common.markdown(
            f"**Für {area_heading(area)} liegen in den eingebundenen amtlichen Daten keine Kreisindikatoren vor; "
            "der Bereich wird in diesem Bericht deshalb nicht gemessen.** Schließen würden die Lücke: "
            f"{MISSING_DATA.get(area, '–')}."))
        return
    stem = f"01_{'leitthema' if deep else 'profil'}_{area}"
    table = common.save(profile_table(r, area), r, stem)
    show_now(common.show(profile_values(table)))
    if not deep:  # the lead area's percentile ranks are in its profile section above
        show_now(common.save(plot_profile(r, area), r, stem))
    trend_codes = [c for c in codes if profile.trend(r, [c])["year"].nunique() > 1]
    if not deep:
        trend_codes = [c for c in trend_codes if c in _area_codes(area, key_only=True)]
    if trend_codes:
        show_now(common.save(plot_trend(r, area, trend_codes[:8]), r, f"{stem}_trend"))
    elif deep:
        show_now(common.markdown("Für die Indikatoren dieses Bereichs liegt nur ein Jahr vor; ein Zeitverlauf "
                                  "lässt sich nicht zeigen."))
    if deep:
        show_now(common.markdown("Die Indikatoren des Bereichs für die {n} {short} (Kernkreis, jüngstes Jahr):".format(
            **_peer_words())))
        show_now(common.show(common.save(peer_table(area, r), r, f"{stem}_regiopolen")))
    show_now(common.source_line(indicators.sources(codes)))


# --------------------------------------------------------------------------- centrality

def _role(role: str) -> str:
    return common.ROLE_LABELS.get(role, role)


def _whole(values) -> pd.Series:
    """Counts shown as whole numbers (reconstructed doctor counts are fractional)."""
    return pd.Series(np.asarray(values, dtype="float64")).round().astype("Int64")


def surplus_table(region) -> pd.DataFrame:
    """Bedeutungsüberschuss per measure for the region's Kreise and the region (German)."""
    r = regions.as_region(region)
    table = centrality.surplus_table(r)
    per_1000 = table["national_rate"] * 1000
    return pd.DataFrame({
        "Merkmal": table["measure"].map(MEASURES),
        "Gebiet": [common.area_label(a, n) for a, n in zip(table["ags"], table["name"])],
        common.COL_ROLE: table["role"].map(_role),
        "Angebot": _whole(table["supply"]), "Einwohner": _whole(table["population"]),
        "Bund je 1.000 EW": per_1000.to_numpy(),
        "Überschuss": _whole(table["surplus"]),
        "Zusätzlich versorgte EW": _whole(table["served_beyond_own"]),
        "Standortquotient": table["surplus_ratio"].to_numpy(),
    })


def plot_surplus(region) -> Figure:
    """Bars: inhabitants served beyond their own population, per measure and Kreis."""
    r = regions.as_region(region)
    table = centrality.surplus_table(r)
    table = table[table["role"] != "region"]
    names = [common.area_label(a, n) for a, n in dict.fromkeys(zip(table["ags"], table["name"]))]
    fig = style.figure((8.0, 4.2))
    ax = fig.subplots()
    width = 0.8 / len(names)
    for i, (ags, block) in enumerate(table.groupby("ags", sort=False)):
        colour = style.CORE if ags == r.core_kreis else style.CYCLE[(i + 1) % len(style.CYCLE)]
        ax.barh(np.arange(len(MEASURES)) + i * width, block.set_index("measure").loc[list(MEASURES),
                "served_beyond_own"] / 1000, height=width, color=colour, label=names[i])
    ax.axvline(0, color="#555555", lw=0.8)
    ax.set_yticks(np.arange(len(MEASURES)) + 0.4 - width / 2)
    ax.set_yticklabels(list(MEASURES.values()))
    ax.invert_yaxis()
    ax.set_xlabel("Zusätzlich versorgte Einwohner (Tsd.; negativ: Versorgung durch andere Kreise)")
    style.german_axis(ax, "x", 0)
    ax.set_title(f"Bedeutungsüberschuss: Region {r.name}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    style.source_note(fig, [
        common.short_citation(("hospitals", "inkar", "universities", "employment", "population_series")),
        "Hinweis: (Angebot − Einwohner × Bundesdurchschnitt) ÷ Bundesdurchschnitt; "
        + "; ".join(f"{MEASURES[m]}: {MEASURE_NOTES[m]}" for m in MEASURES) + ".",
    ])
    fig.tight_layout()
    return fig


def job_centrality_table(region) -> pd.DataFrame:
    r = regions.as_region(region)
    table = centrality.job_centrality(r)
    wide = table.pivot_table(index=["ags", "name", "role"], columns="year", values="index", sort=False)
    last = table[table["year"] == table["year"].max()].set_index(["ags", "name", "role"])
    out = pd.DataFrame({
        "Gebiet": [n if n != "Germany" else "Deutschland" for _a, n, _r in wide.index],
        common.COL_ROLE: [_role(role) for _a, _n, role in wide.index],
        f"Beschäftigte am Arbeitsort {table['year'].max()}": _whole(last["jobs"]),
        f"Einwohner {table['year'].max()}": _whole(last["population"]),
        "Beschäftigte je 1.000 EW": last["jobs_per_1000"].to_numpy(),
    })
    for year in wide.columns:
        out[f"Index {year}"] = wide[year].to_numpy()
    return out


def plot_job_centrality(region) -> Figure:
    r = regions.as_region(region)
    table = centrality.job_centrality(r)
    fig = style.figure((8.0, 4.0))
    ax = fig.subplots()
    for i, (_ags, block) in enumerate(table.groupby("ags", sort=False)):
        role = block["role"].iloc[0]
        name = "Deutschland" if role == "germany" else common.area_label(block["ags"].iloc[0], block["name"].iloc[0])
        colour, width, dash = {"core": (style.CORE, 2.2, "-"), "region": ("#111111", 1.6, "-"),
                               "germany": (style.GERMANY, 1.2, "--")}.get(
            role, (style.CYCLE[(i + 1) % len(style.CYCLE)], 1.0, "-"))
        ax.plot(block["year"], block["index"], color=colour, lw=width, ls=dash, label=name)
    ax.set_ylabel("Index (Deutschland = 1)")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}"))
    style.german_axis(ax, "y", 2)
    ax.set_title(f"Arbeitsplatzzentralität: Beschäftigte am Arbeitsort je Einwohner, Region {r.name}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    style.source_note(fig, [common.short_citation(("employment", "population_series")),
                            "Hinweis: Index über 1 deutet auf Einpendlerüberschuss; Pendlerstatistik der BA "
                            "nicht eingebunden."])
    fig.tight_layout()
    return fig


def core_shares_table(region) -> pd.DataFrame:
    r = regions.as_region(region)
    table = centrality.core_shares(r)
    return pd.DataFrame({
        "Merkmal": table["measure"].map(MEASURES), core_label(r): _whole(table["core_value"]),
        f"Region {r.name}": _whole(table["region_value"]), "Anteil des Kerns (%)": 100 * table["core_share"],
        "Bevölkerungsanteil des Kerns (%)": 100 * table["population_share"],
        "Verhältnis": table["ratio"],
    })


TABLES_CENTRALITY = ("hospitals", "inkar", "universities", "employment", "population_series")


def centrality_note(region) -> str:
    """Which figures the centrality measures rest on, and which Hochschulen of the region
    lack a student number (counted as 0)."""
    r = regions.as_region(region)
    universities = data.load("universities")
    unknown = universities[universities["ags"].isin(r.kreise) & universities["students"].isna()]
    note = ("Angebot: " + "; ".join(f"{MEASURES[m]}: {MEASURE_NOTES[m]}" for m in MEASURES)
            + ". Bundesdurchschnitt = Summe über alle 400 Kreise.")
    if len(unknown):
        note += (" <b>Ohne Studierendenzahl im Hochschulkompass (als 0 gezählt, Studierende daher zu niedrig):</b> "
                 + ", ".join(unknown["name"]) + ".")
    return note


# --------------------------------------------------------------------------- catchment: Huff

def huff_table(region, measure: str) -> pd.DataFrame:
    """Kreise whose residents use the core with probability ≥ ``min_probability``."""
    r = regions.as_region(region)
    p = catchment.core_probabilities(r, measure)
    population = catchment.kreis_population()
    names = common.kreis_names()
    chosen = p[(p >= settings()["huff"]["min_probability"]) | p.index.isin(r.kreise)].sort_values(ascending=False)
    table = pd.DataFrame({
        "AGS": chosen.index, "Kreis": names[chosen.index].to_numpy(),
        "In der Region": ["ja" if a in r.kreise else "nein" for a in chosen.index],
        "Einwohner 2020": _whole(population[chosen.index]),
        "Wahrscheinlichkeit (%)": 100 * chosen.to_numpy(),
        "Versorgte Einwohner": _whole(chosen * population[chosen.index]),
    })
    served = catchment.population_served(catchment.huff_model(measure), population, r.core_kreis)
    total = pd.DataFrame({"AGS": [""], "Kreis": ["Alle 400 Kreise zusammen"], "In der Region": [""],
                          "Einwohner 2020": _whole([np.nan]), "Wahrscheinlichkeit (%)": [np.nan],
                          "Versorgte Einwohner": _whole([served])})
    return pd.concat([table, total], ignore_index=True)


def catchment_figures(region) -> pd.DataFrame:
    """:func:`regiopol.methods.catchment.served_by_core` per Huff measure (index measure)."""
    r = regions.as_region(region)
    return pd.DataFrame({m: catchment.served_by_core(catchment.core_probabilities(r, m), catchment.kreis_population(), r)
                         for m in catchment.HUFF_MEASURES}).T.rename_axis("measure")


SUMMARY_LABELS = {"served": "Versorgte Einwohner", "core_kreis": "davon im Kernkreis",
                  "surrounding": "davon im Umland der Region", "outside": "davon außerhalb der Region",
                  "own_population": "Einwohner des Kernkreises", "ratio": "Verhältnis zur eigenen Bevölkerung"}


def catchment_summary(region) -> pd.DataFrame:
    """Per Huff measure: population served, of it outside the core Kreis and inside the
    region, and the ratio to the core's own population."""
    figures = catchment_figures(region)
    table = figures.rename(columns=SUMMARY_LABELS).reset_index(drop=True)
    table.insert(0, "Merkmal", [MEASURES[m] for m in figures.index])
    counts = [SUMMARY_LABELS[k] for k in SUMMARY_LABELS if k != "ratio"]
    table[counts] = table[counts].apply(_whole)
    return table


def huff_sensitivity_table(region, measure: str) -> pd.DataFrame:
    """Population served (Tsd.) for each α (rows) and β (columns)."""
    r = regions.as_region(region)
    s = settings()["huff"]
    table = catchment.huff_sensitivity(catchment.attractiveness(measure), catchment.kreis_distances(),
                                       catchment.kreis_population(),
                                       r.core_kreis, alphas=tuple(s["alphas"]), betas=tuple(s["betas"]))
    wide = table.pivot(index="alpha", columns="beta", values="population_served") / 1000
    wide.columns = [f"Tsd. Einwohner bei β = {fmt.number(b, 1)}" for b in wide.columns]
    wide.insert(0, "α", wide.index.astype("float64"))
    return wide.reset_index(drop=True)


def _map_frame(region, values: pd.Series):
    geo = data.load("kreis_geometries").to_crs(METRIC_CRS)
    geo["value"] = geo["ags"].map(values)
    return geo


def plot_huff_map(region, measure: str) -> Figure:
    """Map: probability of each Kreis' residents to use the core Kreis (Huff model)."""
    r = regions.as_region(region)
    p = catchment.core_probabilities(r, measure)
    geo = _map_frame(r, p)
    fig = style.figure((8.0, 6.4))
    ax = fig.subplots()
    near = geo[geo["value"] >= 0.01]
    minx, miny, maxx, maxy = near.total_bounds
    pad = 0.08 * max(maxx - minx, maxy - miny)
    geo.plot(ax=ax, column="value", cmap="Blues", vmin=0, vmax=1, edgecolor="#b0b0b0", linewidth=0.3,
             legend=True, legend_kwds={"label": "Wahrscheinlichkeit, die Regiopole zu nutzen",
                                       "shrink": 0.6, "format": style.german_formatter(1)})
    geo[geo["ags"].isin(r.kreise)].dissolve().boundary.plot(ax=ax, color=style.ACCENT, linewidth=1.4)
    for _, k in geo[(geo["value"] >= 0.1)].iterrows():
        spot = k.geometry.representative_point()
        ax.annotate(fmt.number(100 * k["value"], 0) + " %", (spot.x, spot.y), ha="center", va="center",
                    fontsize=6.5, color="white" if k["value"] > 0.5 else "#1a1a1a")
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_axis_off()
    alpha, beta = catchment.huff_defaults()
    ax.set_title(f"Einzugsbereich {core_label(r)}: {MEASURES[measure]} (Huff-Modell, α = {fmt.number(alpha, 1)}, "
                 f"β = {fmt.number(beta, 1)})")
    style.source_note(fig, [
        common.short_citation(MEASURE_TABLES[measure] + ("gemeinden", "kreis_geometries")),
        f"Hinweis: Luftlinie zwischen einwohnergewichteten Kreismittelpunkten; rote Linie: Region {r.name}; "
        f"{MEASURE_NOTES[measure]}.",
    ])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- catchment: 2SFCA

def fca_values(region) -> pd.DataFrame:
    """:func:`regiopol.methods.catchment.bed_accessibility_by_role` for the thresholds of the settings."""
    return catchment.bed_accessibility_by_role(region, settings()["two_step_fca"]["thresholds_km"])


def fca_table(region) -> pd.DataFrame:
    """:func:`fca_values` with German columns."""
    r = regions.as_region(region)
    values = fca_values(r)
    names = common.kreis_names()
    places = {regions.ROLE_REGION: f"Region {r.name}", regions.ROLE_GERMANY: "Deutschland"}
    out = pd.DataFrame({"AGS": values["ags"],
                        "Gebiet": [places.get(role, names.get(a)) for a, role in zip(values["ags"], values["role"])],
                        common.COL_ROLE: values["role"].map(_role)})
    for threshold in settings()["two_step_fca"]["thresholds_km"]:
        out[f"Betten je 1.000 EW ≤ {threshold} km"] = values[threshold]
    return out


def plot_fca_map(region) -> Figure:
    """Map: beds per 1,000 inhabitants within the threshold for each Gemeinde of the region."""
    r = regions.as_region(region)
    threshold = float(settings()["two_step_fca"]["threshold_km"])
    frame = catchment.bed_accessibility(threshold)
    import geopandas

    points = frame[frame["ags"].isin(r.kreise)]
    points = geopandas.GeoDataFrame(points, geometry=geopandas.points_from_xy(points["lon"], points["lat"]),
                                    crs="EPSG:4326").to_crs(METRIC_CRS)
    geo = data.load("kreis_geometries").to_crs(METRIC_CRS)
    region_geo = geo[geo["ags"].isin(r.kreise)]
    fig = style.figure((8.0, 6.4))
    ax = fig.subplots()
    geo.plot(ax=ax, color=style.CONTEXT, edgecolor="white", linewidth=0.4)
    region_geo.plot(ax=ax, color="#f4f4f4", edgecolor=style.GERMANY, linewidth=0.6)
    sites = catchment.hospital_sites()
    sites = geopandas.GeoDataFrame(sites, geometry=geopandas.points_from_xy(sites["lon"], sites["lat"]),
                                   crs="EPSG:4326").to_crs(METRIC_CRS)
    sizes = 6 + 60 * np.sqrt(points["population"] / points["population"].max())
    points.plot(ax=ax, column=1000 * points["accessibility"], cmap="viridis", markersize=sizes, legend=True,
                legend_kwds={"label": f"Betten je 1.000 EW in ≤ {fmt.number(threshold)} km Luftlinie", "shrink": 0.6,
                             "format": style.german_formatter(1)}, zorder=3)
    sites.plot(ax=ax, marker="+", color=style.ACCENT, markersize=30, zorder=4, label="Krankenhausstandort")
    minx, miny, maxx, maxy = region_geo.total_bounds
    pad = 0.1 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_axis_off()
    ax.legend(loc="lower left")
    ax.set_title(f"Erreichbare Krankenhausbetten je Gemeinde (2SFCA, {fmt.number(threshold)} km): Region {r.name}")
    style.source_note(fig, [
        common.short_citation(("hospitals", "gemeinden", "kreis_geometries")),
        "Hinweis: Punktgröße nach Einwohnerzahl; Luftlinie als Näherung an Fahrzeiten; Betten aller Standorte "
        "2019 (G-BA-Qualitätsberichte), auch jenseits der Kreis- und Landesgrenzen.",
    ])
    fig.tight_layout()
    return fig


TABLES_CATCHMENT = ("hospitals", "universities", "gemeinden", "kreise", "kreis_geometries")


def catchment_note() -> str:
    s = settings()
    return (f"Huff-Modell mit α = {fmt.number(s['huff']['alpha'], 1)}, β = {fmt.number(s['huff']['beta'], 1)}; "
            "Entfernung innerhalb eines Kreises: ⅔ · √(Fläche/π). Grenze des Modells: Landkreise, die eine kreisfreie "
            "Stadt umschließen, haben ihren Mittelpunkt oft nahe der Stadt und werden ihr deshalb stark zugeordnet. "
            f"2SFCA mit {fmt.number(s['two_step_fca']['threshold_km'])} km Luftlinie. Quellen der Annahmen: siehe "
            "„Annahmen und Quellen“.")


# --------------------------------------------------------------------------- Oberzentrum checklist

CHECK_NOT_TESTED = "nicht geprüft"


def checklist(region) -> pd.DataFrame:
    """The classic Oberzentrum catalogue for the core: Kriterium, Erfüllt, Beleg, Quelle."""
    r = regions.as_region(region)
    c = check(r, catchment_figures(r).loc["beds", "served"])
    s = c.thresholds
    met = c.frame().set_index("criterion")["met"]

    def students(u):
        return f"{fmt.number(u['students'])} Studierende" if pd.notna(u["students"]) else \
            "Studierendenzahl nicht angegeben"

    def listing(rows, fields, most: int = 4):
        shown = "; ".join(", ".join(fields(row)) for _, row in rows.head(most).iterrows())
        return shown + (f" und {len(rows) - most} weitere" if len(rows) > most else "")

    evidence = {
        "oberzentrum": f"{c.place['name'].iloc[0]}: {c.place['level'].iloc[0]}" if len(c.place) else "nicht eingestuft",
        "university": listing(c.universities, lambda u: [u["name"], students(u)]) or "keine",
        "other_hochschule": listing(c.others, lambda u: [u["name"], students(u)]) or "keine",
        "schwerpunkt_hospital": listing(c.hospitals, lambda h: [h["name"], f"{fmt.number(h['beds'])} Betten"]
                                        + (["Universitätsklinikum"] if h["university_clinic"] else [])) or "keines",
        "long_distance_station": listing(c.stations, lambda st: [st["name"], f"Kategorie {st['category']}"]) or "keiner",
        "catchment": f"{fmt.number(c.served)} versorgte Einwohner",
        "culture": "keine amtlichen Standortdaten eingebunden",
    }
    criteria = _criteria(s, c.hospital_year)
    return pd.DataFrame([(label, _verdict(met[key]), evidence[key], source) for key, (label, source) in criteria.items()],
                        columns=["Kriterium", "Erfüllt", "Beleg", "Quelle"])


def checklist_comparison(region=None) -> pd.DataFrame:
    """The checklist of the peer group (and ``region`` where it is not a member) side by side
    (Kriterium × Regiopole)."""
    out = pd.DataFrame({"Kriterium": [label for label, _ in _criteria(settings()["oberzentrum"]).values()]})
    for r in regions.registry().peer_regions(regions.as_region(region) if region is not None else None):
        met = check(r, catchment_figures(r).loc["beds", "served"]).frame()["met"]
        out[r.name] = [_verdict(m) for m in met]
    return out


def _verdict(met) -> str:
    return CHECK_NOT_TESTED if pd.isna(met) else ("ja" if met else "nein")


def _criteria(s: dict, hospital_year: int | None = None) -> dict[str, tuple[str, str]]:
    """(label, source) of each checklist criterion, in the order of the methods' frame."""
    year = f" {hospital_year}" if hospital_year else ""
    return {
        "oberzentrum": ("Oberzentrum laut Landesplanung", "BBSR, INKAR 2024 (zentralörtliche Einstufung der Länder)"),
        "university": ("Universität", "Hochschulkompass (HRK), Stand 2023"),
        "other_hochschule": ("Weitere Hochschule (HAW, Kunst-, Verwaltungshochschule)", "Hochschulkompass (HRK), Stand 2023"),
        "schwerpunkt_hospital": (f"Schwerpunktkrankenhaus (Universitätsklinikum oder ≥ {fmt.number(s['schwerpunkt_beds'])} "
                                 "Betten)", f"G-BA, strukturierte Qualitätsberichte{year}; Schwelle: Annahme"),
        "long_distance_station": ("Fernverkehrsbahnhof", "DB Station&Service, Stationsdaten 2016"),
        "catchment": (f"Einzugsbereich ≥ {fmt.number(s['catchment_population'])} Einwohner (Huff-Modell, Krankenhausbetten)",
                      "eigene Berechnung (Huff-Modell)"),
        "culture": ("Theater, wissenschaftliche Bibliothek, Stadion, spezialisierter Einzelhandel", "–"),
    }


# --------------------------------------------------------------------------- lead area

def show_lead(region) -> None:
    """The lead area in depth (:func:`show_area` with ``deep=True``)."""
    show_area(region, profile.lead_area(region)[0], deep=True)


def lead_intro(region) -> Markdown:
    r = regions.as_region(region)
    area, published = profile.lead_area(r)
    heading = area_heading(area)
    if published:
        text = (f"Das Leitthema der Region {r.name} im Modellvorhaben ist **{heading}** "
                f"({regions.LEAD_AREA_STATUS.get(r.lead_area_status, r.lead_area_status)}).")
    else:
        scores = profile.area_scores(r)
        ranked = "; ".join(f"{area_heading(a)} {fmt.number(s['score'])} ({int(s['indicators'])} Indikatoren)"
                           for a, s in scores.head(3).iterrows())
        text = (f"Für {r.name} ist kein Leitthema veröffentlicht. Dieser Abschnitt vertieft deshalb den Bereich, in "
                f"dem {core_label(r)} unter den {_peer_words()['n']} {_peer_words()['short']} am günstigsten "
                f"abschneidet: **{heading}** (vom Bericht abgeleitet, nicht beschlossen). Maß ist der mittlere "
                f"Perzentilrang nach Günstigkeit der bewerteten Indikatoren (100 = günstigster Wert der Gruppe): "
                f"{ranked}.")
    if not _area_codes(area):
        text += (f" **Für {heading} enthalten die eingebundenen amtlichen Daten keine Kreisindikatoren.** Das Thema "
                 f"lässt sich hier nicht messen; schließen würden die Lücke: {MISSING_DATA.get(area, '–')}. "
                 "Gezeigt wird, was die übrigen Bereiche für das Leitthema bedeuten.")
    return common.markdown(text)


def lead_catchment_text(region) -> Markdown:
    """What the catchment means for the lead area, with the region's own numbers."""
    r = regions.as_region(region)
    area, _published = profile.lead_area(r)
    figures = catchment_figures(r)
    beds, students = figures.loc["beds"], figures.loc["students"]
    core = core_label(r)
    if area == "gesundheit":
        fca = fca_values(r).set_index("role")
        column = settings()["two_step_fca"]["threshold_km"]
        text = (f"Nach dem Huff-Modell versorgen die Krankenhäuser in {core} rechnerisch "
                f"**{fmt.number(beds['served'])} Einwohner**, davon "
                f"{fmt.number(beds['outside'])} außerhalb der Region – das "
                f"{fmt.number(beds['ratio'], 1)}-fache der eigenen Bevölkerung. "
                f"Innerhalb der Region erreichen die Einwohner im Mittel {fmt.number(fca.loc[regions.ROLE_REGION, column], 1)} "
                f"Betten je 1.000 Einwohner (Deutschland: {fmt.number(fca.loc[regions.ROLE_GERMANY, column], 1)}).")
    elif area == "bildung":
        text = (f"Die Hochschulen in {core} ziehen rechnerisch Studierende aus einem Einzugsbereich von "
                f"**{fmt.number(students['served'])} Einwohnern** an "
                f"({fmt.number(students['ratio'], 1)}-fache der eigenen Bevölkerung), "
                f"davon {fmt.number(students['outside'])} außerhalb der Region.")
    elif area == "wirtschaft":
        jobs = centrality.job_centrality(r)
        last = jobs[jobs["year"] == jobs["year"].max()].set_index("role")
        text = (f"{core} bietet {fmt.number(last.loc['core', 'jobs_per_1000'])} sozialversicherungspflichtige "
                f"Arbeitsplätze je 1.000 Einwohner, das {fmt.number(last.loc['core', 'index'], 2)}-fache des "
                "Bundesdurchschnitts: Der Arbeitsmarkt der Regiopole reicht weit über die eigene Bevölkerung hinaus. "
                f"Für Krankenhäuser versorgt der Kern rechnerisch {fmt.number(beds['served'])} Einwohner.")
    elif area == "mobilitaet":
        within = catchment.population_within(r)
        text = (f"Im Umkreis von 30 km Luftlinie um {r.name} leben {fmt.number(within[30])} Menschen, im Umkreis von "
                f"60 km {fmt.number(within[60])} – der Raum, für den die Regiopole als Knoten erreichbar sein muss "
                "(RIN 2008: Oberzentrum in 60 Pkw-Minuten). Die Einzugsbereiche von Krankenhäusern "
                f"({fmt.number(beds['served'])} Einwohner) und Hochschulen "
                f"({fmt.number(students['served'])}) beschreiben die Verkehrsströme, die sie auslösen; "
                "Fahrzeiten und Pendlerströme sind nicht eingebunden.")
    else:
        text = (f"Für {area_heading(area)} gibt es kein eigenes Einzugsmodell in den amtlichen Daten. Die Einzugsbereiche "
                f"in {core} für Krankenhäuser ({fmt.number(beds['served'])} Einwohner) und Hochschulen "
                f"({fmt.number(students['served'])}) zeigen, für wie viele Menschen die Regiopole "
                "Infrastruktur bereitstellt – die Größenordnung, an der sich auch dieses Thema messen lassen muss.")
    return common.markdown(text)


# --------------------------------------------------------------------------- sources, assumptions

TABLES_ALL = ("inkar", "inkar_germany", "employment", "population_series", "hospitals", "universities",
              "rail_stations", "central_places", "gemeinden", "kreise", "kreis_geometries")


def sources() -> pd.DataFrame:
    return common.sources_table(TABLES_ALL)


def assumptions() -> pd.DataFrame:
    s = settings()
    rows = [
        ("Huff-Modell", f"α = {fmt.number(s['huff']['alpha'], 1)}, β = {fmt.number(s['huff']['beta'], 1)}; "
                        "Entfernung innerhalb eines Kreises: mittlere Entfernung in einem Kreis gleicher Fläche "
                        "(⅔ · √(Fläche/π))", s["huff"]["source"]),
        ("2SFCA", f"Schwelle {fmt.number(s['two_step_fca']['threshold_km'])} km Luftlinie "
                  f"(Varianten: {', '.join(fmt.number(t) for t in s['two_step_fca']['thresholds_km'])} km)",
         s["two_step_fca"]["source"]),
        ("Schwerpunktkrankenhaus", f"Universitätsklinikum oder ≥ {fmt.number(s['oberzentrum']['schwerpunkt_beds'])} Betten",
         s["oberzentrum"]["schwerpunkt_source"]),
        ("Einzugsbereich eines Oberzentrums", f"≥ {fmt.number(s['oberzentrum']['catchment_population'])} Einwohner",
         s["oberzentrum"]["catchment_source"]),
        ("Vergleichsgruppe Städte", f"kreisfreie Städte mit {fmt.number(profile.CITY_POPULATION[0])} bis "
                                    f"{fmt.number(profile.CITY_POPULATION[1])} Einwohnern am 31.12.2020 "
                                    f"({len(profile.peer_groups()['cities'])} Städte)", "Festlegung des Moduls"),
        ("Regionswerte", "mit der Einwohnerzahl gewichtete Mittel der Kreiswerte (exakt für Indikatoren je Einwohner)",
         "Festlegung des Moduls"),
    ]
    return pd.DataFrame(rows, columns=["Annahme", "Wert", "Quelle / Begründung"])
