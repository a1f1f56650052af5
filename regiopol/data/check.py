"""``regiopol data check``: the committed tables against provenance.json and the invariants."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from regiopol import data
from regiopol.core import fmt
from regiopol.core.errors import RegiopolError
from regiopol.core.paths import data_dir

__all__ = ["CONTROL_YEAR", "GERMANY_2020", "BIELEFELD_2020", "N_KREISE", "COUNT_COLUMNS", "file_hash",
           "CheckReport", "run"]

# Published totals of 31.12.2020 (Destatis 12411-0018) the embedded data must reproduce whenever
# population_by_age holds that year; the Gemeinde directory GV100AD 30.11.2021 states the same date.
CONTROL_YEAR = 2020
GERMANY_2020 = 83_155_031
BIELEFELD_2020 = ("05711", 333_509)
N_KREISE = 400
COUNT_COLUMNS = {"population", "population_male", "population_female", "employees", "employees_male",
                 "employees_female", "employees_foreign", "care_total", "care_ambulatory", "care_inpatient",
                 "care_allowance", "beds", "cases_inpatient", "cases_partial", "cases_outpatient", "students"}


def file_hash(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class CheckReport:
    results: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.results)

    def summary(self) -> str:
        lines = [f"{'ok' if ok else 'FEHLER':6} {name}: {detail}" for name, ok, detail in self.results]
        failed = sum(not ok for _, ok, _ in self.results)
        lines.append(f"\n{len(self.results) - failed} von {len(self.results)} Prüfungen bestanden"
                     + ("" if self.ok else f", {failed} fehlgeschlagen"))
        return "\n".join(lines)


Check = tuple[str, Callable[[Path], str]]


def run(directory: str | Path | None = None, extra: tuple[Check, ...] = ()) -> CheckReport:
    """Run every check, then ``extra`` ones of the layers above (e.g. that every region's Kreise
    are present); a check that cannot even load its table is reported as failed."""
    directory = Path(directory or data_dir())
    report = CheckReport()
    for name, check in (*_CHECKS, *extra):
        try:
            detail = check(directory)
            report.results.append((name, True, detail))
        except (RegiopolError, AssertionError) as err:
            report.results.append((name, False, str(err)))
        except (KeyError, ValueError, TypeError) as err:  # a table without the expected columns or types
            report.results.append((name, False, f"unexpected table layout ({type(err).__name__}: {err}) "
                                                "– rebuild with `regiopol data build`"))
    return report


def _provenance(directory: Path) -> str:
    record = data.provenance(directory)["tables"]
    missing = set(data.TABLES) - set(record)
    assert not missing, f"provenance.json lacks {sorted(missing)} – run `regiopol data build`"
    for name, entry in record.items():
        path = data.table_path(name, directory)
        assert path.is_file(), f"{path.name} is missing – run `regiopol data build` or restore it from git"
        assert file_hash(path) == entry["sha256"], (
            f"{path.name} differs from its provenance record (content hash) – rebuild with `regiopol data build`")
        rows = len(data.load(name, directory))
        assert rows == entry["rows"], f"{path.name} has {rows} rows, provenance says {entry['rows']}"
    return f"{len(record)} Tabellen, Inhalte und Zeilenzahlen wie in provenance.json"


def _kreise(directory: Path) -> str:
    kreise = data.load("kreise", directory)
    assert kreise["ags"].is_unique and len(kreise) == N_KREISE, f"{len(kreise)} Kreise instead of {N_KREISE}"
    assert kreise["label"].is_unique, "Kreis labels are not unique"
    known = set(kreise["ags"])
    for name in ("kreis_geometries", "population_by_age", "population_series", "employment",
                 "care_recipients", "inkar", "hospitals", "universities", "rail_stations", "central_places"):
        codes = set(data.load(name, directory)["ags"].dropna())
        assert codes <= known, f"{name} has codes outside the 400 Kreise: {sorted(codes - known)[:5]}"
        assert name not in ("kreis_geometries", "population_by_age", "population_series") or codes == known, (
            f"{name} lacks Kreise: {sorted(known - codes)[:5]}")
    return f"{N_KREISE} Kreise; alle Tabellen nur mit gültigen Kreisschlüsseln"


def _germany_totals(directory: Path) -> str:
    kreise = data.load("kreise", directory)
    assert int(kreise["population"].sum()) == GERMANY_2020, (
        f"Kreis directory GV100AD: Germany 31.12.{CONTROL_YEAR} = {fmt.number(int(kreise['population'].sum()))}, "
        f"expected {fmt.number(GERMANY_2020)}")
    gemeinden = data.load("gemeinden", directory)
    diff = (gemeinden.groupby("ags")["population"].sum().reindex(kreise["ags"]).to_numpy()
            - kreise["population"].to_numpy())
    assert (diff == 0).all(), "Gemeinde populations do not add up to their Kreise"
    unplaced = gemeinden[(gemeinden["population"] > 0) & gemeinden[["lon", "lat"]].isna().any(axis=1)]
    assert unplaced.empty, f"Gemeinden without coordinates: {', '.join(unplaced['name'].head(5))}"
    return (f"{_control_totals(data.load('population_by_age', directory))}; Verzeichnis 31.12.{CONTROL_YEAR} = "
            f"{fmt.number(GERMANY_2020)}; Summe der Gemeinden = Kreise; alle bewohnten Gemeinden mit Koordinaten")


def _control_totals(population) -> str:
    """The published totals of :data:`CONTROL_YEAR`, if population_by_age holds that year."""
    population = population[population["year"] == CONTROL_YEAR]
    if population.empty:
        return f"12411-0018 ohne 31.12.{CONTROL_YEAR}: Kontrollsummen dieses Jahres entfallen"
    total = int(population["population"].sum())
    assert total == GERMANY_2020, (
        f"Germany 31.12.{CONTROL_YEAR} = {fmt.number(total)}, expected {fmt.number(GERMANY_2020)}")
    ags, expected = BIELEFELD_2020
    bielefeld = int(population.loc[population["ags"] == ags, "population"].sum())
    assert bielefeld == expected, (
        f"Bielefeld 31.12.{CONTROL_YEAR} = {fmt.number(bielefeld)}, expected {fmt.number(expected)}")
    return f"Deutschland 31.12.{CONTROL_YEAR} = {fmt.number(GERMANY_2020)}; Bielefeld = {fmt.number(expected)}"


def _sexes_add_up(directory: Path) -> str:
    by_age = data.load("population_by_age", directory)
    series = data.load("population_series", directory).set_index(["ags", "year"])["population"]
    sums = by_age.groupby(["ags", "year"])["population"].sum()
    assert set(by_age["sex"]) == {"m", "w"}, "population_by_age must hold sexes m and w"
    # population_series holds whole persons; key-based estimates (split Kreise) are rounded there
    assert ((series.reindex(sums.index) - sums).abs() <= 0.5 + 1e-9).all(), (
        f"population_series {_span(by_age['year'])} differs from the sum over sexes and age groups")
    employment = data.load("employment", directory).dropna(
        subset=["employees", "employees_male", "employees_female"])
    gap = employment["employees_male"] + employment["employees_female"] - employment["employees"]
    bad = employment[gap.abs() > 1e-6]
    assert bad.empty, f"employment: male + female ≠ total in {len(bad)} rows, e.g. {bad.iloc[0].to_dict()}"
    care = data.load("care_recipients", directory).pivot_table(
        index=["ags", "year"], columns="sex", values="care_total")
    care = care.dropna()
    assert ((care["m"] + care["w"] - care["insgesamt"]).abs() < 1e-6).all(), "care recipients: m + w ≠ insgesamt"
    return "Männer + Frauen = insgesamt (Bevölkerung, Beschäftigte, Pflegebedürftige)"


def _complete_years(directory: Path) -> str:
    """Both population tables cover consecutive years, every Kreis in each, and end in the same
    year (the series continues 12411-0018); the years themselves are read from the tables."""
    series = data.load("population_series", directory)
    by_age = data.load("population_by_age", directory)
    for name, table in (("population_series", series), ("population_by_age", by_age)):
        per_year = table.groupby("year")["ags"].nunique()
        years = [int(y) for y in per_year.index]
        assert years == list(range(years[0], years[-1] + 1)), (
            f"{name} has gaps: years {', '.join(map(str, sorted(set(range(years[0], years[-1] + 1)) - set(years))))} "
            "missing – rebuild with `regiopol data build`")
        assert (per_year == N_KREISE).all(), f"{name} incomplete in {list(per_year[per_year != N_KREISE].index)}"
    assert series["year"].max() == by_age["year"].max(), (
        f"population_series ends {series['year'].max()}, population_by_age {by_age['year'].max()} "
        "– rebuild with `regiopol data build`")
    assert set(by_age["year"]) <= set(series["year"]), "population_series lacks years of population_by_age"
    return (f"Zeitreihe {_span(series['year'])} und Altersgruppen {_span(by_age['year'])} "
            f"je {N_KREISE} Kreise")


def _span(years) -> str:
    return f"{int(years.min())}–{int(years.max())}"


def _no_negative_counts(directory: Path) -> str:
    for name in data.TABLES:
        table = data.load(name, directory)
        counts = table[[c for c in table.columns if c in COUNT_COLUMNS]]
        negative = (counts < 0).any()
        assert not negative.any(), f"{name}: negative counts in {list(negative[negative].index)}"
    return "keine negativen Anzahlen"


def _germany_reference(directory: Path) -> str:
    """Every embedded INKAR indicator has the value for Germany in every year of its Kreis values."""
    kreis_years = data.load("inkar", directory)[["indicator", "year"]].drop_duplicates()
    germany = data.load("inkar_germany", directory)
    assert not germany.duplicated(["indicator", "year"]).any(), "inkar_germany holds an indicator-year twice"
    missing = kreis_years.merge(germany, on=["indicator", "year"], how="left")
    missing = missing[missing["value"].isna()]
    assert missing.empty, (f"inkar_germany lacks {len(missing)} indicator-years of the inkar table, e.g. "
                           f"{missing.iloc[0]['indicator']} {missing.iloc[0]['year']}")
    extra = set(germany["indicator"]) - set(data.load("inkar_catalogue", directory)["indicator"])
    assert not extra, f"inkar_germany holds indicators outside inkar_catalogue: {sorted(extra)[:5]}"
    return (f"Deutschland-Werte für alle {kreis_years['indicator'].nunique()} INKAR-Indikatoren "
            f"in allen {len(kreis_years)} Indikator-Jahren")


_CHECKS = [
    ("Provenienz", _provenance),
    ("Kreise", _kreise),
    ("Summen", _germany_totals),
    ("Geschlechter", _sexes_add_up),
    ("Vollständigkeit", _complete_years),
    ("Vorzeichen", _no_negative_counts),
    ("Deutschland-Referenz", _germany_reference),
]
