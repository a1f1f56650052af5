"""The project's one error hierarchy.

Every message names where the problem is (file, line, field) and what to do about it,
so a planner who edits a configuration file or drops in a fresh official download can
fix the input without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["RegiopolError", "InputFormatError", "MissingInputError", "ConfigError", "CheckError"]


class RegiopolError(Exception):
    """Base class of all errors the suite raises on purpose."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.fix:
            text += f" – Fix: {self.fix}"
        return text

    def __reduce__(self):  # keep the keyword arguments when pickled (worker processes)
        return (_rebuild, (type(self), self.problem, self.file, self.line, self.field, self.fix))


def _rebuild(cls, problem, file, line, field, fix):
    return cls(problem, file=file, line=line, field=field, fix=fix)


class InputFormatError(RegiopolError):
    """An input file does not have the official format it should have."""


class MissingInputError(RegiopolError):
    """A file or directory the suite needs does not exist."""


class ConfigError(RegiopolError):
    """A project configuration file (e.g. data/regions.toml) is invalid."""


class CheckError(RegiopolError):
    """A derived table violates an invariant or does not match its provenance record."""
