"""What a recovery point records about the platform: release, model stages, schema versions.

The platform capability composes the others: the model registry answers releases and stage
pointers, the migrations tracking table (``schema_migrations``) answers schema versions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from polaris.migrations.sqlexec import open_executor
from polaris.models.service import RegistryService
from polaris.platform.releases import PlatformReleaseService
from polaris.platform.rules import release_to_dict

__all__ = ["RegistryFacts"]


def _sql_url(kind: str, url: str) -> str:
    if kind != "sqlite":
        return url
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme, sep, rest = url.partition(":///")
    return f"sqlite:///{rest}" if sep and scheme.startswith("sqlite") else url


class RegistryFacts:
    """:class:`~polaris.recovery.service.PlatformFacts` over the model registry and databases."""

    def __init__(self, registry: RegistryService, releases: PlatformReleaseService) -> None:
        self.registry = registry
        self.releases = releases

    def release(self, version: str | None) -> dict[str, Any] | None:
        """The release ``version`` (``NotFound`` if unknown), or the newest (None if none)."""
        if version is not None:
            return release_to_dict(self.releases.get_release(version))
        releases = self.releases.releases()
        return release_to_dict(releases[0]) if releases else None

    def model_stages(self) -> dict[str, dict[str, str]]:
        """Model -> stage -> version."""
        return {m.name: dict(m.by_stage) for m in self.registry.models()}

    def schema_version(self, kind: str, url: str) -> str | None:
        """The newest applied migration in the database's tracking table (None: no table)."""
        dialect: Any = kind
        if kind == "sqlite":  # connecting would create a missing file: there is nothing to read
            path = _sql_url(kind, url).removeprefix("sqlite:///")
            if not Path(path).is_file():
                return None
        with open_executor(dialect, _sql_url(kind, url), application_name="polaris-recovery") as ex:
            applied = [r.version for r in ex.records() if r.state in ("applied", "baseline")]
        return max(applied, key=lambda v: (int(v) if v.isdigit() else -1, v)) if applied else None
