"""Checking and restoring the parts of a recovery point, one store at a time.

:func:`integrity_problems` re-hashes every part before anything is restored; :func:`verify_part`
restores one part into a throwaway database and compares what arrived with what the backup
recorded; :func:`restore_part` restores one part into its target and reads its schema version back.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from polaris.artifacts.store import ArtifactCorrupted, ArtifactStore
from polaris.core.errors import (
    CheckFailed,
    Conflict,
    InvalidInput,
    Location,
    NotFound,
    PolarisError,
)
from polaris.recovery.config import StoreSpec
from polaris.recovery.facts import SQL_KINDS, PlatformFacts
from polaris.recovery.rules import RecoveryPoint
from polaris.recovery.tools._urls import redact
from polaris.recovery.tools.interface import BackupTool

__all__ = [
    "integrity_problems",
    "not_empty",
    "raise_on_problems",
    "restore_part",
    "selected_parts",
    "verify_part",
]


def integrity_problems(
    artifacts: ArtifactStore,
    point: RecoveryPoint,
    manifest: Mapping[str, Any],
    *,
    only: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every part missing, corrupted, or not the one the store recorded (empty: all good)."""
    recorded = {p.store: p for p in point.parts}
    problems: list[str] = []
    parts: Mapping[str, Any] = manifest["parts"] if only is None else only
    if only is None:
        for store in sorted(set(recorded) - set(parts)):
            problems.append(f"part {store}: recorded for the point but absent from its manifest")
    for store, part in parts.items():
        sha = str(part["sha256"])
        row = recorded.get(store)
        if row is None or row.sha256 != sha:
            problems.append(f"part {store}: the manifest's sha256 differs from the recorded one")
            continue
        try:
            size = artifacts.verify(sha)
        except NotFound:
            problems.append(f"part {store}: {sha} is missing from the artifact store")
            continue
        except ArtifactCorrupted as exc:
            problems.append(f"part {store}: {exc.message}")
            continue
        if size != int(part.get("size", size)):
            problems.append(f"part {store}: {size} bytes stored, {part['size']} recorded")
    return problems


def raise_on_problems(name: str, problems: list[str]) -> None:
    """:raises CheckFailed: naming every damaged part (nothing has been restored)."""
    if problems:
        raise CheckFailed(
            f"recovery point {name} is damaged, nothing restored: {'; '.join(problems)}",
            hint="verify an older point (polaris recovery verify) and restore that one",
        )


def _materialize(artifacts: ArtifactStore, sha256: str, dest: Path) -> Path:
    """Write a blob to ``dest``, hashing as it goes (a changed byte is an error)."""
    digest = hashlib.sha256()
    with dest.open("wb") as fh:
        for chunk in artifacts.iter_chunks(sha256):
            digest.update(chunk)
            fh.write(chunk)
    if digest.hexdigest() != sha256:
        raise ArtifactCorrupted(f"artifact {sha256} changed while being read")
    return dest


def verify_part(
    artifacts: ArtifactStore,
    tool: BackupTool,
    store: str,
    part: Mapping[str, Any],
    server_url: str,
    facts: PlatformFacts,
) -> dict[str, Any]:
    """Restore one part into a scratch database near ``server_url`` and compare; never raises
    a :class:`PolarisError` (the problem is in the result)."""
    kind = str(part["kind"])
    result: dict[str, Any] = {
        "store": store,
        "kind": kind,
        "sha256": part["sha256"],
        "ok": False,
        "problem": None,
        "summary": None,
    }
    try:
        tool.check()
        with tempfile.TemporaryDirectory(prefix="polaris-verify-") as tmp:
            dump = _materialize(artifacts, str(part["sha256"]), Path(tmp) / store)
            with tool.scratch(server_url) as scratch:
                tool.restore(dump, scratch, replace=False, details=part.get("details", {}))
                summary = tool.summary(scratch)
                schema = (
                    facts.schema_version(kind, scratch)
                    if kind in SQL_KINDS and part.get("schema_version") is not None
                    else part.get("schema_version")
                )
        result["summary"] = summary
        result["schema_version"] = schema
        expected = part.get("details", {}).get("tables")
        missing = sorted(set(expected or ()) - set(summary.get("tables", expected or ())))
        if missing:
            result["problem"] = f"tables missing after restore: {', '.join(missing)}"
        elif schema != part.get("schema_version"):
            result["problem"] = (
                f"schema version {schema} after restore, {part.get('schema_version')} recorded"
            )
        else:
            result["ok"] = True
    except PolarisError as exc:
        result["problem"] = exc.one_line()
    return result


def restore_part(
    artifacts: ArtifactStore,
    tool: BackupTool,
    store: str,
    part: Mapping[str, Any],
    url: str,
    *,
    replace: bool,
    facts: PlatformFacts,
) -> dict[str, Any]:
    """Restore one part into ``url``; return what arrived and its schema version."""
    kind = str(part["kind"])
    with tempfile.TemporaryDirectory(prefix="polaris-restore-") as tmp:
        dump = _materialize(artifacts, str(part["sha256"]), Path(tmp) / store)
        tool.restore(dump, url, replace=replace, details=part.get("details", {}))
    expected = part.get("schema_version")
    schema = facts.schema_version(kind, url) if kind in SQL_KINDS else None
    if kind in SQL_KINDS and schema != expected:
        raise CheckFailed(
            f"store {store} restored, but its schema version is {schema}, not {expected}",
            hint="check the target with polaris schema status",
        )
    return {
        "store": store,
        "kind": kind,
        "target": redact(url),
        "schema_version": schema,
        "summary": tool.summary(url),
    }


def selected_parts(manifest: Mapping[str, Any], stores: Sequence[str]) -> dict[str, Any]:
    """The manifest's parts named by ``stores`` (all when empty); :raises InvalidInput: unknown."""
    parts: dict[str, Any] = manifest["parts"]
    for s in stores:
        if s not in parts:
            raise InvalidInput(
                f"the recovery point has no store {s!r}; it has {', '.join(parts) or 'none'}",
                location=Location(field="store"),
            )
    return {k: v for k, v in parts.items() if not stores or k in stores}


def not_empty(spec: StoreSpec, url: str) -> PolarisError:
    """The error for a restore target holding data."""
    return Conflict(
        f"the target of store {spec.name!r} ({redact(url)}) is not empty",
        location=Location(field=f"stores.{spec.name}"),
        hint="restore into a fresh database, or pass --replace to overwrite it",
    )
