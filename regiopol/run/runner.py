"""The batch machine behind ``regiopol run``: every module notebook for every region.

:func:`discover` finds the notebooks ``NN_name.ipynb`` (in order), :func:`select_tasks`
builds the list region × module, and :func:`run` executes it with papermill – a fresh
kernel per notebook, in parallel worker processes, one retry when a kernel fails to start,
a per-cell timeout – and exports German HTML reports (:mod:`regiopol.report.html`).

* Continue on error: a failing notebook is recorded (status, error excerpt) and the rest
  still runs; :attr:`RunResult.exit_code` is 1 when anything failed.
* Incremental: a (region, module) whose inputs – the notebook, the library source
  ``regiopol/**/*.py`` and templates, the data tables (provenance sha256) and
  ``data/*.toml``, and its parameters – are unchanged since its last successful run is
  skipped. Skipping everything imports neither papermill nor nbconvert and starts no kernel.
* Atomic: executed notebook, HTML, ``run.json`` and ``index.html`` are written to temporary
  files and renamed; a crash or Ctrl-C never leaves a half-written file, and the manifest is
  updated after every finished task, so the next run completes the rest.

Outputs under ``output`` (default ``$REGIOPOL_OUTPUT_DIR`` or ``outputs/``)::

    <region>/<NN_module>.ipynb   executed notebook
    <region>/<NN_module>.html    report page (without code)
    <region>/<NN_module>.failed.ipynb   executed notebook of a failed run (for debugging)
    index.html                   all regions × modules, key figures, status, links
    run.json                     manifest: versions, hashes, timings, status, errors
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from regiopol.core.errors import ConfigError, MissingInputError, RegiopolError
from regiopol.core.files import write_atomic, write_text_atomic
from regiopol.core.outputs import OUTPUTS_ENV, output_root
from regiopol.core.paths import PROJECT_ROOT, data_dir
from regiopol.methods import shared

if TYPE_CHECKING:
    from regiopol.regions import Registry

__all__ = ["NOTEBOOK_NAME", "DEFAULT_NOTEBOOKS_DIR", "DEFAULT_KERNEL", "MANIFEST_NAME", "LOCK_NAME",
           "INDEX_NAME", "LIBRARY_DIR", "MANIFEST_FORMAT", "ERROR_EXCERPT_CHARS", "SCHEDULER_TIMEOUT",
           "KERNEL_ARGUMENTS", "CELL_TIMEOUT", "RETRY_DELAY", "DATA_VINTAGE_LABEL", "Module", "discover",
           "Task", "select_tasks", "library_hash", "data_hash", "parameters_hash", "data_vintage",
           "execute_notebook", "kernel_transport", "is_kernel_start_failure", "TaskSpec", "TaskOutcome",
           "run_task_in_subprocess", "TaskResult", "RunResult", "RunOptions", "TaskHashes", "Plan",
           "plan_run", "RunRecord", "run", "write_index"]

NOTEBOOK_NAME = re.compile(r"^(\d{2})_([a-z0-9][a-z0-9_]*)\.ipynb$")
DEFAULT_NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
DEFAULT_KERNEL = "regiopol"
MANIFEST_NAME = "run.json"
LOCK_NAME = ".regiopol.lock"
INDEX_NAME = "index.html"
LIBRARY_DIR = Path(__file__).resolve().parents[1]
MANIFEST_FORMAT = 1
ERROR_EXCERPT_CHARS = 1500
SCHEDULER_TIMEOUT = 30.0  # seconds to connect to a Dask scheduler
# jupyter_client ≥ 8 interrupts a kernel before shutting it down, and ipykernel logs the SIGINT
# as "ERROR | KeyboardInterrupt caught in kernel." on the terminal after every report. Cell
# errors are recorded in the executed notebook and a dead kernel fails its report, so the
# kernel's own log adds nothing but that noise.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
CELL_TIMEOUT = 600  # seconds per cell: a hung kernel fails its report instead of the whole batch
RETRY_DELAY = 1.0  # seconds before the one retry after a kernel failed to start
DATA_VINTAGE_LABEL = "Bevölkerung am 31.12.2020, Gebietsstand 30.11.2021"

_KERNEL_START_FAILURE = re.compile(
    r"kernel died before replying|kernel didn't respond|kernel did not respond|address already in use|"
    r"kernel failed to start|timeout waiting for kernel_info|zmq", re.I)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# ------------------------------------------------------------------------------ discovery

@dataclass(frozen=True)
class Module:
    """A module notebook ``NN_slug.ipynb``."""

    name: str  # "00_ueberblick" – file stem, used for output names
    number: str  # "00"
    slug: str  # "ueberblick"
    path: Path
    title: str  # German module title for report titles, e.g. "Regionsüberblick"

    def matches(self, selector: str) -> bool:
        return selector in (self.name, self.number, self.slug, self.path.name)


def discover(notebooks_dir: str | Path | None = None) -> list[Module]:
    """The module notebooks ``NN_name.ipynb`` in ``notebooks_dir`` (default ``notebooks/``), in order."""
    directory = Path(notebooks_dir or DEFAULT_NOTEBOOKS_DIR)
    if not directory.is_dir():
        raise MissingInputError("notebook directory does not exist", file=directory,
                                fix="pass --notebooks DIR with the module notebooks NN_name.ipynb")
    modules = []
    for path in sorted(directory.iterdir()):
        match = NOTEBOOK_NAME.match(path.name)
        if match and path.is_file():
            modules.append(Module(name=path.stem, number=match.group(1), slug=match.group(2), path=path,
                                  title=_module_title(path, match.group(2))))
    return sorted(modules, key=lambda m: (m.number, m.name))


def _module_title(path: Path, slug: str) -> str:
    """``metadata.regiopol.title`` of the notebook, else its first level-1 Markdown heading (the
    part before " – " or ":"), else the slug."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        nb = {}
    title = (nb.get("metadata", {}).get("regiopol", {}) or {}).get("title")
    if title:
        return str(title)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for line in source.splitlines():
            heading = re.match(r"^#\s+(.+?)\s*#*\s*$", line)
            if heading:
                text = re.split(r"\s+[–—-]\s+|:\s", heading.group(1))[0].strip()
                if text and "{" not in text:
                    return text
    return slug.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Task:
    """One notebook run: a module for a region with its parameters."""

    region: str
    region_name: str
    module: Module
    parameters: Mapping[str, Any]

    @property
    def key(self) -> str:
        return f"{self.region}/{self.module.name}"

    @property
    def title(self) -> str:
        return f"{self.module.title} – {self.region_name}"


def select_tasks(
    modules: Sequence[Module],
    regions: Sequence[tuple[str, str]],
    *,
    region_filter: Iterable[str] | None = None,
    module_filter: Iterable[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> list[Task]:
    """Tasks region × module (region-major, in the order of the registry and the notebooks).

    ``regions``: (slug, name) pairs of the registry; ``region_filter``: slugs;
    ``module_filter``: ``NN_name``, ``NN`` or ``name``. Unknown selectors raise :class:`ConfigError`.
    """
    region_filter = list(region_filter or [])
    module_filter = list(module_filter or [])
    slugs = [slug for slug, _ in regions]
    for wanted in region_filter:
        if wanted not in slugs:
            raise ConfigError(f"unknown region '{wanted}'", field="--region",
                              fix=f"use one of: {', '.join(slugs)} (data/regions.toml)")
    for wanted in module_filter:
        if not any(m.matches(wanted) for m in modules):
            raise ConfigError(f"unknown module '{wanted}'", field="--module",
                              fix=f"use one of: {', '.join(m.name for m in modules) or '(no notebooks found)'}")
    chosen_modules = [m for m in modules if not module_filter or any(m.matches(w) for w in module_filter)]
    extra = dict(parameters or {})
    if "region" in extra:
        raise ConfigError("'region' cannot be passed as a module parameter", field="--param region",
                          fix="choose regions with --region SLUG")
    tasks = []
    for slug, name in regions:
        if region_filter and slug not in region_filter:
            continue
        for module in chosen_modules:
            tasks.append(Task(region=slug, region_name=name, module=module, parameters={**extra, "region": slug}))
    return tasks


# --------------------------------------------------------------------------------- hashes

def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def library_hash(directory: str | Path | None = None) -> str:
    """Content hash of the library source ``regiopol/**/*.py`` and the report templates."""
    directory = Path(directory or LIBRARY_DIR)
    digest = hashlib.sha256()
    files = [p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts
             and (p.suffix == ".py" or "templates" in p.relative_to(directory).parts)]
    for path in sorted(files):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def data_hash(directory: str | Path | None = None) -> str:
    """Content hash of the data: the sha256 of every table in provenance.json plus ``data/*.toml``."""
    directory = Path(directory or data_dir())
    digest = hashlib.sha256()
    provenance = directory / "provenance.json"
    if provenance.is_file():
        try:
            tables = json.loads(provenance.read_text(encoding="utf-8")).get("tables", {})
            for name in sorted(tables):
                digest.update(f"{name}={tables[name].get('sha256')}\n".encode())
        except ValueError:
            digest.update(provenance.read_bytes())
    for path in sorted(directory.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def parameters_hash(parameters: Mapping[str, Any]) -> str:
    return _sha256(json.dumps(parameters, sort_keys=True, default=str, ensure_ascii=False).encode())


def data_vintage(fingerprint: str) -> str:
    """German description of the data vintage for footers, with a short form of
    :func:`data_hash` so that two reports on different data can be told apart."""
    return f"{DATA_VINTAGE_LABEL} (Datensatz {fingerprint.split(':')[1][:12]})"


# ----------------------------------------------------------------------------- execution

def execute_notebook(input_path: str | Path, output_path: str | Path, parameters: Mapping[str, Any], *,
                     kernel_name: str, timeout: float | None, cwd: str | Path) -> None:
    """Run a notebook with papermill (fresh kernel) and write the executed notebook.

    The seam the tests replace: it is the only place that starts a kernel."""
    import papermill

    _check_kernel(kernel_name)
    transport = kernel_transport()
    while True:
        try:
            papermill.execute_notebook(
                str(input_path), str(output_path), parameters=dict(parameters), kernel_name=kernel_name,
                execution_timeout=timeout, cwd=str(cwd), progress_bar=False, log_output=False,
                extra_arguments=KERNEL_ARGUMENTS, **_transport_config(transport),
            )
            return
        except Exception as err:
            if transport == "ipc" and is_kernel_start_failure(err):
                transport = "tcp"  # e.g. a file system without Unix sockets: fall back to local TCP
                continue
            raise


# Unix socket paths are limited to ~107 bytes; the kernel's sockets are "<ip>-<n>".
_IPC_MAX_PATH = 100


def kernel_transport() -> str:
    """ZeroMQ transport between runner and kernel: ``ipc`` (Unix domain sockets in the temporary
    directory, a unique name per kernel) where possible, else ``tcp`` on localhost.

    IPC needs no TCP ports – no port races between parallel kernels, nothing reachable from
    other users on a shared cluster node – and keeps ipykernel from printing its warning
    "Kernel is running over TCP without encryption" once per notebook. ``REGIOPOL_KERNEL_TRANSPORT``
    (``ipc`` / ``tcp``) overrides the choice."""
    wanted = os.environ.get("REGIOPOL_KERNEL_TRANSPORT", "").strip().lower()
    if wanted in ("ipc", "tcp"):
        return wanted
    if os.name != "posix" or len(os.fsencode(_ipc_path())) > _IPC_MAX_PATH:
        return "tcp"
    return "ipc"


def _ipc_path() -> str:
    import uuid

    return os.path.join(tempfile.gettempdir(), f"regiopol-kernel-{uuid.uuid4().hex[:16]}")


def _transport_config(transport: str) -> dict:
    if transport != "ipc":
        return {}
    from traitlets.config import Config

    # an absolute, unique socket path: the default "kernel-ipc" is relative to the working
    # directory and the same for every kernel, so parallel kernels would collide
    return {"config": Config({"KernelManager": {"transport": "ipc", "ip": _ipc_path()}})}


_KERNELS_CHECKED: set[str] = set()


def _check_kernel(name: str) -> None:
    if name in _KERNELS_CHECKED:
        return
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise ConfigError(
            f"Jupyter kernel '{name}' is not installed", field="--kernel",
            fix=f"run `make install` or `{sys.executable} -m ipykernel install --sys-prefix --name {name}`",
        ) from None
    _KERNELS_CHECKED.add(name)


def is_kernel_start_failure(error: BaseException) -> bool:
    """Whether ``error`` looks like a kernel that failed to start (port race, zmq), not a cell error."""
    if type(error).__name__ in ("PapermillExecutionError", "CellTimeoutError"):
        return False
    return type(error).__name__ == "ZMQError" or bool(_KERNEL_START_FAILURE.search(str(error)))


def _atomic_notebook(path: Path, write: Callable[[str], object], failed_path: Path) -> None:
    """Write the executed notebook atomically (papermill needs the ``.ipynb`` extension); the
    partial notebook of a failed run is kept as ``failed_path``, never in place of ``path``."""
    write_atomic(path, write, suffix=".tmp.ipynb", keep_partial=failed_path)
    failed_path.unlink(missing_ok=True)


def _write_manifest(path: Path, manifest: Mapping) -> Path:
    return write_text_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")


def _error_excerpt(error: BaseException) -> str:
    if type(error).__name__ == "PapermillExecutionError":
        lines = [_ANSI.sub("", line) for line in getattr(error, "traceback", []) or []]
        head = f"{error.ename}: {error.evalue}"
        cell = getattr(error, "exec_count", None)
        where = f" (Zelle {cell})" if cell is not None else ""
        tail = "\n".join("\n".join(lines).strip().splitlines()[-8:])
        text = f"{head}{where}\n{tail}" if tail else head + where
    else:
        text = f"{type(error).__name__}: {_ANSI.sub('', str(error))}"
    text = text.strip()
    return text if len(text) <= ERROR_EXCERPT_CHARS else text[:ERROR_EXCERPT_CHARS - 1] + "…"


# ------------------------------------------------------------------------------ task specs

@dataclass(frozen=True)
class TaskSpec:
    """Everything a worker needs to run one task and export its report: picklable for the
    process pool, JSON (:meth:`to_json`) for the task process on a Dask worker."""

    region: str
    module: str  # "00_ueberblick"
    title: str  # "Regionsüberblick – Trier"
    notebook: Path
    parameters: Mapping[str, Any]
    output_dir: Path
    cwd: Path
    kernel_name: str
    timeout: float | None
    execute: bool  # False: the executed notebook is current, only its HTML page is missing
    html: bool
    run_date: str
    data_vintage: str

    @property
    def key(self) -> str:
        return f"{self.region}/{self.module}"

    @property
    def notebook_out(self) -> Path:
        return self.output_dir / self.region / f"{self.module}.ipynb"

    @property
    def html_out(self) -> Path:
        return self.notebook_out.with_suffix(".html")

    @property
    def failed_out(self) -> Path:
        """The executed notebook of a failed run, kept for debugging."""
        return self.notebook_out.with_suffix(".failed.ipynb")

    def to_json(self) -> str:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps({name: str(v) if isinstance(v, Path) else v for name, v in values.items()},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> TaskSpec:
        values = json.loads(text)
        names = {f.name for f in fields(cls)}
        missing, unknown = sorted(names - values.keys()), sorted(values.keys() - names)
        if missing or unknown:
            problems = [f"lacks {', '.join(missing)}"] if missing else []
            problems += [f"has unknown fields {', '.join(unknown)}"] if unknown else []
            raise ConfigError("task spec " + " and ".join(problems), field="--task",
                              fix="write the spec with TaskSpec.to_json() of this regiopol version")
        paths = {f.name for f in fields(cls) if f.type in (Path, "Path")}
        return cls(**{name: Path(v) if name in paths else v for name, v in values.items()})


@dataclass(frozen=True)
class TaskOutcome:
    """What a worker reports for one task."""

    key: str
    status: str  # ok | failed
    seconds: float = 0.0
    error: str | None = None
    attempts: int = 0  # kernel starts (a second one after a start failure)
    html_bytes: int | None = None

    @classmethod
    def failed(cls, key: str, error: str, seconds: float = 0.0) -> TaskOutcome:
        return cls(key, "failed", seconds, error)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> TaskOutcome:
        return cls(**json.loads(text))


@contextmanager
def _output_env(output: Path) -> Iterator[None]:
    """``REGIOPOL_OUTPUT_DIR`` for the kernels started meanwhile: notebooks save tables and
    figures under ``<output>/<region>/``."""
    previous = os.environ.get(OUTPUTS_ENV)
    os.environ[OUTPUTS_ENV] = str(output)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(OUTPUTS_ENV, None)
        else:
            os.environ[OUTPUTS_ENV] = previous


def _run_task(spec: TaskSpec) -> TaskOutcome:
    """Execute one task (in a worker process or inline) and export its HTML; never raises
    except on KeyboardInterrupt/SystemExit."""
    start = time.monotonic()
    attempts, html_bytes, error = 0, None, None
    try:
        with _output_env(spec.output_dir):
            if spec.execute:
                for attempts in (1, 2):
                    try:
                        _atomic_notebook(
                            spec.notebook_out,
                            lambda tmp: execute_notebook(spec.notebook, tmp, spec.parameters,
                                                         kernel_name=spec.kernel_name, timeout=spec.timeout,
                                                         cwd=spec.cwd),
                            spec.failed_out,
                        )
                        break
                    except Exception as err:
                        if attempts == 1 and is_kernel_start_failure(err):
                            time.sleep(RETRY_DELAY)
                            continue
                        raise
            if spec.html:
                from regiopol.report import html

                html.export_report(spec.notebook_out, spec.html_out, title=spec.title, run_date=spec.run_date,
                                   data_vintage=spec.data_vintage)
                html_bytes = spec.html_out.stat().st_size
            elif spec.execute:
                spec.html_out.unlink(missing_ok=True)  # an older page no longer matches the new notebook
    except Exception as err:  # continue on error: record it, the batch goes on
        error = _error_excerpt(err)
    return TaskOutcome(spec.key, "failed" if error else "ok", round(time.monotonic() - start, 2), error,
                       attempts, html_bytes)


_RESULT_MARKER = "REGIOPOL-TASK-RESULT "


def run_task_in_subprocess(spec: TaskSpec) -> TaskOutcome:
    """Run :func:`_run_task` for ``spec`` in a fresh ``python -m regiopol.run.runner --task`` process
    and return its outcome – the function a Dask worker executes (top level, picklable).

    A separate process per task, rather than running papermill inside the long-lived worker:
    a crash of the task (out of memory, a segfault in an extension, ``os._exit`` in the runner
    code) ends that process, not the worker; the notebook sees its own ``REGIOPOL_OUTPUT_DIR``
    without touching the worker's environment (shared by its threads); and the task imports the
    library as it is on disk now, not the version a worker imported hours ago – the one the
    manifest's library hash describes."""
    import subprocess

    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "regiopol.run.runner", "--task", "-"],
                              input=spec.to_json(), capture_output=True, text=True)
    except OSError as err:
        failure = f"Aufgabenprozess nicht gestartet: {err}"
    else:
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(_RESULT_MARKER):
                return TaskOutcome.from_json(line[len(_RESULT_MARKER):])
        tail = "\n".join(_ANSI.sub("", proc.stderr).strip().splitlines()[-8:])
        failure = f"Aufgabenprozess abgebrochen (Exit-Code {proc.returncode})" + (f"\n{tail}" if tail else "")
    return TaskOutcome.failed(spec.key, failure[:ERROR_EXCERPT_CHARS], round(time.monotonic() - start, 2))


def _task_main(argv: Sequence[str]) -> int:
    """``python -m regiopol.run.runner --task FILE|-``: run one task spec (JSON) and print the outcome."""
    if len(argv) != 2 or argv[0] != "--task":
        print("usage: python -m regiopol.run.runner --task SPEC.json|-", file=sys.stderr)
        return 2
    text = sys.stdin.read() if argv[1] == "-" else Path(argv[1]).read_text(encoding="utf-8")
    try:
        spec = TaskSpec.from_json(text)
    except RegiopolError as err:
        print(f"Fehler: {err}", file=sys.stderr)
        return 1
    sys.stdout.write("\n" + _RESULT_MARKER + _run_task(spec).to_json() + "\n")
    sys.stdout.flush()
    return 0


# ------------------------------------------------------------------------------ results

@dataclass
class TaskResult:
    region: str
    module: str
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    error: str | None = None
    attempts: int = 0
    html: str | None = None  # relative to the output directory
    html_bytes: int | None = None


@dataclass
class RunResult:
    output: Path
    results: list[TaskResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def manifest(self) -> Path:
        return self.output / MANIFEST_NAME

    @property
    def index(self) -> Path:
        return self.output / INDEX_NAME

    @property
    def failed(self) -> list[TaskResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def counts(self) -> dict[str, int]:
        counts = {"ok": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    def summary(self) -> str:
        """Table region × module with ``ok`` / ``failed`` / ``skipped`` and seconds."""
        if not self.results:
            return "Keine Notebooks ausgewählt."
        regions = list(dict.fromkeys(r.region for r in self.results))
        modules = list(dict.fromkeys(r.module for r in self.results))
        cell = {(r.region, r.module): r for r in self.results}
        rows = [["Region", *modules]]
        for region in regions:
            row = [region]
            for module in modules:
                r = cell.get((region, module))
                row.append("" if r is None else r.status if r.status == "skipped"
                           else f"{r.status} {r.seconds:.1f} s".replace(".", ","))
            rows.append(row)
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        c = self.counts()
        lines.append("")
        lines.append(f"{c['ok']} ok, {c['failed']} failed, {c['skipped']} skipped – "
                     f"{self.seconds:.1f} s".replace(".", ",") + f" – {self.index}")
        for r in self.failed:
            lines.append(f"\nFEHLER {r.region}/{r.module}:\n" + "\n".join("  " + line for line in (r.error or "").splitlines()))
        return "\n".join(lines)


def _versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for package in ("regiopol", "pandas", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel",
                    "jupyter_client"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def _load_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT else {}


# ------------------------------------------------------------------------------------ run

@contextmanager
def _output_lock(output: Path):
    """One run at a time per output directory: two runs would overwrite each other's run.json."""
    import fcntl

    output.mkdir(parents=True, exist_ok=True)
    with open(output / LOCK_NAME, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError("another `regiopol run` is writing to this output directory", file=output,
                              fix="wait until it has finished, or pass another --output DIR") from None
        yield


@dataclass(frozen=True)
class RunOptions:
    """The options of :func:`run`, normalised: absolute paths, a number of jobs."""

    notebooks_dir: Path
    output: Path
    regions: tuple[str, ...]
    modules: tuple[str, ...]
    jobs: int
    force: bool
    html: bool
    timeout: float | None
    parameters: Mapping[str, Any]
    kernel_name: str
    progress: bool
    scheduler: str | None

    def manifest(self) -> dict:
        """The ``options`` of run.json."""
        return {
            "notebooks_dir": str(self.notebooks_dir), "regions": list(self.regions), "modules": list(self.modules),
            "jobs": self.jobs, "scheduler": self.scheduler, "force": self.force, "html": self.html,
            "timeout": self.timeout, "kernel": self.kernel_name, "parameters": dict(self.parameters),
        }


@dataclass(frozen=True)
class TaskHashes:
    """The inputs of a task; it is skipped while they equal those of its last successful run."""

    notebook: str
    library: str
    data: str
    parameters: str

    @property
    def key(self) -> str:
        return _sha256(json.dumps(asdict(self), sort_keys=True).encode())


@dataclass(frozen=True)
class Plan:
    """Step 1 of a run: the selected tasks, the ones whose outputs are current (``skipped``) and
    the specs of the rest (``pending``)."""

    options: RunOptions
    started: datetime
    clock: float  # time.monotonic() at the start
    run_date: str  # German, for the pages
    registry: Registry
    modules: list[Module]
    tasks: list[Task]
    library_hash: str
    data_hash: str
    data_vintage: str
    hashes: Mapping[str, TaskHashes]  # by task key
    previous: Mapping[str, Mapping]  # the results of run.json so far, by task key
    skipped: list[Task]
    pending: list[TaskSpec]


def plan_run(options: RunOptions) -> Plan:
    """What a run does: every selected task, skipped when its inputs are unchanged since its
    last successful run and its outputs exist."""
    from regiopol import regions as region_registry

    started, clock = datetime.now().astimezone(), time.monotonic()
    run_date = started.strftime("%d.%m.%Y %H:%M")
    registry = region_registry.load()  # data/regions.toml: the file the notebooks read, part of the data hash
    modules = discover(options.notebooks_dir)
    tasks = select_tasks(modules, [(r.slug, r.name) for r in registry], region_filter=options.regions,
                         module_filter=options.modules, parameters=options.parameters)
    lib_hash, dat_hash = library_hash(), data_hash()
    vintage = data_vintage(dat_hash)
    previous = _load_manifest(options.output / MANIFEST_NAME).get("results", {})

    hashes: dict[str, TaskHashes] = {}
    skipped: list[Task] = []
    pending: list[TaskSpec] = []
    for task in tasks:
        hashes[task.key] = TaskHashes(notebook=_sha256(task.module.path.read_bytes()), library=lib_hash,
                                      data=dat_hash, parameters=parameters_hash(task.parameters))
        spec = TaskSpec(region=task.region, module=task.module.name, title=task.title, notebook=task.module.path,
                        parameters=dict(task.parameters), output_dir=options.output, cwd=options.notebooks_dir,
                        kernel_name=options.kernel_name, timeout=options.timeout, execute=True, html=options.html,
                        run_date=run_date, data_vintage=vintage)
        old = previous.get(task.key, {})
        current = (not options.force and old.get("status") == "ok" and old.get("key") == hashes[task.key].key
                   and spec.notebook_out.is_file())
        if current and (not options.html or spec.html_out.is_file()):
            skipped.append(task)
        else:
            pending.append(replace(spec, execute=not current))
    return Plan(options=options, started=started, clock=clock, run_date=run_date, registry=registry,
                modules=modules, tasks=tasks, library_hash=lib_hash, data_hash=dat_hash, data_vintage=vintage,
                hashes=hashes, previous=previous, skipped=skipped, pending=pending)


def _dispatch(plan: Plan, record: Callable[[TaskSpec, TaskOutcome], None]) -> None:
    """Step 2 of a run: run every pending spec – in this process, a local process pool or on a
    Dask cluster – and record each outcome as it finishes, with one progress bar over all tasks."""
    specs, options = plan.pending, plan.options
    if not specs:
        return
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
    if options.scheduler:
        outcomes = _on_dask(specs, options.scheduler)
    elif options.jobs == 1 or len(specs) == 1:
        outcomes = ((spec, _run_task(spec)) for spec in specs)
    else:
        outcomes = _in_process_pool(specs, options.jobs)
    with tqdm(total=len(plan.tasks), initial=len(plan.skipped), desc="regiopol run", unit="Bericht",
              disable=not options.progress, file=sys.stderr, dynamic_ncols=True) as bar:
        for spec, outcome in outcomes:
            record(spec, outcome)
            bar.set_postfix_str(spec.key, refresh=False)
            bar.update()


def _in_process_pool(specs: list[TaskSpec], jobs: int) -> Iterator[tuple[TaskSpec, TaskOutcome]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    executor = ProcessPoolExecutor(max_workers=min(jobs, len(specs)))
    try:
        futures = {executor.submit(_run_task, spec): spec for spec in specs}
        for future in as_completed(futures):
            spec = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool as err:
                outcome = TaskOutcome.failed(spec.key, f"Arbeitsprozess abgebrochen: {err}")
            yield spec, outcome
    except BaseException:  # also when the consumer stops (Ctrl-C): do not wait for running notebooks
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def _on_dask(specs: list[TaskSpec], scheduler: str) -> Iterator[tuple[TaskSpec, TaskOutcome]]:
    """Submit every spec to the Dask scheduler at ``scheduler``; yield outcomes as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ConfigError("--scheduler needs Dask distributed", field="--scheduler",
                          fix="pip install 'dask[distributed]' (and dask-jobqueue for SLURM)") from None
    try:
        client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {err}", field="--scheduler",
                          fix="start the cluster first (dask scheduler / dask-jobqueue) and pass its address") from None
    futures = {}
    try:
        for spec in specs:
            # pure=False: the same spec again (--force) must run again; key readable in the dashboard
            future = client.submit(run_task_in_subprocess, spec, pure=False,
                                   key=f"regiopol-{spec.key}-{os.urandom(4).hex()}")
            futures[future] = spec
        for future in as_completed(list(futures), loop=client.loop):
            spec = futures[future]
            try:
                outcome = future.result()
            except Exception as err:  # worker lost (KilledWorker), cancelled, …
                outcome = TaskOutcome.failed(spec.key, _error_excerpt(err))
            yield spec, outcome
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        client.close()


class RunRecord:
    """Step 3 of a run: the manifest run.json – rewritten after every finished task, so that an
    interrupted run keeps what is done –, the :class:`RunResult` and, at the end, the index page."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.entries: dict[str, dict] = dict(plan.previous)
        self.this_run: dict[str, str] = {}
        self.result = RunResult(output=plan.options.output)
        self.manifest = {
            "format": MANIFEST_FORMAT,
            "run_date": plan.started.isoformat(timespec="seconds"),
            "data_vintage": plan.data_vintage,
            "versions": _versions(),
            "hashes": {"library": plan.library_hash, "data": plan.data_hash},
            "options": plan.options.manifest(),
            "modules": [{"name": m.name, "title": m.title, "notebook": str(m.path)} for m in plan.modules],
            "results": self.entries,
        }
        for task in plan.skipped:
            old = self.entries[task.key]
            self.this_run[task.key] = "skipped"
            self.result.results.append(TaskResult(task.region, task.module.name, "skipped",
                                                  html=old.get("html"), html_bytes=old.get("html_bytes")))

    def task(self, spec: TaskSpec, outcome: TaskOutcome) -> None:
        """Record one finished task and rewrite run.json."""
        old = self.entries.get(spec.key, {})
        ok = outcome.status == "ok"
        html_rel = f"{spec.key}.html" if spec.html and ok else None
        hashes = self.plan.hashes[spec.key]
        entry = {
            "region": spec.region, "module": spec.module, "title": spec.title,
            "status": outcome.status, "seconds": outcome.seconds, "error": outcome.error,
            "attempts": outcome.attempts,
            "notebook": f"{spec.key}.ipynb" if ok else None,
            "html": html_rel, "html_bytes": outcome.html_bytes,
            "parameters": dict(spec.parameters),
            "hashes": asdict(hashes),
            "key": hashes.key if ok else None,
            "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        if not spec.execute and ok:  # export only: keep the timing of the execution
            entry["seconds"] = old.get("seconds", outcome.seconds)
            entry["finished"] = old.get("finished", entry["finished"])
        if outcome.status == "failed" and old.get("status") == "ok":
            entry["last_ok"] = old.get("last_ok") or old.get("finished")
        self.entries[spec.key] = entry
        self.this_run[spec.key] = outcome.status
        self.result.results.append(TaskResult(spec.region, spec.module, outcome.status, outcome.seconds,
                                              outcome.error, outcome.attempts, html_rel, outcome.html_bytes))
        self._write()

    def finish(self) -> RunResult:
        """The summary in run.json, the index page and the results in the order of the tasks."""
        plan = self.plan
        order = {task.key: i for i, task in enumerate(plan.tasks)}
        self.result.results.sort(key=lambda r: order.get(f"{r.region}/{r.module}", len(order)))
        self.manifest["summary"] = self.result.counts()
        self.manifest["this_run"] = self.this_run
        self._write()
        self.result.seconds = self.manifest["seconds"]
        write_index(plan.options.output, registry=plan.registry, modules=plan.modules, entries=self.entries,
                    this_run=self.this_run, run_date=plan.run_date, data_vintage=plan.data_vintage)
        return self.result

    def _write(self) -> None:
        self.manifest["seconds"] = round(time.monotonic() - self.plan.clock, 2)
        _write_manifest(self.plan.options.output / MANIFEST_NAME, self.manifest)


def run(
    *,
    notebooks_dir: str | Path | None = None,
    output: str | Path | None = None,
    regions: Iterable[str] | None = None,
    modules: Iterable[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    html: bool = True,
    timeout: float | None = CELL_TIMEOUT,
    parameters: Mapping[str, Any] | None = None,
    kernel_name: str = DEFAULT_KERNEL,
    progress: bool = True,
    scheduler: str | None = None,
) -> RunResult:
    """Run the module notebooks of ``notebooks_dir`` for the regions (all of data/regions.toml
    unless ``regions`` names slugs) into ``output``; see the module docstring.

    ``modules``: ``NN_name``, ``NN`` or ``name`` selectors; ``jobs``: worker processes
    (default: number of cores; 1 runs inline); ``force``: ignore the manifest and rerun;
    ``html``: export HTML reports; ``timeout``: seconds per cell; ``parameters``: extra
    notebook parameters for every module (besides ``region``); ``scheduler``: address of a
    Dask distributed scheduler (``tcp://host:8786``) – the tasks then run on its workers, each
    in its own subprocess (:func:`run_task_in_subprocess`), writing to ``output``, which must be
    a directory shared with the workers; skipping, manifest and index stay here.

    Three steps: :func:`plan_run` (what to run, what is current), :func:`_dispatch` (execute),
    :class:`RunRecord` (run.json after every task, the index at the end).
    """
    options = RunOptions(
        notebooks_dir=Path(notebooks_dir or DEFAULT_NOTEBOOKS_DIR).resolve(),
        output=Path(output or output_root()).resolve(),
        regions=tuple(regions or ()), modules=tuple(modules or ()),
        jobs=max(1, int(jobs or os.cpu_count() or 1)), force=force, html=html, timeout=timeout,
        parameters=dict(parameters or {}), kernel_name=kernel_name, progress=progress, scheduler=scheduler,
    )
    with _output_lock(options.output):
        plan = plan_run(options)
        record = RunRecord(plan)
        shared.warm({spec.module for spec in plan.pending if spec.execute})  # region-independent results, once
        _dispatch(plan, record.task)
        return record.finish()


def write_index(output: Path, *, registry, modules: Sequence[Module], entries: Mapping[str, Mapping],
                this_run: Mapping[str, str], run_date: str, data_vintage: str) -> Path:
    """Write ``<output>/index.html`` atomically: all regions × modules with status and links."""
    from regiopol import regions as region_registry
    from regiopol.report import html

    table = region_registry.overview(registry)
    rows = []
    for region, (_, figures) in zip(registry, table.iterrows()):
        row = {"slug": region.slug, "name": region.name}
        row.update(figures.to_dict())
        if region.lead_area != "unknown":  # say how certain the lead area is, as the reports do
            row["Leitthema"] += f" ({region_registry.LEAD_AREA_STATUS[region.lead_area_status]})"
        rows.append(row)
    results = {}
    for region in registry:
        for module in modules:
            key = f"{region.slug}/{module.name}"
            entry = dict(entries.get(key, {"status": "pending"}))
            if this_run.get(key) == "skipped":
                entry["status"] = "skipped"
            if entry.get("html") and not (output / entry["html"]).is_file():
                entry["html"] = None
            results[(region.slug, module.name)] = entry
    page = html.render_index(regions=rows, modules=[{"name": m.name, "title": m.title} for m in modules],
                               results=results, run_date=run_date, data_vintage=data_vintage)
    return write_text_atomic(output / INDEX_NAME, page)


if __name__ == "__main__":
    from regiopol.run.runner import _task_main as _main  # the importable module, not a second copy

    sys.exit(_main(sys.argv[1:]))
