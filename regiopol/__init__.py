"""regiopol – analysis suite for the German Regiopolen and their regions."""

from regiopol.errors import (
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
]
