"""Platform releases (seed 2.1): bills of materials, their differences and the platform bump rule.

A platform version pins one version of each component: its *bill of materials* (BOM). Between two
BOMs every component is added, removed, changed or unchanged, and each change has a bump type
(``major``, ``minor``, ``patch``, ``prerelease`` or ``none``: the most significant part that
differs). The platform's own bump must be at least the largest component bump:

- a *breaking* change (a major change, a minor change below 1.0.0, a downgrade past a patch, or a
  removed component) makes the platform MAJOR;
- an added component is a MINOR change (new function, nothing taken away);
- a component prerelease change needs at least a new platform patch (or the next platform
  prerelease when the platform itself is a prerelease of the version that carries the change).

Pure: data in, data out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from polaris.core.errors import CheckFailed, Location
from polaris.core.project import canonical_name
from polaris.core.semver import Version

__all__ = [
    "BUMP_ORDER",
    "BomDiff",
    "BumpType",
    "BumpVerdict",
    "ComponentChange",
    "PlatformBumpTooSmall",
    "PlatformRelease",
    "ReleasePin",
    "bump_type",
    "canonical_name",
    "check_platform_bump",
    "diff_boms",
    "minimum_platform_version",
    "release_to_dict",
]

BumpType = Literal["none", "prerelease", "patch", "minor", "major"]
#: Bump types from smallest to largest.
BUMP_ORDER: Final[tuple[BumpType, ...]] = ("none", "prerelease", "patch", "minor", "major")
_RANK: Final = {b: i for i, b in enumerate(BUMP_ORDER)}

ChangeKind = Literal["added", "removed", "changed", "unchanged"]


def bump_type(old: Version, new: Version) -> BumpType:
    """The most significant part that differs between ``old`` and ``new`` (in either direction).

    Build metadata is ignored, as in SemVer precedence.

    >>> bump_type(Version.parse("1.3.2"), Version.parse("1.4.0-rc.1"))
    'minor'
    """
    if old.major != new.major:
        return "major"
    if old.minor != new.minor:
        return "minor"
    if old.patch != new.patch:
        return "patch"
    if old.prerelease != new.prerelease:
        return "prerelease"
    return "none"


def _breaking(old: Version, new: Version, bump: BumpType) -> bool:
    if bump == "major":
        return True
    if bump == "minor" and old.major == 0:
        return True  # below 1.0.0 a minor change may break (SemVer item 4; caret ranges agree)
    return bump == "minor" and new < old  # a minor downgrade takes features away


@dataclass(frozen=True, slots=True)
class ComponentChange:
    """What happened to one component between two bills of materials."""

    name: str
    change: ChangeKind
    old: Version | None
    new: Version | None
    #: The most significant part that differs (``minor`` for an added component, ``major`` for a
    #: removed one).
    bump: BumpType
    #: Whether the change may break users of the component (it then makes the platform MAJOR).
    breaking: bool

    @property
    def downgrade(self) -> bool:
        """Whether the component went to an older version."""
        return self.old is not None and self.new is not None and self.new < self.old

    @property
    def label(self) -> str:
        """``minor``, ``major (breaking)``, or ``downgrade (major)`` for an older version."""
        if self.downgrade:
            return f"downgrade ({self.bump})"
        return f"{self.bump} (breaking)" if self.breaking else self.bump

    @property
    def required(self) -> BumpType:
        """The smallest platform bump this change asks for."""
        if self.breaking:
            return "major"
        if self.bump == "prerelease":
            return "prerelease"
        return self.bump

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "change": self.change,
            "from": None if self.old is None else str(self.old),
            "to": None if self.new is None else str(self.new),
            "bump": self.bump,
            "breaking": self.breaking,
            "downgrade": self.downgrade,
        }

    def describe(self) -> str:
        """``rag_search 1.3.2 -> 2.0.0 (major, breaking)``."""
        tag = f"{self.bump}, breaking" if self.breaking else self.bump
        if self.downgrade:
            tag = f"downgrade, {tag}"
        if self.change == "added":
            return f"{self.name} added at {self.new} ({tag})"
        if self.change == "removed":
            return f"{self.name} {self.old} removed ({tag})"
        if self.change == "unchanged":
            return f"{self.name} {self.new} unchanged"
        return f"{self.name} {self.old} -> {self.new} ({tag})"


@dataclass(frozen=True, slots=True)
class BomDiff:
    """The per-component changes between two bills of materials."""

    changes: tuple[ComponentChange, ...]

    @property
    def changed(self) -> tuple[ComponentChange, ...]:
        """Only the components that were added, removed or changed."""
        return tuple(c for c in self.changes if c.change != "unchanged")

    @property
    def required(self) -> BumpType:
        """The smallest platform bump the changes ask for (the largest component requirement)."""
        return max((c.required for c in self.changes), key=_RANK.__getitem__, default="none")

    @property
    def largest(self) -> ComponentChange | None:
        """The change that asks for the largest platform bump (first by name on ties)."""
        changed = self.changed
        if not changed:
            return None
        return max(changed, key=lambda c: _RANK[c.required])


def diff_boms(old: Mapping[str, Version], new: Mapping[str, Version]) -> BomDiff:
    """Compare two bills of materials, matching names by :func:`canonical_name`.

    The result lists every component once, sorted by name; a name spelled differently on the two
    sides (``rag-search`` / ``rag_search``) keeps the new side's spelling.
    """
    olds = {canonical_name(n): (n, v) for n, v in old.items()}
    news = {canonical_name(n): (n, v) for n, v in new.items()}
    out: list[ComponentChange] = []
    for key in sorted(olds.keys() | news.keys()):
        before, after = olds.get(key), news.get(key)
        if before is None and after is not None:
            out.append(ComponentChange(after[0], "added", None, after[1], "minor", False))
        elif after is None and before is not None:
            out.append(ComponentChange(before[0], "removed", before[1], None, "major", True))
        elif before is not None and after is not None:
            a, b = before[1], after[1]
            bump = bump_type(a, b)
            kind: ChangeKind = "unchanged" if bump == "none" else "changed"
            out.append(ComponentChange(after[0], kind, a, b, bump, _breaking(a, b, bump)))
    out.sort(key=lambda c: c.name)
    return BomDiff(tuple(out))


# -- the platform bump rule ----------------------------------------------------------------------


class PlatformBumpTooSmall(CheckFailed):
    """A proposed platform version whose bump is smaller than its component changes ask for."""

    slug = "platform-bump-too-small"


@dataclass(frozen=True, slots=True)
class BumpVerdict:
    """How a proposed platform version relates to the previous one and to the BOM's changes."""

    previous: Version | None
    proposed: Version
    #: The platform's own bump (``major`` ... ``none``); ``None`` for the first release.
    bump: BumpType | None
    #: The smallest bump the component changes ask for.
    required: BumpType
    #: The smallest acceptable version.
    minimum: Version | None


def _minimum_core(previous: Version, required: BumpType) -> tuple[int, int, int]:
    major, minor, patch = previous.core
    pre = previous.is_prerelease
    if required == "major":
        return previous.core if pre and minor == 0 and patch == 0 else (major + 1, 0, 0)
    if required == "minor":
        return previous.core if pre and patch == 0 else (major, minor + 1, 0)
    if required in ("patch", "prerelease"):
        return previous.core if pre else (major, minor, patch + 1)
    return previous.core


def minimum_platform_version(previous: Version, required: BumpType) -> Version:
    """The smallest platform version after ``previous`` that a ``required`` bump allows.

    A prerelease previous version already on its way to the needed core version moves along its
    prerelease channel: ``3.0.0-rc.1`` with a major change needs at least ``3.0.0-rc.2``.

    >>> str(minimum_platform_version(Version.parse("2.1.0"), "major"))
    '3.0.0'
    """
    core = _minimum_core(previous, required)
    if core != previous.core:
        return Version(*core)
    if previous.is_prerelease:
        return previous.bump("prerelease")
    return Version(previous.major, previous.minor, previous.patch + 1)


def check_platform_bump(previous: Version | None, proposed: Version, diff: BomDiff) -> BumpVerdict:
    """Validate ``proposed`` against ``previous`` and the BOM changes; raise if too small.

    :raises PlatformBumpTooSmall: ``proposed`` is not above ``previous``, or its bump is smaller
        than the largest component change asks for.
    """
    required = diff.required
    if previous is None:
        return BumpVerdict(None, proposed, None, required, None)
    minimum = minimum_platform_version(previous, required)
    where = Location(field="version")
    if proposed <= previous:
        raise PlatformBumpTooSmall(
            f"platform {proposed} is not greater than the previous release {previous}",
            location=where,
            hint=f"use {minimum} or higher",
        )
    bump = bump_type(previous, proposed)
    if proposed.core < _minimum_core(previous, required):
        big = diff.largest
        why = f"; {big.describe()}" if big is not None else ""
        raise PlatformBumpTooSmall(
            f"platform {previous} -> {proposed} is a {bump} bump, but the components need a "
            f"{required} bump{why}",
            location=where,
            hint=f"use {minimum} or higher",
        )
    return BumpVerdict(previous, proposed, bump, required, minimum)


# -- platform releases -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleasePin:
    """One component (or model) version pinned by a platform release (seed 2.1)."""

    name: str
    kind: str
    """A component kind of :data:`polaris.core.project.COMPONENT_KINDS` (``model`` for models)."""
    version: Version


@dataclass(frozen=True, slots=True)
class PlatformRelease:
    """A platform version and the component versions it is made of."""

    version: Version
    created_at: datetime
    created_by: str
    notes: str
    pins: tuple[ReleasePin, ...]


def release_to_dict(rel: PlatformRelease) -> dict[str, Any]:
    """The JSON form of a platform release, pins grouped in seed 2.1 order."""
    return {
        "version": str(rel.version),
        "created_at": rel.created_at.isoformat(),
        "created_by": rel.created_by,
        "notes": rel.notes,
        "components": [
            {"name": p.name, "kind": p.kind, "version": str(p.version)}
            for p in sorted(rel.pins, key=lambda p: (p.kind, p.name))
        ],
    }
