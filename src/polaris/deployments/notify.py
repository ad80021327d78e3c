"""Notifications of rollbacks: a JSON POST to each configured webhook."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

__all__ = ["notify_all"]


def notify_all(urls: Iterable[str], payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """POST ``payload`` to every URL; ``(url, "200" | "unreachable: ...")`` for each.

    A failing webhook is reported, never raised: the rollback has happened either way.
    """
    out: list[tuple[str, str]] = []
    for url in urls:
        try:
            r = httpx.post(url, json=dict(payload), timeout=5)
            out.append((url, str(r.status_code)))
        except httpx.HTTPError as exc:
            out.append((url, f"unreachable: {type(exc).__name__}"))
    return out
