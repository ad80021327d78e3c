"""Ask a running service which configuration it runs: the hash in its readiness body."""

from __future__ import annotations

import httpx

from polaris.core.errors import CheckFailed, Location

__all__ = ["reported_hash"]


def reported_hash(url: str, field: str = "config_hash", *, timeout: float = 5.0) -> str | None:
    """The ``field`` of the JSON body at ``url`` (``None`` when the body has no such field).

    :raises CheckFailed: the service cannot be reached or does not answer JSON.
    """
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=False)
        body = response.json()
    except httpx.HTTPError as exc:
        raise CheckFailed(
            f"cannot reach the service: {exc}", location=Location(field="url")
        ) from None
    except ValueError:
        raise CheckFailed(
            "the service's answer is not JSON", location=Location(field="url")
        ) from None
    value = body.get(field) if isinstance(body, dict) else None
    return None if value is None else str(value)
