"""The module-1 assumptions ``data/zentrale_funktionen.toml``: the catchment models (Huff,
two-step floating catchment area) and the Oberzentrum checklist, each with its source."""

from __future__ import annotations

from functools import lru_cache

from regiopol.core.config import SOURCE, Array, Field, Table, load
from regiopol.core.paths import data_dir

SETTINGS_FILE = "zentrale_funktionen.toml"
_AT_LEAST_0 = Field(float, min=0)
_KM = Field(float, above=0, unit="km")  # a distance threshold of 0 km reaches nobody
SCHEMA = Table({
    "huff": Table({"alpha": _AT_LEAST_0, "beta": _AT_LEAST_0, "alphas": Array(_AT_LEAST_0),
                   "betas": Array(_AT_LEAST_0), "min_probability": Field(float, min=0, max=1),
                   "source": SOURCE}),
    "two_step_fca": Table({"threshold_km": _KM, "thresholds_km": Array(_KM), "source": SOURCE}),
    "oberzentrum": Table({"schwerpunkt_beds": Field(float, min=0, unit="Betten"), "schwerpunkt_source": SOURCE,
                          "catchment_population": Field(float, min=0, unit="Einwohner"),
                          "catchment_source": SOURCE}),
})


@lru_cache(maxsize=1)
def settings() -> dict:
    """``data/zentrale_funktionen.toml``, checked against :data:`SCHEMA`."""
    return load(data_dir() / SETTINGS_FILE, SCHEMA, what="module-1 settings")
