"""Test-wide isolation: no test sees the developer's environment or git config."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

_KEEP = (
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "LC_ALL",
    "SYSTEMROOT",
    "POLARIS_REQUIRE_SERVICES",
    "POLARIS_NODE_SEMVER",
    "VIRTUAL_ENV",
    "PYTHONPATH",
)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drop CI and POLARIS_* variables a test did not set itself (they change outputs)."""
    for name in list(os.environ):
        if name in _KEEP:
            continue
        if name.startswith(("POLARIS_", "GIT_", "CI", "BUILD_", "GITHUB_", "BRANCH_NAME")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _close_cli_clients() -> Iterator[None]:
    """Close the API clients a CLI command opened (``polaris.main`` does it after each command)."""
    yield
    from polaris.cli._resources import close_all

    close_all()


# The live-server and browser fixtures, shared by every capability's HTTP tests.
from tests._live import api, browser_page  # noqa: E402, F401 - fixtures
