"""Where governance commands go: one request to ``/api/v1`` through :class:`polaris.client.Client`.

With ``POLARIS_URL`` set the client talks to that server (``POLARIS_TOKEN``); otherwise it runs
the application in-process on the local store, acting as ``POLARIS_USER`` (default: the OS user)
with admin rights on its own files. Either way the operation is the same route over the same
service, so a command prints the same output.
"""

from __future__ import annotations

import os
from typing import Any

from polaris.cli._resources import close_all, on_close
from polaris.client import Client
from polaris.settings import Settings

__all__ = ["GovernanceClient", "open_governance"]


class GovernanceClient:
    """One call per governance operation: ``call(method, path, body, dry_run)`` -> JSON."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        dry_run: bool = False,
    ) -> Any:
        """Perform the operation the API exposes at ``method path``."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if dry_run:
            query["dry_run"] = "true"
        return self.client.call(method, path, json=body, params=query)


def open_governance(settings: Settings | None = None) -> GovernanceClient:
    """The server at ``POLARIS_URL`` when it is set, else the local store in-process."""
    close_all()  # what an earlier command in this process left open
    settings = settings or Settings()
    if settings.url:
        token = None if settings.token is None else settings.token.get_secret_value()
        client = Client.remote(settings.url, token)
    else:
        client = Client.local(settings, user=os.environ.get("POLARIS_USER") or None)
    on_close(client.close)
    return GovernanceClient(client)
