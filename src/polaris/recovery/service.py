"""Recovery points: take, list, show, verify, restore, prune (seed 10.2.1).

Backups run outside any store transaction (they can take minutes); each backup file goes into the
content-addressed artifact store, then the manifest, then one transaction records the point with
its audit entry. A point never half-exists: a failed backup removes the blobs it stored that no
other point uses, and records nothing.

Verification and restore read the manifest and re-hash *every* part before touching any
database, so a corrupt or missing part stops the operation with nothing restored.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Protocol

from polaris.artifacts.store import ArtifactCorrupted, ArtifactStore
from polaris.audit.repo import add_audit
from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.core.errors import Conflict, InvalidInput, Location, NotFound, PolarisError
from polaris.recovery import repo
from polaris.recovery.checks import (
    integrity_problems,
    raise_on_problems,
    restore_part,
    verify_part,
)
from polaris.recovery.config import RecoveryConfig, StoreSpec
from polaris.recovery.rules import (
    MANIFEST_FORMAT,
    ManifestCorrupted,
    Part,
    RecoveryPoint,
    check_name,
    decode_manifest,
    encode_manifest,
    plan_retention,
    point_name,
    unreferenced_blobs,
)
from polaris.recovery.tools._urls import redact
from polaris.recovery.tools.interface import BackupTool
from polaris.recovery.tools.registry import load_tools, tool_for
from polaris.store.session import Database

__all__ = ["PlatformFacts", "RecoveryService", "take_recovery_point"]

_ENTITY: Final = "recovery_point"
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


class RecoveryService:
    """Use cases over recovery points; the store, the artifact store and the backup tools."""

    def __init__(
        self,
        db: Database,
        artifacts: ArtifactStore,
        facts: PlatformFacts,
        *,
        tools: Mapping[str, Callable[[], BackupTool]] | None = None,
        clock: Callable[[], datetime] = utc_now,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.db = db
        self.artifacts = artifacts
        self.facts = facts
        self.tools = tools
        self.clock = clock
        self.environ = environ

    def _tool(self, kind: str) -> BackupTool:
        return tool_for(kind, self.tools if self.tools is not None else load_tools())

    def _plan(
        self, config: RecoveryConfig, environment: str, stores: Sequence[StoreSpec]
    ) -> list[tuple[StoreSpec, BackupTool, str]]:
        """Tool and URL of every store; every missing tool or variable reported before any work."""
        plan = []
        for spec in stores:
            tool = self._tool(spec.kind)
            tool.check()
            plan.append((spec, tool, config.url(environment, spec, self.environ)))
        return plan

    # -- create --------------------------------------------------------------------------------

    def create(
        self,
        config: RecoveryConfig,
        *,
        environment: str,
        actor: Actor,
        release: str | None = None,
        reason: str = "",
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Back up every store of ``environment`` and record the point; its manifest is returned."""
        require_role(actor.role, Role.DEVELOPER, "taking recovery points")
        config.check_environment(environment)
        if not config.stores:
            raise InvalidInput(
                "no stores to back up",
                location=Location(file=config.config_path, field="recovery"),
                hint="declare [databases.<name>] or [recovery.stores.<name>] in polaris.toml",
            )
        plan = self._plan(config, environment, config.stores)
        rel = self.facts.release(release)
        now = self.clock()
        with self.db.read() as s:
            name = point_name(now, repo.point_names(s, f"recovery-{now:%Y%m%d}-"))
        head = {
            "format": MANIFEST_FORMAT,
            "recovery_point_id": name,
            "created_at": now.isoformat(),
            "created_by": actor.name,
            "environment": environment,
            "reason": reason,
            "release": None if rel is None else rel["version"],
            "component_versions": {} if rel is None else _components(rel),
            "models": self.facts.model_stages(),
            # Config versioning fills this with file -> sha256 once it lands; None = not recorded.
            "config_hashes": None,
        }
        if dry_run:
            stores = [
                {
                    "store": spec.name,
                    "kind": spec.kind,
                    "tool": _tool_name(tool),
                    "source": redact(url),
                    "tested": tool.tested,
                }
                for spec, tool, url in plan
            ]
            return {**head, "stores": stores, "dry_run": True}
        stored: list[str] = []
        try:
            parts, schemas = self._backups(config, environment, plan, stored)
            manifest = {**head, "schema_versions": schemas, "parts": parts}
            msha, _ = self.artifacts.put_bytes(encode_manifest(manifest))
            stored.append(msha)
            point = RecoveryPoint(
                name=name,
                environment=environment,
                created_at=now,
                created_by=actor.name,
                release=None if rel is None else str(rel["version"]),
                reason=reason,
                manifest_sha256=msha,
                parts=tuple(
                    Part(store, p["kind"], p["sha256"], p["size"]) for store, p in parts.items()
                ),
            )
            with self.db.write() as s:
                repo.add_point(s, point)
                add_audit(
                    s,
                    at=now,
                    actor=actor.name,
                    action="recovery.create",
                    entity=_ENTITY,
                    key=name,
                    before=None,
                    after=point.to_dict(),
                )
        except BaseException:
            self._forget(stored)
            raise
        return {**point.to_dict(), "manifest": manifest}

    def _backups(
        self,
        config: RecoveryConfig,
        environment: str,
        plan: list[tuple[StoreSpec, BackupTool, str]],
        stored: list[str],
    ) -> tuple[dict[str, Any], dict[str, str | None]]:
        parts: dict[str, Any] = {}
        schemas: dict[str, str | None] = {}
        with tempfile.TemporaryDirectory(prefix="polaris-backup-") as tmp:
            for spec, tool, url in plan:
                if spec.kind in SQL_KINDS:
                    schemas[spec.name] = self.facts.schema_version(spec.kind, url)
                dest = Path(tmp) / spec.name
                details = tool.backup(url, dest)
                with dest.open("rb") as fh:
                    sha, size = self.artifacts.put(fh)
                stored.append(sha)
                dest.unlink()
                parts[spec.name] = {
                    "kind": spec.kind,
                    "tool": _tool_name(tool),
                    "tested": tool.tested,
                    "sha256": sha,
                    "size": size,
                    "source": redact(url),
                    "url_env": config.url_variable(environment, spec),
                    "schema_version": schemas.get(spec.name),
                    "details": details,
                }
        return parts, schemas

    def _forget(self, digests: Sequence[str]) -> None:
        """Remove blobs a failed point stored, unless a recorded point uses them too."""
        with self.db.read() as s:
            points = repo.list_points(s)
        used = {b for p in points for b in (p.manifest_sha256, *(x.sha256 for x in p.parts))}
        for sha in set(digests) - used:
            self.artifacts.delete(sha)

    # -- reads ---------------------------------------------------------------------------------

    def list(self, *, environment: str | None = None) -> list[RecoveryPoint]:
        """Points, newest first."""
        with self.db.read() as s:
            return repo.list_points(s, environment=environment)

    def get(self, name: str) -> RecoveryPoint:
        """One point's row."""
        with self.db.read() as s:
            return repo.get_point(s, check_name(name))

    def manifest(self, point: RecoveryPoint) -> dict[str, Any]:
        """The point's manifest, re-hashed on read.

        :raises NotFound: the manifest blob is missing.
        :raises ManifestCorrupted: it changed, or is not a manifest.
        """
        try:
            data = self.artifacts.read_bytes(point.manifest_sha256)
        except ArtifactCorrupted:
            raise ManifestCorrupted(
                f"the manifest of {point.name} is corrupted (its bytes no longer hash to "
                f"{point.manifest_sha256})"
            ) from None
        except NotFound:
            raise NotFound(
                f"the manifest of {point.name} ({point.manifest_sha256}) is missing from the "
                "artifact store"
            ) from None
        return decode_manifest(data, point.name)

    def show(self, name: str) -> dict[str, Any]:
        """The point and its manifest."""
        point = self.get(name)
        return {**point.to_dict(), "manifest": self.manifest(point)}

    # -- verify and restore --------------------------------------------------------------------

    def verify(
        self, config: RecoveryConfig, name: str, *, actor: Actor, environment: str | None = None
    ) -> dict[str, Any]:
        """Re-hash every part, then restore each into a scratch database next to the
        ``environment``'s store (default: the point's) and check what it holds."""
        require_role(actor.role, Role.DEVELOPER, "verifying recovery points")
        point = self.get(name)
        env = environment or point.environment
        config.check_environment(env)
        try:
            manifest = self.manifest(point)
        except PolarisError as exc:
            return self._verified(
                point, actor, {"name": name, "ok": False, "problems": [exc.one_line()], "parts": []}
            )
        problems = integrity_problems(self.artifacts, point, manifest)
        if problems:
            return self._verified(
                point, actor, {"name": name, "ok": False, "problems": problems, "parts": []}
            )
        results = []
        for store, part in manifest["parts"].items():
            results.append(
                verify_part(
                    self.artifacts,
                    self._tool(part["kind"]),
                    store,
                    part,
                    self._scratch_server(config, env, store, part),
                    self.facts,
                )
            )
        report = {
            "name": name,
            "ok": all(r["ok"] for r in results),
            "problems": [f"{r['store']}: {r['problem']}" for r in results if not r["ok"]],
            "parts": results,
        }
        return self._verified(point, actor, report)

    def _scratch_server(
        self, config: RecoveryConfig, env: str, store: str, part: Mapping[str, Any]
    ) -> str:
        """A URL on the server where a scratch copy of ``store`` may be created."""
        if part["kind"] in ("sqlite", "redis"):  # scratch is local: only the db number matters
            return str(part.get("source") or "")
        return config.url(env, config.store(store), self.environ)

    def _verified(
        self, point: RecoveryPoint, actor: Actor, report: dict[str, Any]
    ) -> dict[str, Any]:
        with self.db.write() as s:
            add_audit(
                s,
                at=self.clock(),
                actor=actor.name,
                action="recovery.verify",
                entity=_ENTITY,
                key=point.name,
                before=None,
                after={"ok": report["ok"], "problems": report["problems"]},
            )
        return report

    def restore(
        self,
        config: RecoveryConfig,
        name: str,
        *,
        environment: str,
        actor: Actor,
        stores: Sequence[str] = (),
        replace: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Restore the point's backups into ``environment``'s stores (schema versions included).

        Every part is re-hashed and every target checked (tool installed, URL set, empty unless
        ``replace``) before the first restore.
        """
        require_role(actor.role, Role.ADMIN, "restoring recovery points")
        config.check_environment(environment)
        point = self.get(name)
        manifest = self.manifest(point)
        parts = _selected(manifest, stores)
        raise_on_problems(name, integrity_problems(self.artifacts, point, manifest, only=parts))
        plan = self._plan(config, environment, [config.store(s) for s in parts])
        targets = []
        for spec, tool, url in plan:
            if not replace and not tool.is_empty(url):
                raise _not_empty(spec, url)
            targets.append(
                {
                    "store": spec.name,
                    "kind": spec.kind,
                    "target": redact(url),
                    "schema_version": parts[spec.name].get("schema_version"),
                }
            )
        result: dict[str, Any] = {
            "name": name,
            "environment": environment,
            "replace": replace,
            "release": manifest.get("release"),
            "stores": targets,
        }
        if dry_run:
            return {**result, "dry_run": True}
        done: list[dict[str, Any]] = []
        try:
            for spec, tool, url in plan:
                done.append(
                    restore_part(
                        self.artifacts,
                        tool,
                        spec.name,
                        parts[spec.name],
                        url,
                        replace=replace,
                        facts=self.facts,
                    )
                )
        finally:
            with self.db.write() as s:
                add_audit(
                    s,
                    at=self.clock(),
                    actor=actor.name,
                    action="recovery.restore",
                    entity=_ENTITY,
                    key=name,
                    before=None,
                    after={
                        "environment": environment,
                        "replace": replace,
                        "restored": done,
                        "complete": len(done) == len(plan),
                    },
                )
        return {**result, "stores": done}

    # -- retention -----------------------------------------------------------------------------

    def prune(
        self,
        config: RecoveryConfig,
        *,
        actor: Actor,
        keep: int | None = None,
        max_age_days: float | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Delete points past retention and the blobs only they used."""
        require_role(actor.role, Role.ADMIN, "pruning recovery points")
        keep = config.keep if keep is None else keep
        if keep < 1:
            raise InvalidInput("keep must be >= 1", location=Location(field="keep"))
        age = config.max_age_days if max_age_days is None else (max_age_days or None)
        now = self.clock()
        with self.db.write() as s:
            points = repo.list_points(s)
            drop = plan_retention(points, keep=keep, max_age_days=age, now=now)
            names = {p.name for p, _ in drop}
            blobs = unreferenced_blobs(
                [p for p, _ in drop], [p for p in points if p.name not in names]
            )
            report = {
                "keep": keep,
                "max_age_days": age,
                "deleted": [
                    {"name": p.name, "environment": p.environment, "reason": why} for p, why in drop
                ],
                "blobs": blobs,
            }
            if dry_run:
                s.rollback()
                return {**report, "dry_run": True}
            repo.delete_points(s, sorted(names))
            for p, why in drop:
                add_audit(
                    s,
                    at=now,
                    actor=actor.name,
                    action="recovery.prune",
                    entity=_ENTITY,
                    key=p.name,
                    before=p.to_dict(),
                    after={"reason": why},
                )
        for sha in blobs:  # after commit: a crash here leaves only unreferenced files
            self.artifacts.delete(sha)
        return report


def take_recovery_point(
    service: RecoveryService,
    config: RecoveryConfig,
    *,
    environment: str,
    actor: Actor,
    release: str | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """The deployment hook: a recovery point of ``environment`` before deploying ``release``.

    Called by the deployment service before every production deployment; raises (and so stops
    the deployment) when any backup fails.
    """
    return service.create(
        config,
        environment=environment,
        actor=actor,
        release=release,
        reason=reason or f"before deploying {release or 'a release'} to {environment}",
    )


def _components(rel: Mapping[str, Any]) -> dict[str, str]:
    return {str(c["name"]): str(c["version"]) for c in rel.get("components", [])}


def _tool_name(tool: BackupTool) -> str:
    return f"{type(tool).__module__}:{type(tool).__name__}"


def _selected(manifest: Mapping[str, Any], stores: Sequence[str]) -> dict[str, Any]:
    parts: dict[str, Any] = manifest["parts"]
    for s in stores:
        if s not in parts:
            raise InvalidInput(
                f"the recovery point has no store {s!r}; it has {', '.join(parts) or 'none'}",
                location=Location(field="store"),
            )
    return {k: v for k, v in parts.items() if not stores or k in stores}


def _not_empty(spec: StoreSpec, url: str) -> PolarisError:
    return Conflict(
        f"the target of store {spec.name!r} ({redact(url)}) is not empty",
        location=Location(field=f"stores.{spec.name}"),
        hint="restore into a fresh database, or pass --replace to overwrite it",
    )
