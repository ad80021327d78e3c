"""Platform releases: plan a bill of materials, diff two releases, the compatibility matrix.

``plan`` proposes the BOM of a platform version with the resolver over every version the
registry knows (component versions pinned by releases, registered model versions past
development) merged with the compatibility file's ``versions:`` block, preferring the previous
release's versions; it checks the BOM with the checker and the platform bump rule against the
previous release, and can store it as a release (:mod:`polaris.platform.releases`).

Rules come from ``compatibility.yml`` and from registry records: each source in
:data:`CONSTRAINT_SOURCES` reads one kind of record (model versions' ``dependencies`` today; API
versions' compatible clients plug in the same way) and yields
:class:`~polaris.compat.constraints.RegistryConstraint` s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from polaris.compat.config import DEFAULT_NAME, load_matrix
from polaris.compat.constraints import RegistryConstraint, model_constraints
from polaris.compat.rules import PLATFORM, CheckReport, CompatMatrix, Violation, check
from polaris.compat.service import resolve_set, with_registry
from polaris.core.actors import Actor
from polaris.core.errors import Conflict, InvalidInput, Location, NotFound
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.models.rules import Stage
from polaris.platform.releases import PlatformReleaseService
from polaris.platform.repo import (
    get_release,
    list_component_versions,
    list_model_dependencies,
    list_releases,
    unregistered_models,
)
from polaris.platform.rules import (
    BomDiff,
    BumpType,
    BumpVerdict,
    PlatformBumpTooSmall,
    PlatformRelease,
    ReleasePin,
    bump_type,
    canonical_name,
    check_platform_bump,
    diff_boms,
)
from polaris.settings import Settings
from polaris.store.migrate import upgrade
from polaris.store.session import Database

__all__ = [
    "CONSTRAINT_SOURCES",
    "ConstraintSource",
    "Plan",
    "PlatformDiff",
    "PlatformService",
    "open_local",
    "project_matrix",
    "server_matrix",
]

#: Reads one kind of registry record: ``(session, component names) -> (constraints, problems)``.
ConstraintSource = Callable[[Any, Sequence[str]], tuple[list[RegistryConstraint], list[str]]]


def _model_source(s: Any, components: Sequence[str]) -> tuple[list[RegistryConstraint], list[str]]:
    out: list[RegistryConstraint] = []
    problems: list[str] = []
    for name, version, _stage, deps in list_model_dependencies(s):
        found, bad = model_constraints(name, version, deps, components)
        out += found
        problems += bad
    return out, problems


#: Where registry rules come from; an API-version source (compatible clients) is appended here.
CONSTRAINT_SOURCES: Final[list[ConstraintSource]] = [_model_source]


@dataclass(frozen=True, slots=True)
class _Registry:
    """What the registry knows, named as the compatibility file names things."""

    catalog: dict[str, set[Version]]
    kinds: dict[str, str]
    #: Display name -> the registry's spelling of a model (for saving pins).
    model_names: dict[str, str]
    constraints: list[RegistryConstraint]
    problems: list[str]
    releases: list[PlatformRelease]


@dataclass(frozen=True, slots=True)
class Plan:
    """A proposed platform release: its BOM, why, and what it changes."""

    version: Version
    previous: PlatformRelease | None
    bom: dict[str, Version]
    kinds: dict[str, str]
    diff: BomDiff
    verdict: BumpVerdict
    report: CheckReport
    notes: tuple[str, ...]
    pins: tuple[ReleasePin, ...]
    saved: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "version": str(self.version),
            "previous": None if self.previous is None else str(self.previous.version),
            "bump": self.verdict.bump,
            "required_bump": self.verdict.required,
            "minimum_version": None if self.verdict.minimum is None else str(self.verdict.minimum),
            "components": [
                {"name": p.name, "kind": p.kind, "version": str(p.version)} for p in self.pins
            ],
            "changes": [c.to_dict() for c in self.diff.changed],
            "ok": self.report.ok,
            "violations": [_violation_dict(v) for v in self.report.violations],
            "notes": list(self.notes),
            "saved": self.saved,
        }


@dataclass(frozen=True, slots=True)
class PlatformDiff:
    """What changed between two bills of materials, and whether the platform bump fits."""

    a: str
    b: str
    a_version: Version | None
    b_version: Version | None
    diff: BomDiff
    #: The platform's bump from ``a`` to ``b``, or ``downgrade`` when ``b`` is older.
    bump: BumpType | Literal["downgrade"] | None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "from": self.a,
            "to": self.b,
            "from_version": None if self.a_version is None else str(self.a_version),
            "to_version": None if self.b_version is None else str(self.b_version),
            "platform_bump": self.bump,
            "required_bump": self.diff.required,
            "bump_ok": self.problem is None,
            "problem": self.problem,
            "changes": [c.to_dict() for c in self.diff.changed],
            "unchanged": len(self.diff.changes) - len(self.diff.changed),
        }


def _violation_dict(v: Violation) -> dict[str, Any]:
    return {
        "severity": v.severity,
        "source": v.source,
        "target": v.target,
        "message": v.message,
        "hint": v.hint,
        "origin": v.origin,
    }


def _aligner(names: Iterable[str]) -> Callable[[str], str]:
    known = {canonical_name(n): n for n in names}
    return lambda name: known.get(canonical_name(name), name)


def _file_names(matrix: CompatMatrix) -> set[str]:
    names = set(matrix.catalog)
    for rule in matrix.rules:
        names.update((rule.source, rule.target))
    names.discard(PLATFORM)
    return names


def server_matrix(settings: Settings) -> CompatMatrix | None:
    """The compatibility file the server checks releases against (``compat_file`` setting)."""
    path = settings.compat_file
    return None if path is None else load_matrix(Path(path))


class PlatformService:
    """Platform release planning over the registry's database (writes: ``releases``)."""

    def __init__(self, db: Database, releases: PlatformReleaseService) -> None:
        self.db = db
        self.releases = releases

    # -- reading ------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the database engine."""
        self.db.dispose()

    def _read(self, matrix: CompatMatrix, extra_names: Iterable[str] = ()) -> _Registry:
        with self.db.read() as s:
            comps = list_component_versions(s)
            models = list_model_dependencies(s)
            releases = list_releases(s)
            align = _aligner([*_file_names(matrix), *extra_names])
            catalog: dict[str, set[Version]] = {}
            kinds: dict[str, str] = {}
            model_names: dict[str, str] = {}
            for name, kind, v in comps:
                catalog.setdefault(align(name), set()).add(v)
                kinds.setdefault(align(name), kind)
            for name, v, stage, _deps in models:
                model_names[align(name)] = name
                kinds[align(name)] = "model"
                if stage != Stage.DEVELOPMENT:  # development versions are not release candidates
                    catalog.setdefault(align(name), set()).add(v)
            names = sorted({*_file_names(matrix), *catalog, *extra_names})
            constraints: list[RegistryConstraint] = []
            problems: list[str] = []
            for source in CONSTRAINT_SOURCES:
                found, bad = source(s, names)
                constraints += found
                problems += bad
        releases = [
            PlatformRelease(
                r.version,
                r.created_at,
                r.created_by,
                r.notes,
                tuple(ReleasePin(align(p.name), p.kind, p.version) for p in r.pins),
            )
            for r in releases
        ]
        return _Registry(catalog, kinds, model_names, constraints, problems, releases)

    def merged_matrix(self, file_matrix: CompatMatrix | None) -> CompatMatrix:
        """The file's rules and versions with the registry's merged in (issue 6 §1)."""
        return self._merged(file_matrix)[0]

    def _merged(
        self, file_matrix: CompatMatrix | None, extra_names: Iterable[str] = ()
    ) -> tuple[CompatMatrix, _Registry]:
        base = file_matrix or CompatMatrix()
        reg = self._read(base, extra_names)
        return with_registry(base, reg.constraints, reg.catalog), reg

    # -- plan -----------------------------------------------------------------------------------

    def plan(
        self,
        version: Version,
        *,
        file_matrix: CompatMatrix | None,
        pins: Mapping[str, Version] | None = None,
        upgrade: Sequence[str] = (),
        priority: Sequence[str] = (),
        newest: bool = False,
        current: Mapping[str, Version] | None = None,
        project_kinds: Mapping[str, str] | None = None,
        allow_downgrade: bool = False,
    ) -> Plan:
        """Propose the BOM of platform ``version``, check it and validate the bump rule.

        Versions of the previous release (the highest stored release below ``version``; without
        one, ``current``) are preferred unless ``newest``; ``upgrade`` moves components past them.

        :raises Unsatisfiable: no set of known versions satisfies every rule (with the chain).
        :raises PlatformBumpTooSmall: ``version`` is too small a bump for the BOM's changes.
        """
        pins = dict(pins or {})
        if PLATFORM in pins:
            raise InvalidInput(
                "the platform version is the plan's argument, not a --pin",
                location=Location(field="pin"),
            )
        project_kinds = dict(project_kinds or {})
        matrix, reg = self._merged(file_matrix, [*project_kinds, *pins, *(current or {})])
        align = _aligner([*_file_names(matrix), *matrix.catalog])
        pins = {align(k): v for k, v in pins.items()}
        if any(r.version == version for r in reg.releases):
            raise Conflict(
                f"platform release {version} already exists",
                location=Location(field="version"),
                hint=f"compare with it: polaris platform diff {version} current",
            )
        previous = _previous(reg.releases, version)
        if previous is not None:
            base = {p.name: p.version for p in previous.pins}
        else:
            base = {align(k): v for k, v in (current or {}).items()}
        if not any(name != PLATFORM for name in matrix.catalog):
            raise InvalidInput(
                "nothing to plan: no component versions are known to the registry or listed "
                "in a compatibility file",
                hint="add a 'versions:' block to compatibility.yml, or record a release first",
            )
        catalog = {k: set(v) for k, v in matrix.catalog.items()}
        for name, v in pins.items():
            catalog.setdefault(name, set()).add(v)
        catalog.setdefault(PLATFORM, set()).add(version)
        matrix = matrix.merged((), {k: sorted(v) for k, v in catalog.items()})
        _result, report = resolve_set(
            matrix,
            pins={**pins, PLATFORM: version},
            prefer=base,
            upgrade=[align(u) for u in upgrade],
            priority=[align(p) for p in priority],
            allow_downgrade=allow_downgrade,
            prefer_newest=newest,
        )
        bom = {k: v for k, v in sorted(report.selection.items()) if k != PLATFORM}
        diff = diff_boms({} if previous is None else base, bom)
        verdict = check_platform_bump(None if previous is None else previous.version, version, diff)
        notes = list(reg.problems)
        platform_rules = [r for r in matrix.rules if r.source == PLATFORM]
        if platform_rules and not any(r.when.contains(version) for r in platform_rules):
            notes.append(
                f"the compatibility file declares no rules for platform {version}: "
                "only component rules apply"
            )
        kinds = {name: _kind(name, project_kinds, reg.kinds) for name in bom}
        release_pins = tuple(
            ReleasePin(reg.model_names.get(n, n) if kinds[n] == "model" else n, kinds[n], v)
            for n, v in bom.items()
        )
        return Plan(
            version, previous, bom, kinds, diff, verdict, report, tuple(notes), release_pins
        )

    def save(self, plan: Plan, *, actor: Actor, notes: str = "") -> Plan:
        """Store a checked plan as a platform release (one transaction, with its audit event)."""
        if not plan.report.ok:
            raise InvalidInput(
                f"platform {plan.version} does not pass the compatibility check",
                hint="run polaris compat check on the planned set",
            )
        with self.db.read() as s:
            missing = unregistered_models(s, list(plan.pins))
        if missing:
            listed = ", ".join(f"{p.name} {p.version}" for p in missing)
            raise NotFound(
                f"{len(missing)} model version{'s are' if len(missing) != 1 else ' is'} "
                f"not registered: {listed}",
                location=Location(field="pins"),
                hint="register each (polaris models register NAME --version V ...), then save",
            )
        self.releases.release(str(plan.version), plan.pins, actor=actor, notes=notes)
        return Plan(
            plan.version,
            plan.previous,
            plan.bom,
            plan.kinds,
            plan.diff,
            plan.verdict,
            plan.report,
            plan.notes,
            plan.pins,
            saved=True,
        )

    # -- diff -----------------------------------------------------------------------------------

    def diff(
        self,
        a: str,
        b: str,
        *,
        current: tuple[Mapping[str, Version], Version | None] | None = None,
    ) -> PlatformDiff:
        """What changed from ``a`` to ``b``: stored release versions, or ``current``.

        ``current`` is the project's versions and platform version, used for the name
        ``current``. The platform bump rule is checked when ``b`` is above ``a``.
        """
        left, lv = self._side(a, current)
        right, rv = self._side(b, current)
        diff = diff_boms(left, right)
        bump: BumpType | Literal["downgrade"] | None = None
        problem: str | None = None
        if lv is not None and rv is not None:
            bump = bump_type(lv, rv)
            if rv < lv:
                bump = "downgrade"
                problem = f"platform {lv} -> {rv} is a downgrade, not a release bump"
            elif rv > lv:
                try:
                    check_platform_bump(lv, rv, diff)
                except PlatformBumpTooSmall as exc:
                    problem = exc.one_line()
        return PlatformDiff(a, b, lv, rv, diff, bump, problem)

    def _side(
        self, which: str, current: tuple[Mapping[str, Version], Version | None] | None
    ) -> tuple[dict[str, Version], Version | None]:
        if which == "current":
            if current is None:
                raise InvalidInput(
                    "'current' needs a project", hint="run inside a platform repo or pass -C"
                )
            return dict(current[0]), current[1]
        try:
            version = Version.parse(which.removeprefix("v"))
        except InvalidInput:
            raise InvalidInput(
                f"{which!r} is neither a platform version nor 'current'",
                location=Location(field="release"),
            ) from None
        with self.db.read() as s:
            rel = get_release(s, version)
        return {p.name: p.version for p in rel.pins}, rel.version

    # -- the dashboard matrix -----------------------------------------------------------------

    def release_matrix(self, file_matrix: CompatMatrix | None) -> dict[str, Any]:
        """Components x platform releases (oldest first), each cell checked against the rules."""
        matrix, reg = self._merged(file_matrix)
        releases = sorted(reg.releases, key=lambda r: r.version)
        names: dict[str, str] = {}
        for rel in releases:
            for p in rel.pins:
                names.setdefault(p.name, p.kind)
        columns: list[dict[str, Any]] = []
        cells: dict[str, list[dict[str, Any] | None]] = {n: [] for n in names}
        prev: PlatformRelease | None = None
        for rel in releases:
            bom = {p.name: p.version for p in rel.pins}
            report = check(matrix, bom, platform_version=rel.version)
            diff = diff_boms({} if prev is None else {p.name: p.version for p in prev.pins}, bom)
            problem: str | None = None
            if prev is not None:
                try:
                    check_platform_bump(prev.version, rel.version, diff)
                except PlatformBumpTooSmall as exc:
                    problem = exc.message
            columns.append(
                {
                    "version": str(rel.version),
                    "created_at": rel.created_at.isoformat(),
                    "status": _status(report.violations),
                    "bump": None if prev is None else bump_type(prev.version, rel.version),
                    "required_bump": diff.required if prev is not None else None,
                    "bump_problem": problem,
                    "errors": len(report.errors),
                    "warnings": len(report.violations) - len(report.errors),
                }
            )
            for name in names:
                if name not in bom:
                    cells[name].append(None)
                    continue
                mine = [v for v in report.violations if name in (v.source, v.target)]
                cells[name].append(
                    {
                        "version": str(bom[name]),
                        "status": _status(mine),
                        "messages": [v.message for v in mine],
                    }
                )
            prev = rel
        return {
            "platform_versions": [c["version"] for c in columns],
            "releases": columns,
            "components": [
                {"name": n, "kind": k, "cells": cells[n]}
                for n, k in sorted(names.items(), key=lambda nk: (nk[1], nk[0]))
            ],
            "rules": {
                "file": file_matrix is not None,
                "total": len(matrix.rules),
                "registry": len(reg.constraints),
            },
            "problems": reg.problems,
        }


def _status(violations: Sequence[Violation]) -> str:
    if any(v.severity == "error" for v in violations):
        return "error"
    return "warning" if violations else "ok"


def _kind(name: str, project: Mapping[str, str], registry: Mapping[str, str]) -> str:
    for source in (project, registry):
        for k, v in source.items():
            if canonical_name(k) == canonical_name(name):
                return v
    return "infra"


def _previous(releases: Sequence[PlatformRelease], version: Version) -> PlatformRelease | None:
    """The highest stored release below ``version``."""
    below = [r for r in releases if r.version < version]
    return max(below, key=lambda r: r.version, default=None)


def project_matrix(project: Project | None, file: Path | None) -> CompatMatrix | None:
    """``file``, else the project's ``compatibility.yml`` if it has one, else no file rules."""
    if file is not None:
        return load_matrix(file)
    if project is not None and (Path(project.root) / DEFAULT_NAME).is_file():
        return load_matrix(Path(project.root) / DEFAULT_NAME, display=DEFAULT_NAME)
    return None


def open_local(settings: Settings | None = None) -> PlatformService:
    """The platform service over the local store (``POLARIS_HOME`` / ``POLARIS_DATABASE_URL``).

    The caller closes it (:meth:`PlatformService.close`): it holds the store's engine.

    :raises InvalidInput: ``POLARIS_URL`` is set: planning reads the store directly.
    """
    settings = settings or Settings()
    if settings.url:
        raise InvalidInput(
            "polaris platform plan/diff read the registry's database directly, "
            f"but POLARIS_URL points at a server ({settings.url})",
            hint="unset POLARIS_URL and set POLARIS_DATABASE_URL to the server's database",
        )
    db = Database(settings.resolved_database_url, pool_size=0)
    try:
        if settings.auto_migrate:
            upgrade(db)
    except BaseException:
        db.dispose()
        raise
    return PlatformService(db, PlatformReleaseService(db))
