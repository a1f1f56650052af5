"""The ``regiopol`` command line."""

from __future__ import annotations

import argparse
import sys

from regiopol.core.errors import RegiopolError
from regiopol.run.runner import CELL_TIMEOUT

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except RegiopolError as err:
        print(f"Fehler: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Abgebrochen – fertige Berichte sind gespeichert; ein neuer Aufruf setzt die Arbeit fort.",
              file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regiopol",
        description="Analysis suite for the Regiopolen: official data, module notebooks, German reports.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    data = commands.add_parser("data", help="build and check the embedded official tables in data/",
                               description="Build data/ from the official raw files, or check it.")
    data_commands = data.add_subparsers(title="data commands", metavar="COMMAND")
    build = data_commands.add_parser(
        "build", help="derive data/ from the official raw files",
        description="Read the official raw files and write the tidy tables and provenance.json into data/.")
    build.add_argument("--raw", metavar="DIR",
                       help="directory of the official downloads (default: $REGIOPOL_RAW_DIR or ../shared/data/raw)")
    build.add_argument("--out", metavar="DIR", help="output directory (default: data/ of the project)")
    build.set_defaults(func=_data_build)
    check = data_commands.add_parser(
        "check", help="verify data/ against provenance.json and the invariants",
        description="Verify the committed tables: content hashes and rows against provenance.json, and "
                    "invariants (sexes add up, Germany 2020 = 83,155,031, no negative counts, regions complete).")
    check.add_argument("--data", metavar="DIR", help="directory to check (default: data/ of the project)")
    check.set_defaults(func=_data_check)
    data.set_defaults(func=lambda args: data.print_help() or 2)

    regions = commands.add_parser(
        "regions", help="print the table of the regions (Kreise, area, population, change)",
        description="Print a German table of the regions in data/regions.toml.")
    regions.add_argument("--file", metavar="TOML", help="region file (default: data/regions.toml)")
    regions.set_defaults(func=_regions)

    kreise = commands.add_parser("kreise", help="list the official Kreis codes",
                                 description="List the 400 Kreise of the official directory (GV100AD).")
    kreise.add_argument("search", nargs="?", default="", help="part of a name or code, e.g. 'Rostock' or '071'")
    kreise.set_defaults(func=_kreise)

    run = commands.add_parser(
        "run", help="run the module notebooks for every region and export the HTML reports",
        description="Run every module notebook (notebooks/NN_name.ipynb) for every region of data/regions.toml "
                    "with papermill (fresh kernel per notebook, parallel workers), export German HTML reports "
                    "without code, and write index.html and run.json. Unchanged (region, module) pairs are "
                    "skipped; a failing notebook is recorded and the rest still runs (exit code 1).")
    run.add_argument("--region", action="append", metavar="SLUG",
                     help="only this region (repeatable; default: all regions of data/regions.toml)")
    run.add_argument("--module", action="append", metavar="NAME",
                     help="only this module: NN_name, NN or name (repeatable; default: all notebooks)")
    run.add_argument("--jobs", "-j", type=int, metavar="N", help="parallel worker processes (default: number of cores)")
    run.add_argument("--force", action="store_true", help="rerun even if the inputs are unchanged")
    run.add_argument("--no-html", action="store_true", help="execute the notebooks only, no HTML reports")
    run.add_argument("--output", metavar="DIR", help="output directory (default: $REGIOPOL_OUTPUT_DIR or outputs/)")
    run.add_argument("--timeout", type=float, metavar="SECONDS", default=CELL_TIMEOUT,
                     help=f"time limit per notebook cell (default: {CELL_TIMEOUT})")
    run.add_argument("--notebooks", metavar="DIR", help="directory of the module notebooks (default: notebooks/)")
    run.add_argument("--param", action="append", metavar="KEY=VALUE", default=[],
                     help="extra notebook parameter for every module (repeatable; VALUE is read as JSON if it can be)")
    run.add_argument("--kernel", default="regiopol", metavar="NAME", help="Jupyter kernel (default: regiopol)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run the notebooks on a Dask distributed cluster, e.g. tcp://host:8786 "
                          "(--output must be a directory the workers share)")
    run.set_defaults(func=_run)
    return parser


def _run(args) -> int:
    import json

    from regiopol.core.errors import ConfigError
    from regiopol.run import runner

    parameters = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise ConfigError(f"invalid parameter '{item}'", field="--param", fix="write KEY=VALUE, e.g. horizon=2040")
        try:
            parameters[key] = json.loads(value)
        except ValueError:
            parameters[key] = value
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1", field="--jobs", fix="pass a positive number")
    result = runner.run(
        notebooks_dir=args.notebooks, output=args.output, regions=args.region, modules=args.module,
        jobs=args.jobs, force=args.force, html=not args.no_html, timeout=args.timeout,
        parameters=parameters, kernel_name=args.kernel, progress=not args.no_progress,
        scheduler=args.scheduler,
    )
    print(result.summary())
    return result.exit_code


def _data_build(args) -> int:
    from regiopol.core import paths
    from regiopol.data import build
    from regiopol.methods import indicators

    result = build.build(paths.raw_dir(args.raw), args.out, selection=indicators.inkar_selection())
    print(result.summary())
    return 0


def _data_check(args) -> int:
    from regiopol import regions
    from regiopol.data import check

    report = check.run(args.data, extra=(("Regionen", regions.data_complete),))
    print(report.summary())
    return 0 if report.ok else 1


def _regions(args) -> int:
    from regiopol import data, regions
    from regiopol.core import fmt

    registry = regions.load(args.file)
    table = regions.overview(registry)
    formatters = {
        "Fläche (km²)": fmt.number,
        "Bevölkerung 2020": fmt.number,
        "Regiopole 2020": fmt.number,
        "Veränderung 2015–2020": fmt.signed_percent,
    }
    print("Regiopolen und ihre Regionen (Bevölkerung am 31.12., Gebietsstand 30.11.2021)\n")
    print(table.drop(columns="Abgrenzung").to_string(index=False, formatters=formatters))
    names = data.load("kreise").set_index("ags")["label"]
    print("\nKreise der Regionen:")
    for region in registry:
        kreise = ", ".join(f"{names[k]} [{k}]" for k in region.kreise)
        print(f"  {region.name} – {region.delineation}: {kreise}")
    print("\nRegiopole 2020: die kreisfreie Stadt bzw. die Gemeinde (Paderborn, Siegen).")
    for source in data.sources("population_series", "kreise"):
        print(source.citation())
    return 0


def _kreise(args) -> int:
    from regiopol import data

    table = data.load("kreise")
    needle = args.search.lower()
    hits = table[table["ags"].str.startswith(needle) | table["name"].str.lower().str.contains(needle, regex=False)]
    print(hits[["ags", "name", "kind"]].rename(columns={"ags": "AGS", "name": "Name", "kind": "Art"})
          .to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
