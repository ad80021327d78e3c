"""``polaris serve``: the HTTP API and dashboard under uvicorn.

The app is started by import string (``polaris.api.app:create_app``, a factory) so the CLI never
imports the API layer. Settings reach it through ``POLARIS_*`` environment variables; ``--demo``
sets ``POLARIS_DEMO`` and ``POLARIS_ANONYMOUS_READ`` so the demo platform is readable without a
token (writes still need one: ``polaris token create --role admin``).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load a demo platform; allow reads without a token.")
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes (they share the store).")
    ] = 1,
    log_level: Annotated[str, typer.Option("--log-level")] = "info",
) -> None:
    """Serve the registry API (/api/v1), the dashboard (/), /health, /ready and /metrics."""
    import uvicorn

    if demo:
        os.environ["POLARIS_DEMO"] = "1"
        os.environ.setdefault("POLARIS_ANONYMOUS_READ", "1")
    typer.echo(f"Polaris on http://{host}:{port}/ (API: /api/v1, docs: /api/v1/docs)")
    uvicorn.run(
        "polaris.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        # Access logs carry paths and status only; tokens travel in headers and never appear.
        access_log=True,
    )
