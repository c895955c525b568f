"""Shared test options: ``--update-golden`` rewrites tests/golden/ from the current code."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Property tests are reproducible by default: whether the suite passes must not depend on
# which random examples one run happened to draw. HYPOTHESIS_PROFILE=explore draws new
# examples each run (and keeps failures in .hypothesis/) to hunt for bugs.
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.jsonl from the current output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
