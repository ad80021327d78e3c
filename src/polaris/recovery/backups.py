"""Taking the backups of a recovery point: one file per store, into the artifact store."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from polaris.artifacts.store import ArtifactStore
from polaris.recovery.config import RecoveryConfig, StoreSpec
from polaris.recovery.facts import SQL_KINDS, PlatformFacts
from polaris.recovery.tools._urls import redact
from polaris.recovery.tools.interface import BackupTool

__all__ = ["components", "take_backups", "tool_name"]


def take_backups(
    artifacts: ArtifactStore,
    facts: PlatformFacts,
    config: RecoveryConfig,
    environment: str,
    plan: list[tuple[StoreSpec, BackupTool, str]],
    stored: list[str],
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Back up every planned store; return the manifest's parts and schema versions.

    Each digest stored is appended to ``stored`` as it goes, so a caller can remove them if a
    later backup fails.
    """
    parts: dict[str, Any] = {}
    schemas: dict[str, str | None] = {}
    with tempfile.TemporaryDirectory(prefix="polaris-backup-") as tmp:
        for spec, tool, url in plan:
            dest = Path(tmp) / spec.name
            details = tool.backup(url, dest)
            if spec.kind in SQL_KINDS:
                schemas[spec.name] = facts.schema_version(spec.kind, url)
            with dest.open("rb") as fh:
                sha, size = artifacts.put(fh)
            stored.append(sha)
            dest.unlink()
            parts[spec.name] = {
                "kind": spec.kind,
                "tool": tool_name(tool),
                "tested": tool.tested,
                "sha256": sha,
                "size": size,
                "source": redact(url),
                "url_env": config.url_variable(environment, spec),
                "schema_version": schemas.get(spec.name),
                "details": details,
            }
    return parts, schemas


def components(rel: Mapping[str, Any]) -> dict[str, str]:
    """Component -> version of a release's JSON form."""
    return {str(c["name"]): str(c["version"]) for c in rel.get("components", [])}


def tool_name(tool: BackupTool) -> str:
    """``module:Class`` of a tool, as the manifest records it."""
    return f"{type(tool).__module__}:{type(tool).__name__}"
