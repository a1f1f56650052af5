"""One cache for the library: results kept in memory for the process, and results worth
keeping between processes on disk.

* :func:`memo` – ``functools.lru_cache`` that registers the function; :func:`clear_caches`
  (also ``regiopol.clear_caches()``) empties every registered cache, e.g. after editing a
  TOML file in JupyterLab.
* :func:`disk` – keeps a function's result as a pickle in :func:`cache_dir` (one directory,
  never under ``outputs/``), keyed by its arguments, the data hash (table hashes of
  ``data/provenance.json``, ``data/*.toml`` and the rate files the computation reads) and the
  library hash (the source of ``regiopol/core``, ``regiopol/data``, ``regiopol/regions.py`` and
  ``regiopol/methods`` – what a result can depend on; report and run code is left out). A
  rebuilt table, an edited TOML or a changed method gives a new key, so nothing goes stale;
  the entry of the old key is removed when the new one is written.

The pickles are trusted input: the cache directory must be writable by its owner only.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import pickle
import sys
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path

from regiopol.core.files import write_atomic
from regiopol.core.paths import PROJECT_ROOT, data_dir, rates_dir

__all__ = ["CACHE_ENV", "DEFAULT_CACHE_DIR", "LIBRARY_PARTS", "PACKAGE_DIR", "SUFFIX", "memo",
           "clear_caches", "cache_dir", "library_hash", "data_hash", "fingerprint", "disk"]

CACHE_ENV = "REGIOPOL_CACHE_DIR"
DEFAULT_CACHE_DIR = PROJECT_ROOT / ".cache" / "regiopol"
LIBRARY_PARTS = ("core", "data", "regions.py", "methods")
PACKAGE_DIR = Path(__file__).resolve().parents[1]
SUFFIX = ".pickle"

_registry: weakref.WeakSet = weakref.WeakSet()


def memo(function: Callable | None = None, *, maxsize: int | None = None):
    """``functools.lru_cache(maxsize)`` whose cache :func:`clear_caches` empties; use as ``@memo``
    or ``@memo(maxsize=8)``."""
    def wrap(f: Callable):
        cached = functools.lru_cache(maxsize=maxsize)(f)
        _registry.add(cached)
        return cached

    return wrap if function is None else wrap(function)


def clear_caches() -> None:
    """Empty every in-process cache of the library (tables, configuration, models, hashes).

    The disk cache needs no clearing: its keys follow the data and the code."""
    for cached in list(_registry):
        cached.cache_clear()


def cache_dir() -> Path:
    """The disk cache: ``$REGIOPOL_CACHE_DIR``, else ``.cache/regiopol`` in the project root."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def _sha256(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part + b"\0")
    return digest.hexdigest()


def _files(paths: Iterable[Path], root: Path) -> Iterable[bytes]:
    """Name and content of each file; a missing file counts as such (its reader reports it)."""
    for path in sorted(paths):
        yield path.relative_to(root).as_posix().encode()
        yield path.read_bytes() if path.is_file() else b"(missing)"


def library_hash() -> str:
    """Hash of the source a cached result can depend on (:data:`LIBRARY_PARTS`)."""
    return _library_hash(str(PACKAGE_DIR))


@memo
def _library_hash(package: str) -> str:
    root = Path(package)
    paths = [p for part in LIBRARY_PARTS for p in ([root / part] if part.endswith(".py") else
                                                 (root / part).rglob("*.py"))]
    return _sha256(_files(paths, root))


def data_hash(rates: Iterable[str] = ()) -> str:
    """Hash of the committed tables (their sha256 in provenance.json), ``data/*.toml`` and the
    named files of the rates directory."""
    return _data_hash(str(data_dir()), str(rates_dir()) if rates else "", tuple(sorted(rates)))


@memo
def _data_hash(directory: str, rates_directory: str, rates: tuple[str, ...]) -> str:
    root = Path(directory)
    provenance = root / "provenance.json"
    tables = json.loads(provenance.read_text(encoding="utf-8")).get("tables", {}) if provenance.is_file() else {}
    parts = [f"{name}={record.get('sha256')}".encode() for name, record in sorted(tables.items())]
    parts += _files(root.glob("*.toml"), root)
    if rates:
        parts += _files([Path(rates_directory) / name for name in rates], Path(rates_directory))
    return _sha256(parts)


def fingerprint(value) -> str:
    """Content hash of a function's arguments: tables and arrays by their values, everything
    else by its pickle."""
    return _sha256(_parts(value))


def _parts(value) -> Iterable[bytes]:
    pd, np = sys.modules.get("pandas"), sys.modules.get("numpy")
    if isinstance(value, (tuple, list)):
        yield type(value).__name__.encode()
        for item in value:
            yield from _parts(item)
    elif isinstance(value, dict):
        for key in sorted(value, key=repr):
            yield repr(key).encode()
            yield from _parts(value[key])
    elif pd is not None and isinstance(value, (pd.DataFrame, pd.Series)):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        yield repr((type(value).__name__, list(frame.columns), [str(t) for t in frame.dtypes])).encode()
        try:
            yield pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        except TypeError:  # unhashable cells (lists, dicts)
            yield pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    elif np is not None and isinstance(value, np.ndarray):
        yield repr((value.dtype.str, value.shape)).encode()
        yield np.ascontiguousarray(value).tobytes()
    else:
        yield pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def disk(function: Callable | None = None, *, rates: Iterable[str] = ()):
    """Keep the result of ``function`` in :func:`cache_dir`, keyed by its arguments, the data
    hash (with the rate files ``rates`` it reads) and the library hash; use as ``@disk`` or
    ``@disk(rates=(...))``. An unreadable entry is computed again."""
    rates = tuple(rates)

    def wrap(f: Callable):
        name = f"{f.__module__}.{f.__qualname__}"
        signature = inspect.signature(f)

        def entry(*args, **kwargs) -> Path:
            """Where the result for these arguments is (or would be) kept."""
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()  # f(2) and f(x=2) share one entry
            arguments = fingerprint(dict(bound.arguments))[:20]
            state = _sha256([data_hash(rates).encode(), library_hash().encode()])[:20]
            return cache_dir() / name / f"{arguments}-{state}{SUFFIX}"

        @functools.wraps(f)
        def cached(*args, **kwargs):
            try:
                path = entry(*args, **kwargs)
            except (pickle.PicklingError, TypeError, AttributeError):  # e.g. a lambda: no key, no cache
                return f(*args, **kwargs)
            try:
                with open(path, "rb") as stream:
                    return pickle.load(stream)
            except FileNotFoundError:
                pass
            except Exception:  # noqa: BLE001 – a truncated or foreign entry is recomputed and replaced
                path.unlink(missing_ok=True)
            result = f(*args, **kwargs)
            try:
                write_atomic(path, lambda tmp: Path(tmp).write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
                arguments = path.name.split("-")[0]
                for old in path.parent.glob(f"{arguments}-*{SUFFIX}"):
                    if old != path:
                        old.unlink(missing_ok=True)
            except OSError:  # a read-only or full disk costs the next process the computation, nothing else
                pass
            return result

        cached.entry = entry
        return cached

    return wrap if function is None else wrap(function)
