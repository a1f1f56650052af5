from __future__ import annotations

from pathlib import Path

import pytest

from regiopol.core.paths import DEFAULT_RAW_DIR

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def disk_cache(tmp_path_factory) -> Path:
    """A fresh disk cache for the test session (kernels started by tests inherit it): no result
    of an earlier session or of the user's runs can stand in for a computation under test."""
    from regiopol.core.cache import CACHE_ENV

    path = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(path))
        yield path


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The real official files; tests that need them are skipped where they are absent."""
    if not DEFAULT_RAW_DIR.is_dir():
        pytest.skip("official raw files (../shared/data/raw) not present")
    return DEFAULT_RAW_DIR


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


def kernel_installed(name: str) -> bool:
    """Whether the Jupyter kernel ``name`` is registered (``make install`` registers "regiopol")."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return False
    return True


def execute_for_regions(notebook: Path, slugs, out: Path) -> dict:
    """Run a module notebook with papermill for each region, outputs under ``out``; returns the
    executed notebooks (JSON) by slug."""
    import json
    import os
    import subprocess
    import sys

    import papermill

    listed = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
                            capture_output=True, text=True, check=True)
    kernel = "regiopol" if "regiopol" in json.loads(listed.stdout)["kernelspecs"] else "python3"
    previous = os.environ.get("REGIOPOL_OUTPUT_DIR")
    os.environ["REGIOPOL_OUTPUT_DIR"] = str(out)
    try:
        executed = {}
        for slug in slugs:
            path = out / f"{notebook.stem}_{slug}.ipynb"
            papermill.execute_notebook(str(notebook), str(path), parameters={"region": slug},
                                       kernel_name=kernel, cwd=str(out), progress_bar=False)
            executed[slug] = json.loads(path.read_text(encoding="utf-8"))
    finally:
        if previous is None:
            os.environ.pop("REGIOPOL_OUTPUT_DIR", None)
        else:
            os.environ["REGIOPOL_OUTPUT_DIR"] = previous
    return executed


def read_output_table(out: Path, slug: str, name: str):
    """A CSV table of a report as written for German spreadsheets."""
    import pandas as pd

    return pd.read_csv(out / slug / "tables" / f"{name}.csv", sep=";", decimal=",", encoding="utf-8-sig",
                       dtype={"AGS": str, "Jahr": str}, thousands=None)
