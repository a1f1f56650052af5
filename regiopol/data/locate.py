"""Assign facilities to Kreise: by coordinates (point in polygon) or by place name.

Both functions return a copy of their input with the assignment added and keep
``attrs``; ``attrs["warnings"]`` lists what could not be assigned cleanly.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from regiopol.core.constants import METRIC_CRS
from regiopol.core.errors import InputFormatError

__all__ = ["LAND_CODES", "POSTCODE_NEAR", "POSTCODE_NEAR_WEAK", "FORMER_GEMEINDEN", "assign_kreis_by_point",
           "assign_kreis_by_place"]

LAND_CODES = {
    "Schleswig-Holstein": "01", "Hamburg": "02", "Niedersachsen": "03", "Bremen": "04",
    "Nordrhein-Westfalen": "05", "Hessen": "06", "Rheinland-Pfalz": "07", "Baden-Württemberg": "08",
    "Bayern": "09", "Saarland": "10", "Berlin": "11", "Brandenburg": "12", "Mecklenburg-Vorpommern": "13",
    "Sachsen": "14", "Sachsen-Anhalt": "15", "Thüringen": "16",
}

# Postcodes of one Gemeinde lie close together: a name match needs the station's postcode
# within this distance of the Gemeinde's (numeric) postcode. Large cities span more
# (Berlin 10115–14199), which the exact full-name match allows as long as the name is
# unambiguous in the Land and the postcode does not point to another Gemeinde.
POSTCODE_NEAR = 5_000
POSTCODE_NEAR_WEAK = 1_000  # for matches on a part of a name

# Former Gemeinden (merged before the Gemeinde table's vintage) that name a long-distance
# station in the 2016 station list and that neither name nor postcode can place:
# former name → 8-digit AGS of the Gemeinde it belongs to now.
FORMER_GEMEINDEN = {
    "Kreiensen": "03155013",  # part of Einbeck (Lkr. Northeim) since 01.01.2013
}

_FILLER = (r"\b(?:hansestadt|lutherstadt|universitätsstadt"
           r"|am|an|der|die|dem|den|in|im|a|i|d|b|bei|ob|vor|v|o|u|zu|z)\b\.?")
_QUALIFIER = r"\s*(?:[(/]|\b(?:i|a|b|v|o)\.|\b(?:am|an|im|in|ob|bei|vor|ot)\b).*$"
_PREFIXES = r"(?:bad|sankt|groß|klein|neu|alt|hohen|nieder|ober|unter|markt|kurort)"
# Station-side candidate strings, best first; each is matched against every Gemeinde key form.
_STATION_FORMS = [("city", "full"), ("city", "base"), ("name", "full"), ("name", "base"),
                  ("city", "head"), ("name", "head")]
_GEMEINDE_FORMS = ["full", "base", "head", "part"]


def assign_kreis_by_point(
    points: pd.DataFrame, kreise: gpd.GeoDataFrame, *, max_distance_m: float = 5_000.0
) -> pd.DataFrame:
    """Add ``ags`` (5-digit Kreis) and ``assigned_by`` ("within"/"nearest") from ``lat``/``lon``.

    A point inside a Kreis polygon gets that Kreis; where the simplified boundaries
    overlap, the Kreis it lies deepest in. A point outside all polygons (coast, border,
    gaps of the simplification) gets the nearest Kreis within ``max_distance_m``
    (measured in EPSG:25832); points farther away or without coordinates stay <NA>.
    """
    for column in ("lat", "lon"):
        if column not in points.columns:
            raise InputFormatError("points have no coordinates", field=column,
                                   fix="pass a table with lat and lon columns (WGS84 degrees)")
    if "ags" not in kreise.columns:
        raise InputFormatError("Kreis table has no ags column", field="ags",
                               fix="pass the output of read_kreis_geometries")
    lat, lon = (pd.to_numeric(points[c], errors="coerce").to_numpy(dtype=float) for c in ("lat", "lon"))
    located = np.flatnonzero(~(np.isnan(lat) | np.isnan(lon)))
    geo = gpd.GeoDataFrame({"row": located}, geometry=gpd.points_from_xy(lon[located], lat[located]),
                           crs="EPSG:4326").to_crs(METRIC_CRS)
    areas = kreise[["ags", "geometry"]].to_crs(METRIC_CRS)

    within = gpd.sjoin(geo, areas, predicate="within", how="inner")
    doubled = within.loc[within["row"].duplicated(), "row"].nunique()
    depth = within.geometry.distance(areas.boundary.loc[within["index_right"]], align=False)
    within = within.assign(depth=depth.to_numpy()).sort_values("depth", ascending=False).drop_duplicates("row")
    outside = geo[~geo["row"].isin(within["row"])]
    nearest = gpd.sjoin_nearest(outside, areas, max_distance=max_distance_m, distance_col="distance")
    nearest = nearest.sort_values("distance").drop_duplicates("row")

    ags = np.full(len(points), None, dtype=object)
    how = np.full(len(points), None, dtype=object)
    for found, label in ((within, "within"), (nearest, "nearest")):
        ags[found["row"].to_numpy()] = found["ags"].to_numpy()
        how[found["row"].to_numpy()] = label
    result = points.copy()
    result["ags"] = pd.array(ags, dtype="string")
    result["assigned_by"] = pd.array(how, dtype="string")
    warnings = list(points.attrs.get("warnings", []))
    unlocated = len(points) - len(located)
    far = len(outside) - len(nearest)
    if unlocated:
        warnings.append(f"{unlocated} of {len(points)} points have no coordinates: no Kreis assigned")
    if far:
        warnings.append(f"{far} of {len(points)} points lie more than {max_distance_m:g} m outside all Kreise: "
                        "no Kreis assigned")
    if doubled:
        warnings.append(f"{doubled} points lie where simplified Kreis boundaries overlap: "
                        "assigned to the Kreis they lie deepest in")
    result.attrs["warnings"] = warnings
    return result


def assign_kreis_by_place(
    stations: pd.DataFrame, gemeinden: pd.DataFrame, *, former: dict[str, str] | None = None
) -> pd.DataFrame:
    """Add ``ags`` (5-digit Kreis), ``gemeinde_ags`` (8-digit) and ``assigned_by`` from
    place names and postcodes.

    ``stations`` needs ``name``, ``city``, ``postcode`` and ``state`` (Land name or
    2-digit code); ``gemeinden`` needs ``gemeinde_ags`` (8-digit), ``ags`` (5-digit Kreis),
    ``name`` and ``postcode`` (``land`` is taken from the Gemeinde code if absent) – the
    columns of :func:`~regiopol.data.readers.gv100.read_gv100ad` and
    :func:`~regiopol.data.readers.gvisys.read_gv_isys`. Within the station's Land, in this order:

    1. ``city``: the city (Ort) names a Gemeinde, also in short forms ("Frankfurt (Main)"
       ~ "Frankfurt am Main, Stadt", "Kempten" ~ "Kempten (Allgäu)"), or a part of it
       ("Salzgitter-Bad" ~ Salzgitter, "Schwenningen" ~ Villingen-Schwenningen):
       ``city_part``; else the station name does: ``station_name``. Homonyms are told
       apart by the nearest postcode, and a match needs a postcode near the Gemeinde's.
       ``former_gemeinde``: the city is a former Gemeinde listed in ``former`` (default
       :data:`FORMER_GEMEINDEN`), mapped to the AGS of its present Gemeinde.
    2. ``postcode``: the postcode is a Gemeinde's (GV-ISys lists one per Gemeinde);
       Gemeinden sharing it must lie in one Kreis (``gemeinde_ags`` stays <NA> if several).
    3. ``city`` despite a distant postcode, if the name is unambiguous in the Land.
    4. ``postcode_range``: the next lower and next higher Gemeinde postcodes of the Land
       belong to the same Kreis (``gemeinde_ags`` <NA>).

    The share of unmatched stations is recorded in ``attrs["warnings"]``.
    """
    _require_columns(stations, ["name", "city", "postcode", "state"], "stations")
    _require_columns(gemeinden, ["gemeinde_ags", "ags", "name", "postcode"], "gemeinden")
    places = _stations(stations)
    keyed = _gemeinde_keys(gemeinden)
    candidates = _name_candidates(places, keyed)
    codes = _postcode_table(keyed)
    levels = [
        candidates[candidates["near"]].sort_values(["row", "rank", "diff"]),
        _by_former_name(places, keyed, FORMER_GEMEINDEN if former is None else former),
        places.merge(codes.drop(columns="plz"), on=["land", "postcode"]).assign(assigned_by="postcode"),
        candidates[(candidates["rank"] == 0) & ~candidates["near"] & candidates["unique"]].sort_values(["row", "diff"]),
        _postcode_range(places, codes).assign(assigned_by="postcode_range"),
    ]
    chosen = pd.concat([level[["row", "ags", "gemeinde_ags", "assigned_by"]] for level in levels])
    chosen = chosen.dropna(subset=["ags"]).drop_duplicates("row").set_index("row")

    result = stations.copy()
    for column in ("ags", "gemeinde_ags", "assigned_by"):
        result[column] = pd.array(chosen[column].reindex(range(len(stations))).to_numpy(), dtype="string")
    unmatched = result.loc[result["ags"].isna(), "name"]
    result.attrs["warnings"] = list(stations.attrs.get("warnings", [])) + (
        [f"{len(unmatched)} of {len(stations)} stations ({len(unmatched) / len(stations):.1%}) matched no "
         f"Gemeinde and have no Kreis: {', '.join(unmatched)}"] if len(unmatched) else []
    )
    return result


def _require_columns(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputFormatError(f"{what} table lacks a column", field=missing[0],
                               fix=f"pass {what} with columns {', '.join(columns)}")


def _name_candidates(places: pd.DataFrame, keyed: pd.DataFrame) -> pd.DataFrame:
    """Every (station, Gemeinde) pair whose name forms match, with its rank (best 0),
    postcode distance ``diff``, whether the postcodes are ``near`` and ``assigned_by``."""
    candidates = pd.concat(
        [places.assign(key=_FORMS[form](places[column]), station_form=number)
         for number, (column, form) in enumerate(_STATION_FORMS)]
    ).merge(keyed, on=["land", "key"])
    candidates["diff"] = (candidates["plz"] - candidates["gemeinde_plz"]).abs()
    candidates["rank"] = candidates["station_form"] * len(_GEMEINDE_FORMS) + candidates["gemeinde_form"]
    weak = candidates["station_form"].ge(4) | candidates["gemeinde_form"].ge(2)
    near = candidates["diff"] <= np.where(weak, POSTCODE_NEAR_WEAK, POSTCODE_NEAR)  # NaN diff (no postcode): not near
    candidates["near"] = near.to_numpy()
    candidates["assigned_by"] = np.select(
        [candidates["station_form"].isin([2, 3, 5]), weak], ["station_name", "city_part"], "city")
    return candidates


def _by_former_name(places: pd.DataFrame, keyed: pd.DataFrame, former: dict[str, str]) -> pd.DataFrame:
    """Stations whose city is a former Gemeinde in ``former`` (name → present Gemeinde AGS)."""
    gemeinde_kreis = keyed.drop_duplicates("gemeinde_ags").set_index("gemeinde_ags")["ags"]
    former_keys = dict(zip(_full(pd.Series(list(former), dtype="string")), former.values()))
    found = places.assign(gemeinde_ags=_full(places["city"]).map(former_keys))
    return found.assign(ags=found["gemeinde_ags"].map(gemeinde_kreis), assigned_by="former_gemeinde")


def _letters(text: pd.Series) -> pd.Series:
    return text.str.replace(r"[^a-zäöüß]", "", regex=True)


def _norm(names: pd.Series) -> pd.Series:
    """Lower case, without the ", Stadt"-type suffix, "St." spelled "Sankt"."""
    text = names.astype("string").str.lower().str.replace(r",.*$", "", regex=True)
    return text.str.replace(r"\bst\.\s*|\bst\b\s*", "sankt ", regex=True)


def _full(names: pd.Series) -> pd.Series:
    """Whole name without filler words: "Frankfurt (Main)" and "Frankfurt am Main" → frankfurtmain."""
    return _letters(_norm(names).str.replace(_FILLER, " ", regex=True))


def _base(names: pd.Series) -> pd.Series:
    """Name before its qualifier: "Kempten (Allgäu)", "Immenstadt i.Allgäu" → kempten, immenstadt."""
    return _letters(_norm(names).str.replace(_QUALIFIER, "", regex=True))


def _head(names: pd.Series) -> pd.Series:
    """First word, with a prefix such as "Bad": "Salzgitter-Bad" → salzgitter, "Bad Homburg X" → badhomburg."""
    pattern = rf"^\s*((?:{_PREFIXES})\s+)?([^\s\-/(]+).*$"
    return _letters(_norm(names).str.replace(pattern, r"\1\2", regex=True))


_FORMS = {"full": _full, "base": _base, "head": _head}


def _stations(stations: pd.DataFrame) -> pd.DataFrame:
    state = stations["state"].astype("string").str.strip()
    land = state.map(LAND_CODES).fillna(state.where(state.str.fullmatch(r"[0-9]{2}").fillna(False).astype(bool)))
    postcode = stations["postcode"].astype("string").str.strip()
    return pd.DataFrame({
        "row": np.arange(len(stations)),
        "land": land.to_numpy(),
        "name": stations["name"].to_numpy(),
        "city": stations["city"].to_numpy(),
        "postcode": postcode.to_numpy(),
        "plz": pd.to_numeric(postcode, errors="coerce").to_numpy(dtype=float),
    }).astype({"land": "string", "name": "string", "city": "string", "postcode": "string"})


def _gemeinde_keys(gemeinden: pd.DataFrame) -> pd.DataFrame:
    """One row per Gemeinde and key form, with whether the key is unambiguous in its Land."""
    gemeinde = gemeinden["gemeinde_ags"].astype("string").str.strip().str.zfill(8)
    land = gemeinden["land"].astype("string") if "land" in gemeinden.columns else gemeinde.str[:2]
    table = pd.DataFrame({
        "land": land.to_numpy(), "gemeinde_ags": gemeinde.to_numpy(),
        "ags": gemeinden["ags"].astype("string").str.strip().str.zfill(5).to_numpy(),
        "name": gemeinden["name"].to_numpy(),
        "gemeinde_postcode": gemeinden["postcode"].astype("string").str.strip().str.zfill(5).to_numpy(),
    }).astype("string")
    table["gemeinde_plz"] = pd.to_numeric(table["gemeinde_postcode"], errors="coerce").astype(float)
    parts = table.assign(key=_norm(table["name"]).str.replace(_QUALIFIER, "", regex=True).str.split("-")).explode("key")
    forms = [table.assign(key=_FORMS[form](table["name"]), gemeinde_form=number)
             for number, form in enumerate(_GEMEINDE_FORMS[:3])]
    forms.append(parts.assign(key=_letters(parts["key"].astype("string")), gemeinde_form=3))
    keyed = pd.concat(forms, ignore_index=True)
    keyed = keyed[keyed["key"].str.len().ge(3).fillna(False).to_numpy(bool)]
    keyed = keyed.sort_values("gemeinde_form").drop_duplicates(["gemeinde_ags", "key"])
    keyed["unique"] = keyed.groupby(["land", "key"])["gemeinde_ags"].transform("nunique").eq(1)
    return keyed.drop(columns="name")


def _postcode_table(keyed: pd.DataFrame) -> pd.DataFrame:
    """Postcode → Kreis where all Gemeinden with that postcode lie in one Kreis."""
    table = keyed.drop_duplicates("gemeinde_ags").rename(columns={"gemeinde_postcode": "postcode"})
    grouped = table.groupby(["land", "postcode"]).agg(
        kreise=("ags", "nunique"), ags=("ags", "first"),
        gemeinden=("gemeinde_ags", "nunique"), gemeinde_ags=("gemeinde_ags", "first"),
    ).reset_index()
    grouped = grouped[grouped["kreise"] == 1]
    grouped["gemeinde_ags"] = grouped["gemeinde_ags"].where(grouped["gemeinden"] == 1)
    grouped["plz"] = pd.to_numeric(grouped["postcode"], errors="coerce").astype(float)
    return grouped[["land", "postcode", "plz", "ags", "gemeinde_ags"]]


def _postcode_range(places: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """Kreis of the next lower and next higher Gemeinde postcode in the Land, if they agree."""
    left = places.dropna(subset=["plz", "land"]).sort_values("plz")
    right = codes.dropna(subset=["plz"]).sort_values("plz")[["land", "plz", "ags"]]
    below = pd.merge_asof(left, right, on="plz", by="land", direction="backward")
    above = pd.merge_asof(left, right, on="plz", by="land", direction="forward")
    below = below.set_index("row")["ags"]
    above = above.set_index("row")["ags"].reindex(below.index)
    agree = (below == above).fillna(False).to_numpy(bool)
    return pd.DataFrame({"row": below.index[agree], "ags": below[agree].to_numpy(), "gemeinde_ags": pd.NA})
