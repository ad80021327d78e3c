"""What a recovery point records about the platform, as a port the composition root fills.

:class:`polaris.platform.recovery_facts.RegistryFacts` implements it over the model registry and
the databases' migration tracking tables.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

__all__ = ["SQL_KINDS", "PlatformFacts"]

#: Store kinds whose schema version is read from the migrations tracking table.
SQL_KINDS: Final = frozenset({"sqlite", "postgresql", "mysql"})


class PlatformFacts(Protocol):
    """What a manifest records about the platform (given by the composition root)."""

    def release(self, version: str | None) -> dict[str, Any] | None:
        """The platform release ``version`` (default: the newest), in its JSON form."""

    def model_stages(self) -> dict[str, dict[str, str]]:
        """Model name -> stage -> the version there."""

    def schema_version(self, kind: str, url: str) -> str | None:
        """The newest applied migration of the database at ``url`` (None: untracked)."""
