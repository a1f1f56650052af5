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
