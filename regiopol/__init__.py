"""regiopol – analysis suite for the German Regiopolen and their regions."""

import sys

# nbformat validates with jsonschema, which at import compiles ~40 grammars of the optional
# package rfc3987-syntax (~3 s of CPU in every process that reads a notebook) only to check
# the "iri" string format that notebooks never use. Mark it absent; jsonschema skips it.
sys.modules.setdefault("rfc3987_syntax", None)

from regiopol.core.errors import (  # noqa: E402 – after the rfc3987_syntax marker above
    CheckError,
    ConfigError,
    InputFormatError,
    MissingInputError,
    RegiopolError,
)

__version__ = "0.1.0"

_SUBMODULES = ("core", "data", "regions", "methods", "report", "run")

__all__ = [
    *_SUBMODULES,
    "region",
    "regions_list",
    "clear_caches",
    "CheckError",
    "ConfigError",
    "InputFormatError",
    "MissingInputError",
    "RegiopolError",
    "__version__",
    "clear_caches",
]


def region(slug: str):
    """The region with this slug from ``data/regions.toml``: ``rp.region("trier").kreise``."""
    from regiopol import regions

    return regions.get(slug)


def regions_list() -> list:
    """Every configured region, in the order of ``data/regions.toml``."""
    from regiopol import regions

    return list(regions.registry())


def clear_caches() -> None:
    """Empty every cache of the library (after editing a ``data/*.toml`` in a running session)."""
    from regiopol.core import cache

    cache.clear_caches()


def __getattr__(name: str):
    # the layers load on first use: `import regiopol` stays light for the batch runner
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"regiopol.{name}")
    raise AttributeError(f"module 'regiopol' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
