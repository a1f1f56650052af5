"""Source metadata attached to every table the readers return (``df.attrs["source"]``)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["DL_DE_BY_2_0", "CC_BY_4_0", "DESTATIS", "STATISTIK_AEMTER", "BBSR", "Source", "attach"]

DL_DE_BY_2_0 = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
CC_BY_4_0 = "Creative Commons Namensnennung 4.0 (CC BY 4.0)"
DESTATIS = "Statistisches Bundesamt (Destatis)"
STATISTIK_AEMTER = "Statistische Ämter des Bundes und der Länder"
BBSR = "Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR)"


@dataclass(frozen=True)
class Source:
    """Where a table comes from: enough to cite it under every figure."""

    file: str  # the file's bare name as downloaded, without directory (e.g. "12411-0018.csv")
    table: str  # official table code or data set name, e.g. "12411-0018"
    title: str
    publisher: str
    licence: str
    stand: str | None = None  # "Stand" (vintage) as printed by the publisher

    def stand_label(self) -> str:
        """The vintage for a source line: "Stand 17.08.2021" (each date once, without the
        download times GENESIS prints), or the publisher's own wording ("Gebietsstand …")."""
        if not self.stand:
            return ""
        dates = list(dict.fromkeys(re.findall(r"\d{2}\.\d{2}\.\d{4}", self.stand)))
        if self.stand.startswith(("Stand", "Gebietsstand")) or not dates or "/" not in self.stand:
            return self.stand if self.stand.startswith(("Stand", "Gebietsstand")) else f"Stand {self.stand}"
        return "Stand " + ", ".join(dates)

    def citation(self) -> str:
        """German source line for reports, e.g. under a figure."""
        stand = f", {self.stand_label()}" if self.stand else ""
        return f"Quelle: {self.publisher}, {self.table} – {self.title}{stand}; Lizenz: {self.licence}"

    def to_dict(self) -> dict:
        return asdict(self)


def attach(df: pd.DataFrame, source: Source) -> pd.DataFrame:
    """Attach ``source`` to ``df`` (in place) and return it."""
    df.attrs["source"] = source
    return df

