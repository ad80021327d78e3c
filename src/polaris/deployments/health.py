"""Health sources: HTTP probes and Prometheus queries, measured into one :class:`Measurement`.

A source that cannot answer leaves its reading ``None`` with a note ("prometheus unreachable:
..."), which the rules turn into ``unknown``: an outage is never read as healthy.

Prometheus queries are templates over ``$env``, ``$version`` and ``$window``; the defaults read
the example service's ``aiops_http_requests_total`` and ``aiops_http_request_duration_seconds``.
A source's ``env_label`` replaces the environment's name as ``$env`` (when the services label
their metrics otherwise), ``window`` is the rate window (default ``30s``).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Sequence
from datetime import datetime
from string import Template
from typing import Any, Final

import httpx

from polaris.deployments.config import HealthSpec
from polaris.deployments.rules import Measurement, Thresholds

__all__ = ["DEFAULT_QUERIES", "measure", "prometheus_scalar", "render_query"]

DEFAULT_QUERIES: Final = {
    "error_rate": (
        '(sum(rate(aiops_http_requests_total{env="$env",version="$version",code=~"5.."}[$window]))'
        ' or vector(0)) / sum(rate(aiops_http_requests_total{env="$env",version="$version"}'
        "[$window]))"
    ),
    "latency_p95": (
        "1000 * histogram_quantile(0.95, sum by (le) (rate("
        'aiops_http_request_duration_seconds_bucket{env="$env",version="$version"}[$window])))'
    ),
    "latency_avg": (
        '1000 * sum(rate(aiops_http_request_duration_seconds_sum{env="$env",version="$version"}'
        '[$window])) / sum(rate(aiops_http_request_duration_seconds_count{env="$env",'
        'version="$version"}[$window]))'
    ),
}


def render_query(template: str, *, env: str, version: str, window: str) -> str:
    """Fill ``$env``, ``$version`` and ``$window`` into a PromQL template."""
    return Template(template).safe_substitute(env=env, version=version, window=window)


async def prometheus_scalar(
    client: httpx.AsyncClient, url: str, query: str, at: float | None = None
) -> float | None:
    """The single value of an instant query; ``None`` when it has no (finite) value.

    :raises httpx.HTTPError: Prometheus unreachable or answering an error.
    """
    params: dict[str, Any] = {"query": query}
    if at is not None:
        params["time"] = at
    r = await client.get(f"{url.rstrip('/')}/api/v1/query", params=params)
    r.raise_for_status()
    result = r.json().get("data", {}).get("result", [])
    if not result:
        return None
    value = float(result[0]["value"][1])
    return value if math.isfinite(value) else None


async def _status(base: httpx.URL, path: str, timeout: float = 5.0) -> int:
    """The status code of a plain-HTTP GET, read from the status line alone.

    Probes only need the status: a bare HTTP/1.1 request on an asyncio stream costs a tenth of a
    full client's request in CPU, which is what lets one watcher probe hundreds of services.
    """
    host = base.host
    port = base.port or 80
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        target = base.path.rstrip("/") + path
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
            "User-Agent: polaris-watcher\r\n\r\n".encode()
        )
        line = await asyncio.wait_for(reader.readline(), timeout)
        parts = line.split()
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _probe(client: httpx.AsyncClient, base: str, paths: Sequence[str]) -> bool:
    url = httpx.URL(base)
    if url.scheme == "http":
        try:
            codes = [await _status(url, p) for p in paths]
        except (OSError, TimeoutError, ValueError):
            return False
        return all(c == 200 for c in codes)
    for path in paths:
        try:
            r = await client.get(base.rstrip("/") + path)
        except httpx.HTTPError:
            return False
        if r.status_code != 200:
            return False
    return True


async def measure(
    client: httpx.AsyncClient,
    specs: Sequence[HealthSpec],
    thresholds: Thresholds,
    *,
    url: str | None,
    env: str,
    version: str,
    now: datetime,
) -> Measurement:
    """One round over every configured source, concurrently."""
    notes: list[str] = []
    probe_ok: bool | None = None
    error_rate: float | None = None
    latency: float | None = None
    probes = [s for s in specs if s.type == "http"]
    proms = [s for s in specs if s.type == "prometheus"]
    if probes:
        if url is None:
            notes.append("no URL to probe")
        else:
            paths: list[str] = []
            for s in probes:
                p = s.options.get("paths", s.options.get("path", ["/health", "/ready"]))
                paths += [p] if isinstance(p, str) else list(p)
            probe_ok = await _probe(client, url, paths)
    for s in proms:
        purl = str(s.options.get("url", "http://127.0.0.1:9090"))
        window = str(s.options.get("window", "30s"))
        label = str(s.options.get("env_label", env))
        q_err = str(s.options.get("error_rate_query", DEFAULT_QUERIES["error_rate"]))
        stat = thresholds.latency_stat
        q_lat = str(s.options.get(f"latency_{stat}_query", DEFAULT_QUERIES[f"latency_{stat}"]))
        try:
            err, lat = await asyncio.gather(
                prometheus_scalar(
                    client, purl, render_query(q_err, env=label, version=version, window=window)
                ),
                prometheus_scalar(
                    client, purl, render_query(q_lat, env=label, version=version, window=window)
                ),
            )
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            notes.append(f"prometheus {purl} unreachable: {type(exc).__name__}: {exc}"[:300])
            continue
        if err is None:
            notes.append(f"prometheus {purl}: no error-rate data for {version} yet")
        if lat is None:
            notes.append(f"prometheus {purl}: no latency data for {version} yet")
        error_rate, latency = err, lat
    return Measurement(
        at=now,
        error_rate=error_rate,
        latency_ms=latency,
        probe_ok=probe_ok,
        notes=tuple(notes),
        metrics_expected=bool(proms),
        probes_expected=bool(probes),
    )
