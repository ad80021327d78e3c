"""Vulnerability sources: the OSV API online, and an imported OSV export offline.

Both answer :meth:`VulnerabilitySource.advisories` for a list of pinned dependencies with the
advisories that affect each. Online, the ``/v1/querybatch`` endpoint names the advisories and
``/v1/vulns/{id}`` fetches each once; offline, :class:`~polaris.dependencies.osvdb.OsvDatabase`
finds candidates by package and :func:`~polaris.dependencies.osv_rules.is_affected` decides.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import httpx

from polaris.core.errors import CouldNotCheck, InvalidInput
from polaris.dependencies.osv_rules import Advisory, parse_record
from polaris.dependencies.osvdb import OsvDatabase
from polaris.dependencies.rules import Dependency

__all__ = ["DEFAULT_OSV_URL", "OfflineOSV", "OnlineOSV", "VulnerabilitySource", "default_osv_url"]

DEFAULT_OSV_URL = "https://api.osv.dev"
_BATCH = 1000


def default_osv_url() -> str:
    """``POLARIS_OSV_URL``, else the public OSV API."""
    return os.environ.get("POLARIS_OSV_URL") or DEFAULT_OSV_URL


class VulnerabilitySource(Protocol):
    """Where advisories come from."""

    #: Problems met on the way that did not stop the audit (a malformed record, skipped).
    warnings: list[str]

    def advisories(self, deps: Sequence[Dependency]) -> dict[Dependency, list[Advisory]]:
        """The advisories affecting each pinned dependency (only those with at least one)."""
        ...


class OnlineOSV:
    """The OSV API at ``url`` (``querybatch`` then ``vulns/{id}``)."""

    def __init__(self, url: str | None = None, *, timeout: float = 20.0) -> None:
        self.url = (url or default_osv_url()).rstrip("/")
        self.warnings: list[str] = []
        self._client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        try:
            resp = self._client.request(method, self.url + path, **kw)
        except httpx.HTTPError as exc:
            raise CouldNotCheck(
                f"OSV service {self.url} did not answer: {type(exc).__name__}",
                hint="retry, set --osv-url / POLARIS_OSV_URL, or audit --offline",
            ) from None
        if resp.status_code >= 400:
            raise CouldNotCheck(f"OSV service {self.url} answered {resp.status_code} for {path}")
        try:
            return resp.json()
        except ValueError:
            raise CouldNotCheck(
                f"OSV service {self.url} answered something other than JSON"
            ) from None

    def advisories(self, deps: Sequence[Dependency]) -> dict[Dependency, list[Advisory]]:
        """``querybatch`` in batches of 1,000 (following page tokens), then each record."""
        ids: dict[Dependency, list[str]] = {}
        pending = [(d, None) for d in deps if d.version is not None]
        while pending:
            batch, pending = pending[:_BATCH], pending[_BATCH:]
            queries = []
            for d, token in batch:
                q: dict[str, Any] = {
                    "package": {"name": d.name, "ecosystem": d.ecosystem.value},
                    "version": d.version,
                }
                if token:
                    q["page_token"] = token
                queries.append(q)
            doc = self._call("POST", "/v1/querybatch", json={"queries": queries})
            results = doc.get("results") if isinstance(doc, dict) else None
            if not isinstance(results, list) or len(results) != len(batch):
                raise CouldNotCheck(f"OSV service {self.url} answered a batch of the wrong shape")
            for (d, _), res in zip(batch, results, strict=True):
                for v in (res or {}).get("vulns") or ():
                    ids.setdefault(d, []).append(str(v["id"]))
                if (res or {}).get("next_page_token"):
                    pending.append((d, res["next_page_token"]))
        unique = sorted({i for v in ids.values() for i in v})
        with ThreadPoolExecutor(max_workers=8) as pool:
            records = dict(zip(unique, pool.map(self._record, unique), strict=True))
        return {
            d: [records[i] for i in dict.fromkeys(found) if records[i] is not None]  # type: ignore[misc]
            for d, found in ids.items()
        }

    def _record(self, vid: str) -> Advisory | None:
        doc = self._call("GET", f"/v1/vulns/{vid}")
        try:
            return parse_record(doc, source=f"{self.url}/v1/vulns/{vid}")
        except InvalidInput as exc:
            self.warnings.append(f"skipped malformed record {vid}: {exc.message}")
            return None


class OfflineOSV:
    """An imported OSV export (see ``polaris deps db import``)."""

    def __init__(self, db: OsvDatabase) -> None:
        self.db = db
        self.warnings: list[str] = []

    def advisories(self, deps: Sequence[Dependency]) -> dict[Dependency, list[Advisory]]:
        """Candidates by package from the index, kept when the pinned version is affected."""
        if not self.db.exists():
            raise CouldNotCheck(
                f"no offline advisory database at {self.db.path}",
                hint="import one with: polaris deps db import PATH (an OSV zip or directory)",
            )
        return self.db.matches(deps, self.warnings)
