"""Reader for the Kreis boundaries (BKG VG250, simplified GeoJSON)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from regiopol.core.errors import InputFormatError
from regiopol.core.sources import DL_DE_BY_2_0, Source, attach
from regiopol.data.codes import kreis_series
from regiopol.data.readers._text import check_unique, parse_counts, read_text

__all__ = ["BKG", "FIX", "read_kreis_geometries"]

BKG = "© GeoBasis-DE / BKG (VG250, Daten verändert)"
FIX = "download the GeoJSON again; do not edit it in a text editor"


def read_kreis_geometries(path: str | Path) -> gpd.GeoDataFrame:
    """Kreis polygons as a GeoDataFrame in EPSG:4326.

    Columns: ags (5-digit), name (``GEN``), kind (``BEZ``: Landkreis, Kreisfreie Stadt,
    …), nuts, population_2018 (``destatis.population``, 31.12.2018), geometry.
    """
    path = Path(path)
    table = pd.DataFrame([_row(feature, number, path) for number, feature in enumerate(_features(path))])
    table["ags"] = kreis_series(table["ags"], file=path, field="features[{row}].properties.AGS")
    check_unique(table, ["ags"], file=path, field="features[{row}].properties.AGS",
                 fix="merge the parts into one MultiPolygon per Kreis or download the file again")
    table["population_2018"] = parse_counts(table["population_2018"], file=path, decimal=".", placeholders=False,
                                            field="features[{row}].properties.destatis.population")
    kreise = gpd.GeoDataFrame(table, geometry="geometry", crs="EPSG:4326")
    return attach(kreise, Source(
        file=path.name, table="VG250 Kreise (vereinfacht)",
        title="Verwaltungsgrenzen der Kreise", publisher=BKG, licence=DL_DE_BY_2_0,
        stand="Gebietsstand nach dem 01.07.2021 (400 Kreise)",
    ))


def _features(path: Path) -> list:
    """The features of the GeoJSON FeatureCollection in ``path``."""
    text = read_text(path, encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputFormatError(f"not valid JSON ({err.msg})", file=path, line=err.lineno, fix=FIX) from None
    except RecursionError:
        raise InputFormatError("JSON nested too deeply to be a GeoJSON file", file=path, fix=FIX) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise InputFormatError(
            "not a GeoJSON FeatureCollection with features", file=path, field="features",
            fix="pass the Kreis boundaries as a GeoJSON FeatureCollection (landkreise_simplify200.geojson)",
        )
    return features


def _row(feature, number: int, path: Path) -> dict:
    """One feature's AGS, names, population and geometry."""
    where = f"features[{number}]"
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict) or properties.get("AGS") in (None, ""):
        raise InputFormatError(
            f"feature {number} has no AGS property", file=path, field=f"{where}.properties.AGS",
            fix="use the BKG VG250 Kreis boundaries, whose features carry the official AGS",
        )
    try:
        geometry = shape(feature["geometry"])
    except Exception as err:  # shapely raises several types (also RecursionError) for malformed geometries
        raise InputFormatError(
            f"feature {number} (AGS {properties['AGS']}) has no valid geometry ({type(err).__name__})",
            file=path, field=f"{where}.geometry", fix=FIX,
        ) from None
    destatis = properties.get("destatis")
    return {
        "ags": properties["AGS"],
        "name": properties.get("GEN"),
        "kind": properties.get("BEZ"),
        "nuts": properties.get("NUTS"),
        "population_2018": destatis.get("population") if isinstance(destatis, dict) else None,
        "geometry": geometry,
    }
