"""Use cases for code versions: read the version tree, bump, set, sync and check version files.

Every write goes through a :class:`FilePlan`: the new text of every file, computed in memory first,
shown as a unified diff on ``--dry-run``, and written all-or-nothing by :func:`apply`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from polaris.atomic import read_text, write_all
from polaris.core.errors import (
    InvalidInput,
    InvalidVersion,
    Location,
    NotFound,
    PolarisError,
    VersionFileError,
)
from polaris.core.project import Component, FileSpec, Project
from polaris.core.semver import BumpPart, Version
from polaris.versions.branches import name_problems
from polaris.versions.files import format_for
from polaris.versions.files.interface import Found

__all__ = [
    "ComponentStatus",
    "Disagreement",
    "FilePlan",
    "FileReading",
    "PlatformStatus",
    "Step",
    "Target",
    "apply",
    "check",
    "current_version",
    "plan_bump",
    "plan_set",
    "plan_sync",
    "read_status",
    "target_for",
]


@dataclass(frozen=True, slots=True)
class FileReading:
    """What one configured file says: the versions found, or why it could not be read."""

    spec: FileSpec
    found: tuple[Found, ...] = ()
    error: str | None = None

    @property
    def versions(self) -> tuple[str, ...]:
        """Distinct version texts found, in file order."""
        return tuple(dict.fromkeys(f.text for f in self.found))


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """A component's version as its source says, and what each of its files says."""

    name: str
    kind: str
    group: str
    description: str
    version: str | None
    source: str | None
    follows_platform: bool
    files: tuple[FileReading, ...] = ()

    @property
    def consistent(self) -> bool:
        """Every file readable and carrying exactly the component's version."""
        return all(
            r.error is None and all(t == self.version for t in r.versions) for r in self.files
        )


@dataclass(frozen=True, slots=True)
class PlatformStatus:
    """The version tree of seed 2.1: the platform and each component."""

    name: str
    root: str
    version: str | None
    source: str | None
    files: tuple[FileReading, ...]
    components: tuple[ComponentStatus, ...]

    @property
    def consistent(self) -> bool:
        """Whether every file of the platform and of every component agrees with its source."""
        platform_ok = all(
            r.error is None and all(t == self.version for t in r.versions) for r in self.files
        )
        return platform_ok and all(c.consistent for c in self.components)


@dataclass(frozen=True, slots=True)
class Target:
    """What a bump/set acts on: the platform (``component`` None) or one component."""

    label: str
    component: str | None
    source: FileSpec | None
    files: tuple[FileSpec, ...]
    declared: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One version change a plan makes: ``platform aiops-polaris: 2.1.0 -> 2.2.0``."""

    label: str
    component: str | None
    old: str | None
    new: str
    #: Relative paths of the files this step changed (a sync step with none changed nothing).
    files: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the step changes the version or any file."""
        return self.old != self.new or bool(self.files)


@dataclass(slots=True)
class FilePlan:
    """New contents for a set of files, not yet written.

    Several version changes may share a plan (``sync`` of every component): each starts from the
    text the previous one left, so edits to one file by several components compose.
    """

    root: Path
    steps: list[Step] = field(default_factory=list)
    originals: dict[Path, str] = field(default_factory=dict)
    changes: dict[Path, str] = field(default_factory=dict)

    @property
    def new_version(self) -> str | None:
        """The new version of the last step."""
        return self.steps[-1].new if self.steps else None

    @property
    def old_version(self) -> str | None:
        """The old version of the last step."""
        return self.steps[-1].old if self.steps else None

    @property
    def changed_files(self) -> list[str]:
        """Relative paths of the files whose content changes."""
        return [
            p.relative_to(self.root).as_posix()
            for p, text in self.changes.items()
            if text != self.originals[p]
        ]

    def diff(self) -> str:
        """A unified diff of every file the plan changes (``a/`` and ``b/`` prefixes, like git)."""
        out: list[str] = []
        for path, new in self.changes.items():
            old = self.originals[path]
            if old == new:
                continue
            rel = path.relative_to(self.root).as_posix()
            out.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"a/{rel}",
                    tofile=f"b/{rel}",
                )
            )
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n\\ No newline at end of file\n"
        return "".join(out)


# -- reading ------------------------------------------------------------------------------------


def _root(project: Project) -> Path:
    return Path(project.root)


def _read_spec(root: Path, spec: FileSpec, cache: dict[Path, str]) -> FileReading:
    path = root / spec.path
    try:
        if path not in cache:
            cache[path] = read_text(path)
        found = format_for(spec).find(cache[path])
    except FileNotFoundError:
        return FileReading(spec, error=f"{spec.path}: file not found")
    except PolarisError as exc:
        return FileReading(spec, error=exc.one_line())
    except OSError as exc:
        return FileReading(spec, error=f"{spec.path}: {exc.strerror or exc}")
    return FileReading(spec, tuple(found))


def _source_version(root: Path, spec: FileSpec, cache: dict[Path, str]) -> str:
    reading = _read_spec(root, spec, cache)
    if reading.error is not None:
        raise VersionFileError(reading.error, location=Location(file=spec.path))
    versions = reading.versions
    if len(versions) != 1:
        raise VersionFileError(
            f"the version source holds {len(versions)} different versions: {', '.join(versions)}",
            location=Location(file=spec.path),
        )
    return versions[0]


def target_for(project: Project, component: str | None = None) -> Target:
    """The source and files a bump of the platform (or of ``component``) acts on."""
    if component is None:
        followers = tuple(f for c in project.components if c.follows_platform for f in c.files)
        return Target(
            label=f"platform {project.name}",
            component=None,
            source=project.platform_source,
            files=_dedupe((*project.platform_files, *followers)),
        )
    comp = project.component(component)
    if comp is None:
        known = ", ".join(c.name for c in project.components) or "none"
        raise NotFound(
            f"no component named {component!r}",
            location=Location(file=project.config_path, field="components"),
            hint=f"known components: {known}",
        )
    if comp.follows_platform:
        raise InvalidInput(
            f"component {component!r} follows the platform version",
            location=Location(file=project.config_path, field=f"components.{component}"),
            hint="bump the platform instead (leave out --component)",
        )
    return Target(
        label=f"component {comp.name}",
        component=comp.name,
        source=comp.version_source,
        files=_dedupe(comp.files),
        declared=comp.declared_version,
    )


def _dedupe(specs: Iterable[FileSpec]) -> tuple[FileSpec, ...]:
    return tuple(dict.fromkeys(specs))


def current_version(project: Project, component: str | None = None) -> Version:
    """The version of the platform, or of ``component``, as its source file says."""
    target = target_for(project, component)
    text = _target_version(project, target, {})
    if text is None:
        raise VersionFileError(
            f"{target.label} has no version source",
            location=Location(file=project.config_path),
            hint="add version_source (platform) or files/source (component) to polaris.toml",
        )
    try:
        return Version.parse(text)
    except InvalidVersion as exc:
        source = target.source.path if target.source else project.config_path
        raise InvalidVersion(exc.message, location=Location(file=source)) from None


def _target_version(project: Project, target: Target, cache: dict[Path, str]) -> str | None:
    if target.source is not None:
        return _source_version(_root(project), target.source, cache)
    return target.declared


def read_status(project: Project) -> PlatformStatus:
    """Read every configured file once and report the version tree."""
    root = _root(project)
    cache: dict[Path, str] = {}
    platform_version: str | None = None
    platform_error: FileReading | None = None
    if project.platform_source is not None:
        reading = _read_spec(root, project.platform_source, cache)
        if reading.error is None and len(reading.versions) == 1:
            platform_version = reading.versions[0]
        else:
            platform_error = reading
    platform_files = tuple(_read_spec(root, s, cache) for s in project.platform_files)
    if platform_error is not None:
        platform_files = (platform_error, *platform_files)
    components: list[ComponentStatus] = []
    for comp in project.components:
        components.append(_component_status(root, comp, platform_version, cache))
    return PlatformStatus(
        name=project.name,
        root=project.root,
        version=platform_version,
        source=project.platform_source.path if project.platform_source else None,
        files=platform_files,
        components=tuple(components),
    )


def _component_status(
    root: Path, comp: Component, platform_version: str | None, cache: dict[Path, str]
) -> ComponentStatus:
    readings = tuple(_read_spec(root, s, cache) for s in comp.files)
    version: str | None
    source: str | None
    if comp.follows_platform:
        version = platform_version
        source = "platform"
    elif comp.version_source is not None:
        source = comp.version_source.path
        src = _read_spec(root, comp.version_source, cache)
        version = src.versions[0] if src.error is None and len(src.versions) == 1 else None
        if comp.version_source not in comp.files:
            readings = (src, *readings)
    else:
        version = comp.declared_version
        source = "polaris.toml" if version is not None else None
    return ComponentStatus(
        name=comp.name,
        kind=comp.kind,
        group=comp.group,
        description=comp.description,
        version=version,
        source=source,
        follows_platform=comp.follows_platform,
        files=readings,
    )


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One place whose version differs from its owner's source (or could not be read)."""

    owner: str
    expected: str | None
    file: str
    line: int | None
    where: str
    found: str | None
    error: str | None = None


def check(project: Project) -> tuple[PlatformStatus, list[Disagreement]]:
    """Every place whose version disagrees with its source; empty when all agree."""
    status = read_status(project)
    out: list[Disagreement] = []
    owners: list[tuple[str, str | None, tuple[FileReading, ...]]] = [
        (f"platform {status.name}", status.version, status.files)
    ]
    owners += [(c.name, c.version, c.files) for c in status.components]
    for owner, expected, readings in owners:
        for reading in readings:
            if reading.error is not None:
                out.append(
                    Disagreement(
                        owner,
                        expected,
                        reading.spec.path,
                        None,
                        reading.spec.describe(),
                        None,
                        reading.error,
                    )
                )
                continue
            out.extend(
                Disagreement(owner, expected, f.path, f.line, f.where, f.text)
                for f in reading.found
                if f.text != expected
            )
    return status, out


# -- planning writes ----------------------------------------------------------------------------


def plan_set(
    project: Project,
    new_version: Version,
    *,
    component: str | None = None,
    plan: FilePlan | None = None,
) -> FilePlan:
    """The new text of every file that carries the platform's (or ``component``'s) version.

    With ``plan``, the edits are added to it, starting from the text it already holds.
    """
    problems = name_problems(new_version)
    if problems:
        raise InvalidVersion(f"{new_version}: {problems[0]}", hint="seed naming rules 14.1.2")
    target = target_for(project, component)
    specs = _dedupe((*((target.source,) if target.source else ()), *target.files))
    if not specs:
        raise VersionFileError(
            f"{target.label} has no version files to write",
            location=Location(file=project.config_path),
        )
    root = _root(project)
    plan = plan if plan is not None else FilePlan(root=root)
    old = _target_version(project, target, dict(plan.originals))
    step = Step(target.label, component, old, str(new_version))
    plan.steps.append(step)
    for spec in specs:
        path = root / spec.path
        if path not in plan.changes:
            try:
                text = read_text(path)
            except FileNotFoundError:
                raise VersionFileError(
                    "file not found", location=Location(file=spec.path)
                ) from None
            plan.originals[path] = text
            plan.changes[path] = text
        before = plan.changes[path]
        plan.changes[path] = format_for(spec).replace(before, str(new_version))
        if plan.changes[path] != before and spec.path not in step.files:
            step.files.append(spec.path)
    return plan


def plan_bump(
    project: Project,
    part: BumpPart,
    *,
    pre: str | None = None,
    component: str | None = None,
    build: Iterable[str] | None = None,
) -> FilePlan:
    """Bump the platform's (or ``component``'s) version and plan the file writes."""
    current = current_version(project, component)
    new = current.bump(part, pre=pre)
    if build:
        new = new.with_build(build)
    return plan_set(project, new, component=component)


def plan_sync(project: Project, *, component: str | None = None) -> FilePlan:
    """Write each source version into every file configured for it (seed 13.2.1).

    With no ``component``: the platform and every component that has a version source, in one plan.
    """
    names: list[str | None]
    if component is not None:
        names = [component]
    else:
        names = [None] + [
            c.name
            for c in project.components
            if not c.follows_platform and c.version_source is not None
        ]
    plan = FilePlan(root=_root(project))
    for name in names:
        if target_for(project, name).source is None:
            continue
        plan_set(project, current_version(project, name), component=name, plan=plan)
    return plan


def apply(plan: FilePlan) -> list[str]:
    """Write the plan's changed files all-or-nothing; returns the relative paths written."""
    changes = {p: t for p, t in plan.changes.items() if t != plan.originals[p]}
    if changes:
        write_all(changes, root=plan.root)
    return sorted(p.relative_to(plan.root).as_posix() for p in changes)
