"""One declarative schema for every ``data/*.toml``: :func:`load` reads a file, checks it against
nested :class:`Field`, :class:`Table`, :class:`Array` and :class:`Either` specs and raises one
ConfigError naming the file, the table path (``trier.kreise[1]``, ``two_step_fca.threshold_km``)
and the fix. What one field cannot express is a small rule callable on its table, e.g.
``Table({"beta": Field(float, min=0), "source": SOURCE}, rules=(beta_below_alpha,))``."""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from regiopol.core.errors import ConfigError

__all__ = ["VERIFICATION", "Field", "Table", "Array", "Either", "optional", "SOURCE", "VERIFICATION_FIELD",
           "IDENTIFIER", "Invalid", "load"]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VERIFICATION = ("official", "derived", "example", "UNVERIFIED")
_MISSING = object()
_WHAT = {str: ("a text in quotes", '"…"'), int: ("a whole number", "2020"), float: ("a finite number", "1.0"),
         bool: ("true or false", "true (without quotes)"), dt.date: ("a date", "2026-11-26 (unquoted, YYYY-MM-DD)")}


@dataclass(frozen=True)
class Field:
    """A value of ``type`` str, int, float (int or float, finite), bool or datetime.date; ``above``
    is an exclusive lower bound; ``choices`` may be a callable of the raw file."""

    type: type = str
    required: bool = True
    default: Any = _MISSING
    min: float | None = None
    max: float | None = None
    above: float | None = None
    choices: Collection | Callable[[dict], Collection] | None = None
    pattern: str | None = None
    what: str | None = None  # "a 5-digit Kreis code" for a pattern, "infrastructure area" for choices
    unit: str = ""
    fix: str | None = None


@dataclass(frozen=True)
class Table:
    """Declared ``fields``; ``extra``, the spec of any other key (per-key tables such as
    ``[variant.NAME]``; None: other keys are errors); ``cases`` = (field, {value: Table}), more
    fields and rules by a field's value; ``rules``, callables (table, raw file) that raise
    :class:`Invalid`. In :class:`Either`, the table is chosen only if key ``when`` is given."""

    fields: dict[str, Any]
    extra: Any = None
    cases: tuple[str, dict[str, Table]] | None = None
    rules: tuple[Callable[[dict, dict], None], ...] = ()
    required: bool = True
    when: str | None = None


@dataclass(frozen=True)
class Array:
    """A list of ``item``. Arrays of tables, ``[[name]]`` blocks, are named in messages by their
    field ``key`` (else ``name #n``), and no two blocks may share it."""

    item: Any
    length: int | None = None
    required: bool = True
    key: str | None = None
    fix: str | None = None


@dataclass(frozen=True)
class Either:
    """One of the ``options``: the first of the value's kind (number, text, table, list)."""

    options: tuple
    required: bool = True
    fix: str | None = None


def optional(spec, **changes):
    return replace(spec, required=False, **changes)


SOURCE = Field(str, what="a source text")
VERIFICATION_FIELD = Field(str, choices=VERIFICATION)
IDENTIFIER = Field(str, pattern=r"[a-z][a-z0-9_]*", what="a lower-case identifier", fix="use a–z, 0–9 and _ only")


class Invalid(Exception):
    """(table path, problem, fix); a rule raises it with a key of its own table as the path."""


def load(path: str | Path, schema: Table, *, what: str = "configuration file") -> dict:
    """Read the TOML file ``path`` and check it against ``schema``: plain dicts and lists, defaults
    filled in. Any failure, a TOML syntax error too, is a ConfigError naming the file."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return _check(schema, raw, "", raw)
    except Invalid as err:
        where, problem, fix = err.args
        raise ConfigError(problem, file=path, field=where or None, fix=fix) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} is not UTF-8", file=path, fix="save the file as UTF-8") from None
    except FileNotFoundError:
        raise ConfigError(f"{what} does not exist", file=path,
                          fix=f"restore data/{path.name} from git or pass the right path") from None
    except OSError as err:
        raise ConfigError(f"{what} cannot be read ({err.strerror})", file=path,
                          fix="pass the path of the TOML file itself") from None
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        raise ConfigError(f"not valid TOML: {err}", file=path, line=int(line[1]) if line else None,
                          fix="check quotes, brackets and commas at the line given") from None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path and key else path or key


def _matches(spec, value) -> bool:
    if isinstance(spec, Either):
        return False  # no option fits
    if isinstance(spec, Table):
        return isinstance(value, dict) and (spec.when is None or spec.when in value)
    if isinstance(spec, Array):
        return isinstance(value, list)
    if isinstance(value, bool) or spec.type is bool:
        return isinstance(value, bool) and spec.type is bool
    if spec.type is float:
        return isinstance(value, (int, float)) and math.isfinite(value)
    return isinstance(value, spec.type) and not isinstance(value, dt.datetime)


def _describe(spec) -> str:
    if isinstance(spec, Either):
        return " or ".join(dict.fromkeys(_describe(o) for o in spec.options))
    if not isinstance(spec, Field):
        return "a table { … }" if isinstance(spec, Table) else "a list [ … ]"
    if spec.choices is not None and not callable(spec.choices):
        return " or ".join(f'"{c}"' for c in spec.choices)
    return spec.what or _WHAT[spec.type][0]


def _hint(spec, path: str) -> str:
    key = path.rsplit(".", 1)[-1]
    if isinstance(spec, Array) and isinstance(spec.item, Table):
        return f"write each entry as a [[{key}]] block (double brackets)"
    if isinstance(spec, Table):
        return f"add the table [{path}] (see the file header)"
    return spec.fix or (f"write {key} = {_WHAT[spec.type][1]}" if isinstance(spec, Field)
                        else f"write {key} as {_describe(spec)} (see the file header)")


def _bounds(spec: Field) -> str:
    bounds = (("at least", spec.min), ("greater than", spec.above), ("at most", spec.max))
    return " and ".join(f"{word} {bound}" for word, bound in bounds if bound is not None) + (
        f" ({spec.unit})" if spec.unit else "")


def _check(spec, value, path: str, root: dict):
    key = path.rsplit(".", 1)[-1]
    if isinstance(spec, Either):  # a mistyped "calibrated" fits no option
        spec = next((o for o in spec.options if _matches(o, value)
                     and value in (getattr(o, "choices", None) or [value])), spec)
    if isinstance(spec, Array):
        return _array(spec, value, path, root)
    if not _matches(spec, value):
        raise Invalid(path, f"{key} {value!r} is not {_describe(spec)}", _hint(spec, path))
    if isinstance(spec, Table):
        return _table(spec, value, path, root)
    if isinstance(value, str):
        value = value.strip()
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            raise Invalid(path, f"{key} {value!r} is not {spec.what}", _hint(spec, path))
    if spec.type in (int, float) and not ((spec.min is None or value >= spec.min)
                                          and (spec.above is None or value > spec.above)
                                          and (spec.max is None or value <= spec.max)):
        raise Invalid(path, f"{key} {value!r} must be {_bounds(spec)}",
                      spec.fix or f"give {key} {_WHAT[spec.type][0]} {_bounds(spec)}")
    choices = spec.choices(root) if callable(spec.choices) else spec.choices
    if choices is not None and value not in choices:
        raise Invalid(path, f"unknown {spec.what or key} {value!r}", f"use one of: {', '.join(choices)}")
    return value


def _field(out: dict, name: str, spec, value: dict, path: str, root: dict) -> None:
    """Check ``value[name]`` into ``out[name]``; a left-out optional field gets its default, if any."""
    given, where = value.get(name, _MISSING), _join(path, name)
    empty = given is _MISSING or (given.strip() == "" if isinstance(given, str) else given in ([], {}))
    if not empty or (given is not _MISSING and not spec.required):
        out[name] = _check(spec, given, where, root)
    elif spec.required:
        raise Invalid(where, f"required field '{name}' is missing or empty", _hint(spec, where))
    elif getattr(spec, "default", _MISSING) is not _MISSING:
        out[name] = spec.default


def _table(spec: Table, value: dict, path: str, root: dict) -> dict:
    fields, rules, out = dict(spec.fields), spec.rules, {}
    if spec.cases is not None:
        name, cases = spec.cases
        _field(out, name, fields.pop(name), value, path, root)
        fields.update(cases[out[name]].fields)
        rules += cases[out[name]].rules
    for name, sub in fields.items():
        _field(out, name, sub, value, path, root)
    for name in [n for n in value if n not in fields and n not in out]:
        if spec.extra is None:
            raise Invalid(_join(path, name), f"unknown field '{name}'",
                          f"check the spelling; fields here: {', '.join(fields)}")
        out[name] = _check(spec.extra, value[name], _join(path, name), root)
    for rule in rules:
        try:
            rule(out, root)
        except Invalid as err:
            raise Invalid(_join(path, err.args[0]), *err.args[1:]) from None
    return out


def _array(spec: Array, value, path: str, root: dict) -> list:
    key, blocks = path.rsplit(".", 1)[-1], isinstance(spec.item, Table)
    if not isinstance(value, list) or (blocks and not all(isinstance(v, dict) for v in value)):
        raise Invalid(path, f"no [[{key}]] blocks" if blocks else f"{key} {value!r} is not a list", _hint(spec, path))
    if spec.length is not None and len(value) != spec.length:
        raise Invalid(path, f"{key} must have {spec.length} entries, not {len(value)}", _hint(spec, path))
    out, seen = [], set()
    for i, item in enumerate(value):
        label = str(item.get(spec.key) or "").strip() if blocks and spec.key else ""
        where = _join(path.rpartition(".")[0], label or f"{key} #{i + 1}") if blocks else f"{path}[{i}]"
        out.append(_check(spec.item, item, where, root))
        if label in seen:
            raise Invalid(_join(where, spec.key), f"duplicate {spec.key}: {label!r} is listed twice",
                          f"give every [[{key}]] block its own {spec.key}")
        seen.add(label or None)
    return out
