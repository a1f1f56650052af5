"""regiopol – analysis suite for the German Regiopolen and their regions."""

import sys

# nbformat validates with jsonschema, which at import compiles ~40 grammars of the optional
# package rfc3987-syntax (~3 s of CPU in every process that reads a notebook) only to check
# the "iri" string format that notebooks never use. Mark it absent; jsonschema skips it.
sys.modules.setdefault("rfc3987_syntax", None)

from regiopol.core.errors import (
    CheckError,
    ConfigError,
    InputFormatError,
    MissingInputError,
    RegiopolError,
)

__version__ = "0.1.0"

__all__ = [
    "CheckError",
    "ConfigError",
    "InputFormatError",
    "MissingInputError",
    "RegiopolError",
    "__version__",
    "clear_caches",
]


def __getattr__(name: str):
    if name == "clear_caches":  # imported on first use: `import regiopol` stays light
        from regiopol.core.cache import clear_caches

        return clear_caches
    raise AttributeError(f"module 'regiopol' has no attribute {name!r}")
