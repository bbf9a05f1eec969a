"""Shared pytest configuration for all test layers (unit, app, e2e)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"


#: Browser tests that measure time or memory under a load they make themselves (a class of
#: visitors, hostile uploads, a page's arrival, rate limits): `make test` runs them after the
#: rest, one at a time, so that another test's load never counts in their figures.
ALONE = frozenset({"test_class_budget.py", "test_class_poll_nginx.py",
                   "test_deploy_nginx_limits.py", "test_first_load.py", "test_load.py",
                   "test_resource_limits.py"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/e2e drives a real browser: mark it `e2e` (and `slow`); the
    modules of ALONE are also marked `alone`."""
    e2e_dir = REPO_ROOT / "tests" / "e2e"
    for item in items:
        if e2e_dir in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)
            if item.path.name in ALONE:
                item.add_marker(pytest.mark.alone)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """conftest.py files are plugins, not modules to search for doctests: tests/app's and
    tests/e2e's are both imported as `conftest`, and --doctest-modules importing them again
    stops the whole run with "import file mismatch"."""
    return True if collection_path.name == "conftest.py" else None


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """`test-artifacts/` at the repo root (git-ignored), created on demand."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR
