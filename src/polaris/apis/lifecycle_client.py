"""Where ``polaris api versions`` goes without ``--file``: the registry, through the API.

:class:`ClientLifecycle` has the methods of :class:`~polaris.apis.service.APIVersionsService`
(which the ``--file`` mode uses) over :class:`polaris.client.Client`, so a registry operation is
one request to ``/api/v1/apis/...`` whether the client talks to ``POLARIS_URL`` or runs the
application in-process on the local store: every command prints the same output in all modes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from polaris.apis import registry_service as api_registry
from polaris.apis.lifecycle import APIVersion
from polaris.apis.registry_service import PolicyOutcome
from polaris.apis.repo import api_version_from_dict
from polaris.apis.service import LifecycleOutcome
from polaris.apis.versions_file import APIVersionsFile
from polaris.cli._resources import close_all, on_close
from polaris.client import Client
from polaris.core.errors import Location, NotFound
from polaris.settings import Settings

__all__ = ["ClientLifecycle", "Lifecycle", "open_lifecycle", "set_policy"]


class Lifecycle(Protocol):
    """The lifecycle commands' use cases (``APIVersionsService`` has the same shape)."""

    def versions(self) -> list[APIVersion]:
        """Every version, oldest first."""
        ...

    def register(
        self,
        version: str,
        *,
        breaking_changes: Iterable[str] = (),
        planned_release: date | None = None,
        migration_guide: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        """Register a new version."""
        ...

    def activate(self, version: str, *, dry_run: bool = False) -> LifecycleOutcome:
        """development -> active."""
        ...

    def deprecate(
        self,
        version: str,
        *,
        on: date | None = None,
        sunset: date | None = None,
        migration_guide: str | None = None,
        replacement: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        """active -> deprecated."""
        ...

    def retire(
        self, version: str, *, force: bool = False, dry_run: bool = False
    ) -> LifecycleOutcome:
        """deprecated -> retired."""
        ...

    def import_matrix(self, source: str | Path, *, dry_run: bool = False) -> list[LifecycleOutcome]:
        """Merge a seed-shaped matrix file."""
        ...


def outcome_from_dict(d: dict[str, Any]) -> LifecycleOutcome:
    """The outcome of :func:`polaris.apis.registry_service.outcome_to_dict`'s JSON form."""
    return LifecycleOutcome(
        str(d["action"]),
        str(d["version"]),
        None if d.get("before") is None else api_version_from_dict(d["before"]),
        None if d.get("after") is None else api_version_from_dict(d["after"]),
        tuple((str(c[0]), c[1], c[2]) for c in d.get("changes", ())),
        bool(d.get("written")),
    )


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


class ClientLifecycle:
    """``/api/v1/apis/{api}`` through a :class:`~polaris.client.Client`."""

    def __init__(self, client: Client, api: str) -> None:
        self.client = client
        self.api = api

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        return self.client.call(method, path, **kw)

    def _outcome(self, path: str, body: dict[str, Any] | None, dry_run: bool) -> LifecycleOutcome:
        params = {"dry_run": "true"} if dry_run else {}
        data = self._call("POST", f"/apis/{self.api}{path}", json=body, params=params)
        return outcome_from_dict(data)

    def versions(self) -> list[APIVersion]:
        data = self._call("GET", f"/apis/{self.api}/versions")
        return [api_version_from_dict(v) for v in data["versions"]]

    def register(
        self,
        version: str,
        *,
        breaking_changes: Iterable[str] = (),
        planned_release: date | None = None,
        migration_guide: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        body = {
            "version": version,
            "breaking_changes": list(breaking_changes),
            "planned_release": _iso(planned_release),
            "migration_guide": migration_guide,
        }
        return self._outcome("/versions", body, dry_run)

    def activate(self, version: str, *, dry_run: bool = False) -> LifecycleOutcome:
        return self._outcome(f"/versions/{version}/activate", None, dry_run)

    def deprecate(
        self,
        version: str,
        *,
        on: date | None = None,
        sunset: date | None = None,
        migration_guide: str | None = None,
        replacement: str | None = None,
        dry_run: bool = False,
    ) -> LifecycleOutcome:
        body = {
            "on": _iso(on),
            "sunset": _iso(sunset),
            "migration_guide": migration_guide,
            "replacement": replacement,
        }
        return self._outcome(f"/versions/{version}/deprecate", body, dry_run)

    def retire(
        self, version: str, *, force: bool = False, dry_run: bool = False
    ) -> LifecycleOutcome:
        return self._outcome(f"/versions/{version}/retire", {"force": force}, dry_run)

    def import_matrix(self, source: str | Path, *, dry_run: bool = False) -> list[LifecycleOutcome]:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFound("no such file", location=Location(file=str(path))) from None
        data = self._call(
            "POST",
            f"/apis/{self.api}/import",
            content=text.encode(),
            headers={"Content-Type": "application/yaml"},
            params={"source": str(path), **({"dry_run": "true"} if dry_run else {})},
        )
        return [outcome_from_dict(o) for o in data["items"]]

    def set_policy(
        self, notice_days: int | None, retirement_days: int | None, *, dry_run: bool = False
    ) -> PolicyOutcome:
        """Change the lifecycle periods."""
        body = {"notice_days": notice_days, "retirement_days": retirement_days}
        params = {"dry_run": "true"} if dry_run else {}
        data = self._call("PUT", f"/apis/{self.api}/policy", json=body, params=params)
        return PolicyOutcome.from_dict(data)


def _open(api: str, settings: Settings | None) -> ClientLifecycle:
    close_all()  # what an earlier command in this process left open
    client = Client.from_settings(settings)
    on_close(client.close)
    return ClientLifecycle(client, api)


def set_policy(
    file: Path | None,
    api: str,
    *,
    notice_days: int | None,
    retirement_days: int | None,
    dry_run: bool = False,
) -> PolicyOutcome:
    """Change (or, with neither period, show) the lifecycle periods of the file or registry."""
    if file is not None:
        return api_registry.set_policy(
            APIVersionsFile(file),
            str(file),
            notice_days=notice_days,
            retirement_days=retirement_days,
            dry_run=dry_run,
        )
    return _open(api, None).set_policy(notice_days, retirement_days, dry_run=dry_run)


def open_lifecycle(api: str, settings: Settings | None = None) -> Lifecycle:
    """The server's registry when ``POLARIS_URL`` is set, else the local store (in-process)."""
    return _open(api, settings)
