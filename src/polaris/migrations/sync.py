"""``polaris schema sync``: every database to the migration listed for a platform version.

A database's target is its ``platform_versions`` entry for that version, or for the highest listed
patch release of the same MAJOR.MINOR below it (a patch release shares its schema). When some
database has no such entry nothing runs anywhere, and the error lists the versions it knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from polaris.core.errors import Location, NotFound, PolarisError
from polaris.core.semver import Version
from polaris.migrations.rules import Migration
from polaris.migrations.service import (
    RunReport,
    SchemaService,
    SyncReport,
    load_migrations,
)
from polaris.project.databases import DatabaseSpec

__all__ = ["sync_databases"]


def sync_databases(
    service: SchemaService, platform_version: str, *, dry_run: bool = False
) -> SyncReport:
    """Bring every database to the migration listed for ``platform_version`` (in parallel).

    A database's target is the entry of ``platform_versions`` for that version, or for the
    highest listed patch release of the same MAJOR.MINOR below it (a patch release shares its
    schema). When a database has no such entry, nothing runs anywhere: every report fails,
    the missing ones listing the platform versions they know.
    """
    target_version = Version.parse(platform_version)
    targets: dict[str, str] = {}
    missing: dict[str, str] = {}
    for spec in service.databases:
        try:
            targets[spec.name] = _sync_target(spec, platform_version, target_version)
        except NotFound as exc:
            missing[spec.name] = exc.one_line()
    if missing:
        names = ", ".join(missing)
        return SyncReport(
            platform_version,
            tuple(
                RunReport(
                    spec.name,
                    "sync",
                    dry_run,
                    error=missing.get(spec.name)
                    or f"not run: {names} has no migration listed for {platform_version}",
                )
                for spec in service.databases
            ),
        )

    def one(spec: DatabaseSpec) -> RunReport:
        try:
            target = targets[spec.name]
            ordered = load_migrations(spec.directory, spec.format)
            position = {m.version: i for i, m in enumerate(ordered)}
            at = _position(ordered, target)
            st = service.status(spec.name)
            applied = [
                position[e.version]
                for e in st.entries
                if e.state in ("applied", "baseline") and e.version in position
            ]
            if at in applied and any(p > at for p in applied):
                return service.down(spec.name, to=target, dry_run=dry_run)
            return service.up(spec.name, to=target, dry_run=dry_run)
        except PolarisError as exc:
            return RunReport(spec.name, "sync", dry_run, error=exc.one_line())

    with ThreadPoolExecutor(max_workers=max(1, len(service.databases))) as pool:
        reports = tuple(pool.map(one, service.databases))
    return SyncReport(platform_version, reports)


def _position(ordered: Sequence[Migration], target: str) -> int:
    """Index of migration ``target`` (``3`` matches ``003``); -1 when absent."""
    for i, m in enumerate(ordered):
        if m.version == target:
            return i
    for i, m in enumerate(ordered):
        if m.version.isdigit() and target.isdigit() and int(m.version) == int(target):
            return i
    return -1


def _sync_target(spec: DatabaseSpec, platform_version: str, target: Version) -> str:
    """The migration ``spec`` lists for ``target`` (or a lower patch release of its MAJOR.MINOR).

    :raises NotFound: none, naming the platform versions that are listed.
    """
    listed = [(Version.parse(k), v) for k, v in spec.platform_versions]
    same_line = [
        (k, v)
        for k, v in listed
        if k <= target and (k.major, k.minor) == (target.major, target.minor)
    ]
    if not same_line:
        known = ", ".join(str(k) for k, _ in sorted(listed)) or "none"
        raise NotFound(
            f"no migration listed for platform {platform_version} in database {spec.name} "
            f"(listed: {known})",
            location=Location(
                file=spec.config_path or None, field=f"databases.{spec.name}.platform_versions"
            ),
            hint=f'add "{platform_version}" = "<migration>" to that table',
        )
    return max(same_line)[1]
