"""Find and load the platform project a command acts on."""

from __future__ import annotations

from pathlib import Path

from polaris.core.project import Project
from polaris.project.load import find_config, load_project

__all__ = ["open_project"]


def open_project(path: Path | None) -> Project:
    """Load the project at ``path`` (a repo dir or a config file), else search upwards from here."""
    return load_project(find_config(path if path is not None else Path.cwd()))
