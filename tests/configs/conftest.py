"""Shared helpers: a copy of the sample platform's configuration in a temporary repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding the sample's polaris.toml and config/ (version 2.1.0, a schema)."""
    dest = tmp_path / "repo"
    dest.mkdir()
    shutil.copy(EXAMPLE / "polaris.toml", dest / "polaris.toml")
    shutil.copytree(EXAMPLE / "config", dest / "config")
    return dest
