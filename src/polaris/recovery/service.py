"""Recovery points: take, list, show, verify, restore, prune (seed 10.2.1).

Backups run outside any store transaction (they can take minutes); each backup file goes into the
content-addressed artifact store, then the manifest, then one transaction records the point with
its audit entry. A point never half-exists: a failed backup removes the blobs it stored that no
other point uses, and records nothing.

Verification and restore read the manifest and re-hash *every* part before touching any
database, so a corrupt or missing part stops the operation with nothing restored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from polaris.artifacts.store import ArtifactCorrupted, ArtifactStore
from polaris.core.actors import Actor, Role, require_role, utc_now
from polaris.core.errors import InvalidInput, Location, NotFound, PolarisError
from polaris.recovery import repo
from polaris.recovery.backups import components, take_backups, tool_name
from polaris.recovery.checks import (
    integrity_problems,
    not_empty,
    raise_on_problems,
    restore_part,
    selected_parts,
    verify_part,
)
from polaris.recovery.config import RecoveryConfig, StoreSpec
from polaris.recovery.facts import PlatformFacts
from polaris.recovery.retention import prune_points
from polaris.recovery.rules import (
    MANIFEST_FORMAT,
    ManifestCorrupted,
    Part,
    RecoveryPoint,
    check_name,
    decode_manifest,
    encode_manifest,
    point_name,
)
from polaris.recovery.tools._urls import redact
from polaris.recovery.tools.interface import BackupTool
from polaris.recovery.tools.registry import load_tools, tool_for
from polaris.store.session import Database

__all__ = ["PlatformFacts", "RecoveryService", "take_recovery_point"]


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
            "component_versions": {} if rel is None else components(rel),
            "models": self.facts.model_stages(),
            # Config versioning fills this with file -> sha256 once it lands; None = not recorded.
            "config_hashes": None,
        }
        if dry_run:
            stores = [
                {
                    "store": spec.name,
                    "kind": spec.kind,
                    "tool": tool_name(tool),
                    "source": redact(url),
                    "tested": tool.tested,
                }
                for spec, tool, url in plan
            ]
            return {**head, "stores": stores, "dry_run": True}
        stored: list[str] = []
        try:
            parts, schemas = take_backups(
                self.artifacts, self.facts, config, environment, plan, stored
            )
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
                repo.audit(s, now, actor, "recovery.create", name, None, point.to_dict())
        except BaseException:
            self._forget(stored)
            raise
        return {**point.to_dict(), "manifest": manifest}

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
            try:  # a store no longer configured, an unset variable: that part's problem
                tool, server = (
                    self._tool(part["kind"]),
                    self._scratch_server(config, env, store, part),
                )
            except PolarisError as exc:
                results.append(
                    {
                        "store": store,
                        "kind": part["kind"],
                        "sha256": part["sha256"],
                        "ok": False,
                        "problem": exc.one_line(),
                        "summary": None,
                    }
                )
                continue
            results.append(verify_part(self.artifacts, tool, store, part, server, self.facts))
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
            repo.audit(
                s,
                self.clock(),
                actor,
                "recovery.verify",
                point.name,
                None,
                {"ok": report["ok"], "problems": report["problems"]},
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
        parts = selected_parts(manifest, stores)
        raise_on_problems(name, integrity_problems(self.artifacts, point, manifest, only=parts))
        plan = self._plan(config, environment, [config.store(s) for s in parts])
        targets = []
        for spec, tool, url in plan:
            if not replace and not tool.is_empty(url):
                raise not_empty(spec, url)
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
                repo.audit(
                    s,
                    self.clock(),
                    actor,
                    "recovery.restore",
                    name,
                    None,
                    {
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
        return prune_points(
            self.db,
            self.artifacts,
            actor=actor,
            keep=keep,
            max_age_days=age,
            now=self.clock(),
            dry_run=dry_run,
        )


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
