"""Client compatibility (seed 11.2): which client versions work with which API version, how well.

Declarations name client versions by SemVer *ranges* (``2.0.x``, ``^2``, ``>=1.4 <2``) rather
than the seed sketch's string patterns. :meth:`ClientMatrix.of` checks them on load: two
declarations for the same client and API version whose ranges overlap are *contradictory* (an
error) when their verdicts differ, and merely *overlapping* (a warning) when they agree.

Overlap is decided by :meth:`Range.intersects`; the message names a version both ranges cover,
found by probing the versions each range text mentions and their successors.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from polaris.apis.lifecycle import normalize_api_version
from polaris.core.errors import InvalidInput, Location
from polaris.core.ranges import Range
from polaris.core.semver import Version

__all__ = ["ClientCompatibility", "ClientDeclaration", "ClientMatrix", "CompatibilityLevel"]

_NUM = re.compile(r"(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?")


class CompatibilityLevel(enum.StrEnum):
    """How well a client version works with an API version, best first."""

    FULLY = "fully_compatible"
    MOSTLY = "mostly_compatible"
    LIMITED = "limited_compatibility"
    NOT = "not_compatible"

    @classmethod
    def parse(cls, text: str, *, field_name: str | None = None) -> CompatibilityLevel:
        """Accept ``fully``, ``fully_compatible``, ``limited``, ``not``... in any case."""
        t = text.strip().lower().replace("-", "_").replace(" ", "_")
        for level in cls:
            if t in (level.value, level.value.split("_")[0], level.name.lower()):
                return level
        raise InvalidInput(
            f"unknown compatibility level {text!r}",
            location=Location(field=field_name),
            hint="expected fully, mostly, limited or not (_compatible)",
        )


@dataclass(frozen=True, slots=True)
class ClientDeclaration:
    """One row of the matrix: a client, a range of its versions, an API version and a verdict."""

    client: str
    versions: str
    """SemVer range text, e.g. ``2.0.x`` or ``^2``."""
    api_version: str
    """Canonical API version name, e.g. ``v2`` or ``v2.1.0``."""
    level: CompatibilityLevel
    issues: tuple[str, ...] = ()
    workarounds: tuple[str, ...] = ()
    migration_required: bool | None = None
    """None: required when the level is limited or not compatible."""
    where: str | None = None
    """Where it was declared (file:line), for messages."""

    @property
    def needs_migration(self) -> bool:
        """Whether clients in this range must migrate."""
        if self.migration_required is not None:
            return self.migration_required
        return self.level in (CompatibilityLevel.LIMITED, CompatibilityLevel.NOT)


@dataclass(frozen=True, slots=True)
class ClientCompatibility:
    """The answer to "does client X at version V work with API version A?"."""

    client: str
    client_version: str
    api_version: str
    level: CompatibilityLevel
    issues: tuple[str, ...]
    workarounds: tuple[str, ...]
    migration_required: bool
    declared: bool
    """False when no declaration matched (the answer then defaults to not compatible)."""
    matched: str | None = None
    """The range of the declaration that answered."""


def _probes(text: str) -> set[Version]:
    out = {Version.parse("0.0.0")}
    for m in _NUM.finditer(text):
        major = int(m.group(1))
        minor = int(m.group(2)) if m.group(2) and m.group(2).isdigit() else 0
        patch = int(m.group(3)) if m.group(3) and m.group(3).isdigit() else 0
        for parts in (
            (major, minor, patch),
            (major, minor, patch + 1),
            (major, minor + 1, 0),
            (major + 1, 0, 0),
        ):
            out.add(Version.parse("{}.{}.{}".format(*parts)))
    return out


def _api_matches(declared: str, asked: str) -> bool:
    d, a = declared[1:].split("."), asked[1:].split(".")
    return a[: len(d)] == d


@dataclass(frozen=True, slots=True)
class ClientMatrix:
    """Checked client-compatibility declarations."""

    declarations: tuple[ClientDeclaration, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    """Overlapping declarations that agree (harmless but redundant)."""

    @classmethod
    def of(cls, declarations: Iterable[ClientDeclaration]) -> ClientMatrix:
        """Check ranges parse and that no two declarations contradict each other.

        :raises InvalidInput: listing every unparsable range and every contradiction.
        """
        decls = tuple(declarations)
        ranges: list[Range | None] = []
        errors: list[str] = []
        for d in decls:
            try:
                ranges.append(Range.parse(d.versions))
            except InvalidInput as exc:
                errors.append(f"{d.where or d.client}: {exc.message}")
                ranges.append(None)
        warnings: list[str] = []
        for i, a in enumerate(decls):
            for j in range(i + 1, len(decls)):
                b, ra, rb = decls[j], ranges[i], ranges[j]
                if a.client != b.client or a.api_version != b.api_version or not (ra and rb):
                    continue
                if not ra.intersects(rb):
                    continue
                common = sorted(
                    v
                    for v in _probes(a.versions) | _probes(b.versions)
                    if ra.contains(v) and rb.contains(v)
                )
                both = f"both cover {common[0]}" if common else "overlap"
                what = (
                    f"{a.client} {a.versions!r} ({a.where or 'here'}) and {b.versions!r} "
                    f"({b.where or 'here'}) {both} for API {a.api_version}"
                )
                same = (a.level, a.issues, a.workarounds, a.needs_migration) == (
                    b.level,
                    b.issues,
                    b.workarounds,
                    b.needs_migration,
                )
                if same:
                    warnings.append(f"overlap: {what}")
                else:
                    errors.append(f"contradiction: {what}: {a.level} vs {b.level}")
        if errors:
            raise InvalidInput(
                "; ".join(errors),
                location=Location(field="client_compatibility"),
                hint="make the ranges of one client and API version disjoint",
            )
        return cls(decls, tuple(warnings))

    def check(self, client: str, client_version: str, api_version: str) -> ClientCompatibility:
        """Answer for one client version; undeclared combinations are not compatible."""
        version = Version.parse(client_version)
        api = normalize_api_version(api_version, field_name="api version")
        best: ClientDeclaration | None = None
        for d in self.declarations:
            if d.client != client or not _api_matches(d.api_version, api):
                continue
            if not Range.parse(d.versions).contains(version):
                continue
            if best is None or len(d.api_version) > len(best.api_version):
                best = d  # the most specific API version wins
        if best is None:
            return ClientCompatibility(
                client,
                str(version),
                api,
                CompatibilityLevel.NOT,
                (f"no declaration covers {client} {version} with API {api}",),
                (),
                migration_required=True,
                declared=False,
            )
        return ClientCompatibility(
            client,
            str(version),
            api,
            best.level,
            best.issues,
            best.workarounds,
            best.needs_migration,
            declared=True,
            matched=best.versions,
        )
