"""The indicator list ``data/indicators.toml``: which official indicators describe each
infrastructure area. Users extend it without touching code (then `regiopol data build`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from regiopol import regions
from regiopol.errors import ConfigError
from regiopol.paths import data_dir

INDICATORS_FILE = "indicators.toml"
_FIELDS = ("code", "source", "topic", "area", "label", "unit")


def load(path: str | Path | None = None) -> pd.DataFrame:
    """One row per indicator: code, source, topic, area, label, unit (file order)."""
    path = Path(path) if path is not None else data_dir() / INDICATORS_FILE
    config = regions.read_toml(path, what="indicator file", restore="data/indicators.toml")
    rows = config.get("indicator")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ConfigError("no [[indicator]] blocks", file=path, field="indicator",
                          fix="write each indicator as a [[indicator]] block (double brackets)")
    areas = regions.load(validate_codes=False).areas
    for i, row in enumerate(rows, start=1):
        label = row.get("code", f"indicator #{i}")
        for key in _FIELDS:
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise ConfigError(f"required field '{key}' is missing or empty", file=path,
                                  field=f"{label}.{key}", fix=f'add {key} = "…" to the block')
        if row["area"] not in areas:
            raise ConfigError(f"unknown infrastructure area '{row['area']}'", file=path, field=f"{label}.area",
                              fix=f"use one of: {', '.join(areas)}")
    table = pd.DataFrame(rows, columns=list(_FIELDS))
    duplicated = table["code"].duplicated()
    if duplicated.any():
        raise ConfigError(f"indicator '{table['code'][duplicated].iloc[0]}' is listed twice", file=path,
                          field="code", fix="list each indicator once")
    return table


def inkar_selection(path: str | Path | None = None) -> pd.DataFrame:
    """The INKAR indicators to embed: indicator, topic, area, label, unit."""
    table = load(path)
    return (table[table["source"] == "inkar"].drop(columns="source")
            .rename(columns={"code": "indicator"}).reset_index(drop=True))
