"""``polaris images``: tags and labels for a build, registry listing, retention, promotion, pins."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    help="Container images: tags, retention and promotion on an OCI registry (seed 9.2).",
    no_args_is_help=True,
)
