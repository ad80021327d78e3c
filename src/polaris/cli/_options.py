"""Options shared by every command group, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "DryRunOption",
    "JsonOption",
    "PinOption",
    "PriorityOption",
    "ProjectOption",
    "split_priority",
]

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change (a diff) and write nothing.")
]
ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-C",
        help="Platform repository (or its polaris.toml); default: search upwards from here.",
        envvar="POLARIS_PROJECT",
        show_default=False,
    ),
]

# -- resolution (compat resolve, platform plan) ----------------------------------------------------

PinOption = Annotated[
    list[str] | None,
    typer.Option("--pin", help="NAME=VERSION that must be kept (repeatable)."),
]
PriorityOption = Annotated[
    str | None,
    typer.Option("--priority", help="Comma-separated components whose newest versions win."),
]


def split_priority(priority: str | None) -> list[str]:
    """``"api, agents"`` -> ``["api", "agents"]``."""
    return [p.strip() for p in (priority or "").split(",") if p.strip()]
