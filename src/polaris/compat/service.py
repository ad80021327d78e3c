"""Use cases for compatibility: check a proposed set of versions, resolve the newest set."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from polaris.compat.config import DEFAULT_NAME, load_matrix
from polaris.compat.constraints import RegistryConstraint, constraint_rules
from polaris.compat.document import canonical
from polaris.compat.resolver import Resolution, resolve
from polaris.compat.rules import PLATFORM, CheckReport, CompatMatrix, check, to_problem
from polaris.core.errors import InvalidInput, InvalidVersion
from polaris.core.project import Project
from polaris.core.semver import Version
from polaris.versions.service import read_status

__all__ = [
    "Checked",
    "aliases",
    "check_set",
    "current_set",
    "current_with_platform",
    "load",
    "parse_assignments",
    "resolve_set",
    "with_registry",
]


@dataclass(frozen=True, slots=True)
class Checked:
    """A check's report and where the set came from."""

    report: CheckReport
    origin: str


def load(project: Project | None, file: Path | None) -> CompatMatrix:
    """The matrix from ``file``, else ``compatibility.yml`` at the project root.

    Inside a project, component names are matched by spelling: the document's ``api_service``
    or ``Agent Services`` name the component whose name or description they spell.
    """
    if file is None:
        if project is None:
            raise InvalidInput("no compatibility file", hint="pass --file or run inside a project")
        matrix = load_matrix(Path(project.root) / DEFAULT_NAME, display=DEFAULT_NAME)
    else:
        matrix = load_matrix(file)
    return matrix if project is None else matrix.renamed(aliases(project))


def aliases(project: Project) -> Callable[[str], str]:
    """``api_service`` -> ``api`` (its description is "API Service"), by canonical spelling."""
    known: dict[str, str] = {}
    for comp in project.components:
        if comp.description:
            known.setdefault(canonical(comp.description), comp.name)
    for comp in project.components:
        known[canonical(comp.name)] = comp.name
    return lambda name: known.get(canonical(name), name)


def current_with_platform(project: Project) -> dict[str, Version]:
    """The current versions with the platform's own under ``platform``: what resolve keeps."""
    chosen, platform = current_set(project)
    if platform is not None:
        chosen.setdefault(PLATFORM, platform)
    return chosen


def current_set(project: Project) -> tuple[dict[str, Version], Version | None]:
    """The versions the project's files carry now (the current platform release)."""
    status = read_status(project)
    chosen: dict[str, Version] = {}
    for comp in status.components:
        if comp.version is not None and Version.is_valid(comp.version):
            chosen[comp.name] = Version.parse(comp.version)
    platform = status.version
    return chosen, Version.parse(platform) if platform and Version.is_valid(platform) else None


def parse_assignments(items: Sequence[str], *, option: str) -> dict[str, Version]:
    """``["api=2.1.0", ...]`` -> ``{"api": Version("2.1.0")}``, with errors naming the option."""
    out: dict[str, Version] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise InvalidInput(f"{option} {item!r}: expected NAME=VERSION, e.g. api=2.1.0")
        try:
            out[name.strip()] = Version.parse(value.strip())
        except InvalidVersion as exc:
            raise InvalidInput(f"{option} {item!r}: {exc.message}") from None
    return out


def check_set(
    matrix: CompatMatrix,
    *,
    base: Mapping[str, Version],
    overrides: Mapping[str, Version],
    platform_version: Version | None,
) -> CheckReport:
    """Check ``base`` with ``overrides`` applied (``platform`` may be overridden too)."""
    chosen = {**base, **overrides}
    platform = chosen.pop(PLATFORM, platform_version)
    return check(matrix, chosen, platform_version=platform)


def resolve_set(
    matrix: CompatMatrix,
    *,
    pins: Mapping[str, Version],
    prefer: Mapping[str, Version],
    upgrade: Sequence[str],
    priority: Sequence[str],
    allow_downgrade: bool = False,
    prefer_newest: bool = False,
) -> tuple[Resolution, CheckReport]:
    """A compatible set keeping current versions where it can, and the checker's verdict on it.

    No component goes below its ``prefer`` version unless ``allow_downgrade``; with
    ``prefer_newest`` those versions are floors only and every decision takes the newest.
    """
    if not matrix.catalog:
        raise InvalidInput(
            "the compatibility file lists no known versions",
            hint="add a 'versions:' block mapping each component to its versions",
        )
    problem = to_problem(
        matrix,
        pins=pins,
        prefer=prefer,
        upgrade=upgrade,
        priority=priority,
        allow_downgrade=allow_downgrade,
        prefer_newest=prefer_newest,
    )
    result = resolve(problem)
    chosen = dict(result.versions)
    platform = chosen.pop(PLATFORM, None)
    return result, check(matrix, chosen, platform_version=platform)


def with_registry(
    matrix: CompatMatrix,
    constraints: Iterable[RegistryConstraint],
    catalog: Mapping[str, Iterable[Version]],
) -> CompatMatrix:
    """The file's matrix with the rules and versions recorded in the registry merged in.

    ``constraints`` come from registry records (model dependencies, API compatible clients; see
    :mod:`polaris.platform.service`), already named as the file names its components.
    """
    return matrix.merged(constraint_rules(constraints), catalog)
