"""Pure decisions about dependencies: what a pin is, how far an update goes, what a policy allows.

Versions of Python packages are PEP 440 (``packaging``); npm versions are SemVer
(:mod:`polaris.core.semver`). Nothing here reads a file, the network or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from polaris.core.semver import Version as SemVer

__all__ = [
    "Category",
    "Decision",
    "Dependency",
    "Ecosystem",
    "PolicyBook",
    "StatusRow",
    "UpdatePolicy",
    "UpdateType",
    "classify_update",
    "decide",
    "newest",
    "package_key",
    "status_row",
]


class Ecosystem(StrEnum):
    """Where a package comes from, named as OSV names ecosystems."""

    PYPI = "PyPI"
    NPM = "npm"


class UpdateType(StrEnum):
    """How far the newest version is from the pin."""

    NONE = "none"
    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"
    PRERELEASE = "prerelease"
    UNKNOWN = "unknown"


class UpdatePolicy(StrEnum):
    """The document's update policies (seed 9.1.1) and the one Polaris adds for patches only."""

    MANUAL = "manual_approval_required"
    MINOR = "automated_minor_updates"
    PATCH = "automated_patch_updates"
    ALL = "automated_updates"


@dataclass(frozen=True, slots=True)
class Dependency:
    """One requirement as a manifest or lock file states it.

    ``version`` is the exact pin (``==1.2.3``) or the locked version, ``None`` when unpinned.
    """

    name: str
    ecosystem: Ecosystem
    version: str | None
    specifier: str = ""
    source: str = ""
    line: int = 0
    extras: tuple[str, ...] = ()
    marker: str | None = None
    hashes: tuple[str, ...] = ()
    group: str | None = None

    @property
    def key(self) -> str:
        """The name as indexes and advisories compare it (PEP 503 normalised for PyPI)."""
        return package_key(self.ecosystem, self.name)


def package_key(ecosystem: Ecosystem | str, name: str) -> str:
    """``Foo_Bar`` -> ``foo-bar`` on PyPI; npm names are compared as written, lower-cased."""
    if ecosystem == Ecosystem.PYPI:
        return canonicalize_name(name)
    return name.lower()


@dataclass(frozen=True, slots=True)
class Category:
    """A dependency category of ``dependencies.yml``: its policy, cadence and members."""

    name: str
    update_policy: UpdatePolicy
    security_monitoring: str = "daily"
    description: str = ""
    packages: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PolicyBook:
    """Every category, and which one unlisted packages fall into."""

    categories: tuple[Category, ...]
    default: str = "standard"
    #: Category of unlisted packages that come from a development file or group.
    development_default: str | None = "development"

    def category_of(self, dep: Dependency) -> Category:
        """The category listing ``dep``, else the development default (dev files), else default."""
        key = package_key(dep.ecosystem, dep.name)
        for cat in self.categories:
            if key in cat.packages:
                return cat
        name = self.default
        if self.development_default and _is_dev(dep):
            name = self.development_default
        return self.named(name)

    def named(self, name: str) -> Category:
        """The category called ``name`` (a plain standard-like one when it is not declared)."""
        for cat in self.categories:
            if cat.name == name:
                return cat
        return Category(name=name, update_policy=UpdatePolicy.MINOR)


def _is_dev(dep: Dependency) -> bool:
    group = (dep.group or "").lower()
    source = dep.source.rsplit("/", 1)[-1].lower()
    return (
        group in {"dev", "develop", "test", "lint", "docs"} or "-dev" in source or "dev-" in source
    )


def _pep440(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _release(ecosystem: Ecosystem, text: str) -> tuple[tuple[int, ...], bool] | None:
    """The release numbers and whether it is a prerelease, in the ecosystem's own grammar."""
    if ecosystem == Ecosystem.NPM:
        if not SemVer.is_valid(text):
            return None
        v = SemVer.parse(text)
        return (v.major, v.minor, v.patch), v.is_prerelease
    p = _pep440(text)
    if p is None:
        return None
    return p.release, p.is_prerelease


def classify_update(ecosystem: Ecosystem, current: str, candidate: str) -> UpdateType:
    """``major``/``minor``/``patch`` from the first release number that differs.

    >>> classify_update(Ecosystem.PYPI, "0.104.1", "0.110.0")
    <UpdateType.MINOR: 'minor'>
    >>> classify_update(Ecosystem.PYPI, "1.2", "1.2.1")
    <UpdateType.PATCH: 'patch'>
    """
    a, b = _release(ecosystem, current), _release(ecosystem, candidate)
    if a is None or b is None:
        return UpdateType.UNKNOWN
    if b[1]:
        return UpdateType.PRERELEASE
    ra, rb = a[0], b[0]
    width = max(len(ra), len(rb), 3)
    ra, rb = ra + (0,) * (width - len(ra)), rb + (0,) * (width - len(rb))
    if rb <= ra:
        return UpdateType.NONE
    if ra[0] != rb[0]:
        return UpdateType.MAJOR
    if ra[1] != rb[1]:
        return UpdateType.MINOR
    return UpdateType.PATCH


def newest(
    ecosystem: Ecosystem,
    versions: list[tuple[str, bool]],
    *,
    prereleases: bool = False,
    same_major_as: str | None = None,
    patch_only_of: str | None = None,
) -> str | None:
    """The highest ``(version, yanked)`` that is not yanked, within the given bound.

    :param prereleases: also consider prereleases.
    :param same_major_as: only versions with this version's major number.
    :param patch_only_of: only versions with this version's major and minor numbers.
    """
    best: tuple[tuple[object, ...], str] | None = None
    bound = same_major_as or patch_only_of
    parsed_bound = _release(ecosystem, bound) if bound else None
    bound_rel = parsed_bound[0] if parsed_bound is not None else None
    for text, yanked in versions:
        rel = _release(ecosystem, text)
        if yanked or rel is None or (rel[1] and not prereleases):
            continue
        if bound_rel is not None:
            width = 1 if same_major_as else 2
            pad = rel[0] + (0,) * 3
            bpad = bound_rel + (0,) * 3
            if pad[:width] != bpad[:width]:
                continue
        key: tuple[object, ...] = (
            (_pep440(text),) if ecosystem == Ecosystem.PYPI else SemVer.parse(text).sort_key
        )
        if best is None or key > best[0]:
            best = (key, text)
    return None if best is None else best[1]


@dataclass(frozen=True, slots=True)
class Decision:
    """What a policy says about one proposed update, and why."""

    action: str  # "none" | "auto" | "approval" | "hold"
    reason: str


def decide(policy: UpdatePolicy, kind: UpdateType) -> Decision:
    """What ``policy`` lets happen to an update of ``kind``.

    ``auto``: applied by ``deps update --apply``; ``approval``: proposed for a person to approve;
    ``hold``: not proposed (outside what the policy automates, e.g. a prerelease).
    """
    if kind == UpdateType.NONE:
        return Decision("none", "up to date")
    if kind in (UpdateType.PRERELEASE, UpdateType.UNKNOWN):
        return Decision("hold", f"{kind.value} versions are never applied automatically")
    if policy == UpdatePolicy.MANUAL:
        return Decision("approval", "critical dependency: every update needs approval")
    if policy == UpdatePolicy.ALL:
        return Decision("auto", "the policy automates every update")
    if policy == UpdatePolicy.MINOR and kind in (UpdateType.MINOR, UpdateType.PATCH):
        return Decision("auto", "the policy automates minor and patch updates")
    if policy == UpdatePolicy.PATCH and kind == UpdateType.PATCH:
        return Decision("auto", "the policy automates patch updates")
    return Decision("approval", f"a {kind.value} update is outside {policy.value}")


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One line of ``polaris deps status``."""

    name: str
    ecosystem: str
    pinned: str | None
    newest: str | None
    update: str
    category: str
    policy: str
    action: str
    reason: str
    yanked: bool = False
    newest_prerelease: str | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)


def status_row(
    dep: Dependency, book: PolicyBook, versions: list[tuple[str, bool]] | None
) -> StatusRow:
    """Compare ``dep``'s pin with the index's ``(version, yanked)`` list under ``dep``'s policy."""
    cat = book.category_of(dep)
    where = f"{dep.source}:{dep.line}" if dep.line else dep.source
    base: dict[str, Any] = {
        "name": dep.name,
        "ecosystem": dep.ecosystem.value,
        "pinned": dep.version,
        "category": cat.name,
        "policy": cat.update_policy.value,
        "source": where,
    }
    if versions is None:
        return StatusRow(
            **base, newest=None, update="unknown", action="hold", reason="not on the index"
        )
    top = newest(dep.ecosystem, versions)
    top_pre = newest(dep.ecosystem, versions, prereleases=True)
    pre = top_pre if top_pre is not None and top_pre != top else None
    yanked = dep.version is not None and any(v == dep.version and y for v, y in versions)
    if dep.version is None:
        return StatusRow(
            **base, newest=top, update="unpinned", action="hold", reason="not pinned", yanked=False
        )
    kind = UpdateType.NONE if top is None else classify_update(dep.ecosystem, dep.version, top)
    d = decide(cat.update_policy, kind)
    notes = [f"pinned version {dep.version} is yanked"] if yanked else []
    if pre is not None and classify_update(dep.ecosystem, dep.version, pre) != UpdateType.NONE:
        notes.append(f"prerelease {pre} available")
    return StatusRow(
        **base,
        newest=top,
        update=kind.value,
        action=d.action,
        reason=d.reason,
        yanked=yanked,
        newest_prerelease=pre,
        notes=notes,
    )
