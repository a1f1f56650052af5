from __future__ import annotations

from pathlib import Path

import pytest

from regiopol.paths import DEFAULT_RAW_DIR

FIXTURES = Path(__file__).parent / "fixtures"


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
