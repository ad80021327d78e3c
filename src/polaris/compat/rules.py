"""The platform's compatibility matrix (seed 11.1), made precise, and the checker of a version set.

The matrix is read from a ``compatibility.yml`` shaped like the seed's ``compatibility-matrix.yml``
where every ``compatible_*`` entry is a SemVer range. It yields :class:`Requirement` rules —
"``source`` at versions W requires ``target`` in range S" — plus backward-compatibility declarations
(a version *supports* older ranges of itself, *deprecates*, *retires* or needs a *migration* from
others) and forward plans. :func:`check` reports every rule a proposed set breaks, with a hint; the
same rules, widened by backward compatibility, feed :mod:`polaris.compat.resolver`.

Pure. The file's shape is read by :mod:`polaris.compat.file`; the YAML itself is loaded by
``polaris.compat.config``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from polaris.compat.resolver import Requirement, ResolutionProblem
from polaris.core.ranges import Range
from polaris.core.semver import Version

__all__ = [
    "BackwardRule",
    "CheckReport",
    "CompatMatrix",
    "ForwardPlan",
    "Rule",
    "Violation",
    "check",
    "find_contradictions",
    "to_problem",
]

#: The pseudo-component that stands for the platform itself in ``platform_vX.Y.Z`` entries.
PLATFORM: Final = "platform"


@dataclass(frozen=True, slots=True)
class Rule:
    """``source`` at ``when`` requires ``target`` in ``allowed``; declared at ``origin``."""

    source: str
    when: Range
    target: str
    allowed: Range
    origin: str

    def describe(self) -> str:
        """``api_service 2.1.0 requires web_ui 2.x (compatibility.yml:12)``."""
        when = str(self.when.raw)
        src = self.source if when in ("*", "") else f"{self.source} {when}"
        return f"{src} requires {self.target} {self.allowed.raw} ({self.origin})"


@dataclass(frozen=True, slots=True)
class BackwardRule:
    """What ``component`` at ``versions`` declares about older versions of itself."""

    component: str
    versions: Range
    supports: tuple[Range, ...] = ()
    deprecated: tuple[Range, ...] = ()
    retired: tuple[Range, ...] = ()
    migration_required: tuple[Range, ...] = ()
    origin: str = ""


@dataclass(frozen=True, slots=True)
class ForwardPlan:
    """A planned version with breaking changes (seed 11.1 ``forward_compatibility``)."""

    component: str
    version: str
    breaking_changes: tuple[str, ...]
    migration_guide: str | None
    timeline: str | None


@dataclass(frozen=True, slots=True)
class CompatMatrix:
    """Everything a compatibility file declares."""

    rules: tuple[Rule, ...] = ()
    backward: tuple[BackwardRule, ...] = ()
    forward: tuple[ForwardPlan, ...] = ()
    #: Known versions per component (the ``versions:`` block), for resolution and hints.
    catalog: Mapping[str, tuple[Version, ...]] = field(default_factory=dict)
    #: Contradictions found on load (A needs B in S while every such B refuses that A).
    contradictions: tuple[str, ...] = ()

    def merged(
        self, rules: Iterable[Rule], catalog: Mapping[str, Iterable[Version]]
    ) -> CompatMatrix:
        """The matrix with more rules and versions (from the registry) added."""
        cat = {k: set(v) for k, v in self.catalog.items()}
        for name, vs in catalog.items():
            cat.setdefault(name, set()).update(vs)
        return CompatMatrix(
            rules=(*self.rules, *rules),
            backward=self.backward,
            forward=self.forward,
            catalog={k: tuple(sorted(v)) for k, v in cat.items()},
            contradictions=self.contradictions,
        )

    def renamed(self, rename: Callable[[str], str]) -> CompatMatrix:
        """The matrix with every component name passed through ``rename`` (spelling aliases)."""
        from dataclasses import replace

        return CompatMatrix(
            rules=tuple(
                replace(r, source=rename(r.source), target=rename(r.target)) for r in self.rules
            ),
            backward=tuple(replace(b, component=rename(b.component)) for b in self.backward),
            forward=tuple(replace(f, component=rename(f.component)) for f in self.forward),
            catalog={rename(k): v for k, v in self.catalog.items()},
            contradictions=self.contradictions,
        )


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the set breaks (error) or bends (warning), in words a person can act on."""

    severity: Severity
    source: str
    source_version: str
    target: str
    required: str
    present: str | None
    message: str
    hint: str | None
    origin: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The result of checking a set: violations (errors and warnings) and relevant plans."""

    selection: Mapping[str, Version]
    violations: tuple[Violation, ...]
    rules_checked: int
    notes: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Violation, ...]:
        """Violations that make the set incompatible."""
        return tuple(v for v in self.violations if v.severity == "error")

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors


def find_contradictions(matrix: CompatMatrix) -> list[str]:
    """Pairs of rules that exclude each other for every known version (needs the catalog).

    ``A a requires B S`` contradicts ``B W requires A T`` when every known B in S is in W and
    ``a`` is outside T: A at ``a`` can then never be used.
    """
    out: list[str] = []
    by_source: dict[str, list[Rule]] = {}
    for rule in matrix.rules:
        by_source.setdefault(rule.source, []).append(rule)
    for r1 in matrix.rules:
        a_versions = [v for v in matrix.catalog.get(r1.source, ()) if r1.when.contains(v)]
        b_allowed = [v for v in matrix.catalog.get(r1.target, ()) if r1.allowed.contains(v)]
        if not a_versions or not b_allowed:
            continue
        for r2 in by_source.get(r1.target, ()):
            if r2.target != r1.source or not all(r2.when.contains(b) for b in b_allowed):
                continue
            refused = [a for a in a_versions if not r2.allowed.contains(a)]
            if refused and len(refused) == len(a_versions):
                out.append(f"{r1.describe()} but {r2.describe()}")
    return out


# -- checking -----------------------------------------------------------------------------------


def _backward_for(matrix: CompatMatrix, component: str, version: Version) -> list[BackwardRule]:
    return [b for b in matrix.backward if b.component == component and b.versions.contains(version)]


def _nearest(matrix: CompatMatrix, rule: Rule, present: Version | None) -> str | None:
    candidates = [v for v in matrix.catalog.get(rule.target, ()) if rule.allowed.contains(v)]
    if not candidates:
        return None
    if present is None:
        return str(candidates[-1])
    above = [v for v in candidates if v >= present]
    below = [v for v in candidates if v < present]
    return str(above[0] if above else below[-1])


def check(
    matrix: CompatMatrix,
    selection: Mapping[str, Version],
    *,
    platform_version: Version | None = None,
) -> CheckReport:
    """Every rule the set ``selection`` breaks; ``platform_version`` activates platform rules.

    A rule on a component the set does not name is not checked. A required range that the present
    version's backward-compatibility block *supports* is satisfied; *deprecated* gives a warning;
    *retired* and *migration_required* give errors.
    """
    chosen = dict(selection)
    if platform_version is not None:
        chosen[PLATFORM] = platform_version
    violations: list[Violation] = []
    checked = 0
    for rule in matrix.rules:
        source_version = chosen.get(rule.source)
        if source_version is None or not rule.when.contains(source_version):
            continue
        present = chosen.get(rule.target)
        if present is None:
            continue
        checked += 1
        if rule.allowed.contains(present):
            continue
        judged = _judge(matrix, rule, source_version, present)
        if judged is not None:
            violations.append(judged)
    notes = tuple(
        f"{p.component} {p.version} is planned"
        + (f" for {p.timeline}" if p.timeline else "")
        + (f" with breaking changes: {', '.join(p.breaking_changes)}" if p.breaking_changes else "")
        + (f" (migration guide: {p.migration_guide})" if p.migration_guide else "")
        for p in matrix.forward
        if p.component in chosen
    )
    return CheckReport(chosen, tuple(violations), checked, notes)


def _judge(
    matrix: CompatMatrix, rule: Rule, source_version: Version, present: Version
) -> Violation | None:
    """The violation of ``rule`` by ``present``, or None when backward compatibility covers it."""

    def violation(severity: Severity, message: str, hint: str | None) -> Violation:
        return Violation(
            severity,
            rule.source,
            str(source_version),
            rule.target,
            str(rule.allowed.raw),
            str(present),
            message,
            hint,
            rule.origin,
        )

    for b in _backward_for(matrix, rule.target, present):
        if any(s.intersects(rule.allowed) for s in b.supports):
            return None
        if any(r.intersects(rule.allowed) for r in b.retired):
            return violation(
                "error",
                f"{rule.source} {source_version} needs {rule.target} {rule.allowed.raw}, "
                f"which {rule.target} {present} has retired ({b.origin})",
                f"upgrade {rule.source} to a version that works with {rule.target} {present}",
            )
        if any(r.intersects(rule.allowed) for r in b.migration_required):
            return violation(
                "error",
                f"{rule.source} {source_version} needs {rule.target} {rule.allowed.raw}; "
                f"moving to {rule.target} {present} requires a migration ({b.origin})",
                "run the migration, then update the rule",
            )
        if any(r.intersects(rule.allowed) for r in b.deprecated):
            return violation(
                "warning",
                f"{rule.source} {source_version} relies on {rule.target} {rule.allowed.raw}, "
                f"deprecated by {rule.target} {present} ({b.origin})",
                f"move {rule.source} to a version that needs {rule.target} {present}",
            )
    nearest = _nearest(matrix, rule, present)
    hint = f"use {rule.target} {nearest}" if nearest else f"no known {rule.target} fits"
    return violation(
        "error",
        f"{rule.source} {source_version} requires {rule.target} {rule.allowed.raw}, "
        f"but {present} is present",
        hint,
    )


# -- resolution ---------------------------------------------------------------------------------


def _accepts(matrix: CompatMatrix, rule: Rule) -> Callable[[Version], bool]:
    """The versions of the target a rule accepts: its range, widened by backward compatibility."""
    backward = [b for b in matrix.backward if b.component == rule.target]

    def accepts(v: Version) -> bool:
        if rule.allowed.contains(v):
            return True
        for b in backward:
            if b.versions.contains(v) and any(
                r.intersects(rule.allowed) for r in (*b.supports, *b.deprecated)
            ):
                return True
        return False

    return accepts


def to_problem(
    matrix: CompatMatrix,
    *,
    pins: Mapping[str, Version] | None = None,
    prefer: Mapping[str, Version] | None = None,
    upgrade: Sequence[str] = (),
    priority: Sequence[str] = (),
    allow_downgrade: bool = False,
    prefer_newest: bool = False,
) -> ResolutionProblem:
    """The resolver's problem for this matrix: its catalog, rules and the caller's wishes."""
    requirements = [
        Requirement(
            rule.source,
            rule.target,
            rule.when.contains,
            _accepts(matrix, rule),
            str(rule.when.raw),
            str(rule.allowed.raw),
            rule.origin,
        )
        for rule in matrix.rules
    ]
    return ResolutionProblem(
        versions=matrix.catalog,
        requirements=requirements,
        pins=dict(pins or {}),
        prefer=dict(prefer or {}),
        upgrade=tuple(upgrade),
        priority=tuple(priority),
        allow_downgrade=allow_downgrade,
        prefer_newest=prefer_newest,
    )
