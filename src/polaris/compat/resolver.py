"""Find the newest compatible set of component versions: PubGrub over version bitsets.

Every component of a platform must get exactly one version. A component's known versions are
sorted and numbered, so any set of its versions is an ``int`` bitmask (bit *i* = the *i*-th oldest
version) and set algebra is one machine operation. The algorithm is PubGrub (Natalie Weizenbaum,
2018; the solver of Dart's pub and of uv): unit propagation over *incompatibilities* (sets of terms
that must not all hold), decisions newest-first in priority order, and conflict-driven clause
learning whose derivation graph becomes a human explanation when no set exists.

Pure: data in, data out. Ranges are turned into bitmasks by the caller's ``contains``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from polaris.core.errors import InvalidInput
from polaris.core.semver import Version

__all__ = [
    "Incompatibility",
    "Requirement",
    "Resolution",
    "ResolutionProblem",
    "Unsatisfiable",
    "resolve",
]


@dataclass(frozen=True, slots=True)
class Requirement:
    """``source`` at versions ``when`` accepts needs ``target`` at a version ``allowed`` accepts.

    ``when``/``allowed`` are predicates (usually a ``Range``'s ``contains``); ``when_text`` and
    ``allowed_text`` are how they read to people; ``origin`` says where the rule was declared.
    """

    source: str
    target: str
    when: Callable[[Version], bool]
    allowed: Callable[[Version], bool]
    when_text: str = "*"
    allowed_text: str = "*"
    origin: str = ""

    def describe(self) -> str:
        """``api 2.x requires rag_search ^1.3 (compatibility.yml:12)``."""
        src = self.source if self.when_text in ("*", "") else f"{self.source} {self.when_text}"
        where = f" ({self.origin})" if self.origin else ""
        return f"{src} requires {self.target} {self.allowed_text}{where}"


@dataclass(frozen=True, slots=True)
class ResolutionProblem:
    """What to solve: known versions, requirements, pins, preferences and upgrades."""

    versions: Mapping[str, Sequence[Version]]
    requirements: Sequence[Requirement] = ()
    #: Components that must have exactly this version.
    pins: Mapping[str, Version] = field(default_factory=dict)
    #: Versions to try first (the current platform release), unless upgraded.
    prefer: Mapping[str, Version] = field(default_factory=dict)
    #: Components asked to move past their preferred (current) version.
    upgrade: Sequence[str] = ()
    #: Decision order: these components first (newest versions win here), then the upgraded ones,
    #: then those with a preferred (current) version, then the rest by name.
    priority: Sequence[str] = ()
    #: Let a component go below its preferred (current) version. Without it, ``prefer`` is a floor
    #: for every component that is not pinned: no version below the current one is proposed.
    allow_downgrade: bool = False
    #: Decide every component newest-first: ``prefer`` then only sets the floors (``--newest``).
    prefer_newest: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    """A set of versions, one per component, that satisfies every requirement."""

    versions: dict[str, Version]
    decisions: int
    conflicts: int


# -- internals ----------------------------------------------------------------------------------

_EXTERNAL: Final = "external"
_DERIVED: Final = "derived"


@dataclass(eq=False, slots=True)
class Incompatibility:
    """Terms ``{package: mask}`` that must not all hold at once; with how it came to be."""

    terms: dict[int, int]
    kind: str
    text: str = ""
    causes: tuple[Incompatibility, Incompatibility] | None = None


@dataclass(slots=True)
class _Assignment:
    package: int
    mask: int
    level: int
    decision: bool
    cause: Incompatibility | None
    index: int


class Unsatisfiable(InvalidInput):
    """No set of versions satisfies every requirement; ``explanation`` says why, step by step."""

    slug = "unsatisfiable"
    exit_code = 1
    http_status = 409

    def __init__(self, explanation: list[str]) -> None:
        self.explanation = explanation
        super().__init__(
            "no set of versions satisfies every requirement:\n  " + "\n  ".join(explanation)
        )

    def one_line(self) -> str:
        """The message with its explanation, one step per line."""
        return self.message


class _Solver:
    def __init__(self, problem: ResolutionProblem) -> None:
        names = sorted(problem.versions)
        first = [n for n in problem.priority if n in problem.versions]
        first += [n for n in problem.upgrade if n in problem.versions]
        first += [n for n in names if n in problem.prefer]
        self.names = [*dict.fromkeys(first), *(n for n in names if n not in set(first))]
        self.index = {n: i for i, n in enumerate(self.names)}
        self.versions = [sorted(problem.versions[n]) for n in self.names]
        for name, vs in zip(self.names, self.versions, strict=True):
            if not vs:
                raise InvalidInput(f"component {name!r} has no known versions")
        self.universe = [(1 << len(vs)) - 1 for vs in self.versions]
        self.by_package: list[list[Incompatibility]] = [[] for _ in self.names]
        self.assignments: list[_Assignment] = []
        self.per_package: list[list[_Assignment]] = [[] for _ in self.names]
        self.current = list(self.universe)
        self.decided = [False] * len(self.names)
        self.level = 0
        self.decisions = 0
        self.conflicts = 0
        self.prefer: dict[int, int] = {}
        self.newest: set[int] = set()
        self.all_newest = problem.prefer_newest
        self.fatal: Incompatibility | None = None
        self._load(problem)

    # -- building ------------------------------------------------------------------------------

    def mask(self, package: int, predicate: Callable[[Version], bool]) -> int:
        m = 0
        for i, v in enumerate(self.versions[package]):
            if predicate(v):
                m |= 1 << i
        return m

    def bit(self, package: int, version: Version) -> int:
        for i, v in enumerate(self.versions[package]):
            if v == version and str(v) == str(version):
                return 1 << i
        for i, v in enumerate(self.versions[package]):
            if v == version:
                return 1 << i
        return 0

    def _load(self, problem: ResolutionProblem) -> None:
        for req in problem.requirements:
            if req.source not in self.index or req.target not in self.index:
                continue
            s, t = self.index[req.source], self.index[req.target]
            when = self.mask(s, req.when)
            forbidden = self.universe[t] & ~self.mask(t, req.allowed)
            terms = {s: when & forbidden} if s == t else {s: when, t: forbidden}
            if when and forbidden and all(terms.values()):
                text = req.describe()
                if forbidden == self.universe[t]:
                    text += f", and no known version of {req.target} matches {req.allowed_text}"
                inc = Incompatibility(self.normal(terms), _EXTERNAL, text)
                if not inc.terms:
                    self.fatal = inc  # holds for every set: nothing can be chosen
                self.add(inc)
        for name, version in problem.pins.items():
            p = self._known(name, "pinned")
            b = self.bit(p, version)
            if not b:
                raise InvalidInput(
                    f"pinned version {name}={version} is not a known version of {name}",
                    hint="known: " + ", ".join(str(v) for v in self.versions[p][-5:]),
                )
            self.external(p, self.universe[p] & ~b, f"{name} is pinned to {version}")
        upgrades = set(problem.upgrade)
        for name in upgrades:
            p = self._known(name, "asked to upgrade")
            base = problem.prefer.get(name)
            if base is not None:
                text = f"{name} must be upgraded past {base}"
                if self.mask(p, base.__ge__) == self.universe[p]:
                    text += f", and no known version of {name} is newer than {base}"
                self.external(p, self.mask(p, base.__ge__), text)
        for name, version in problem.prefer.items():
            if name not in self.index or name in problem.pins:
                continue
            p = self.index[name]
            if not problem.allow_downgrade and name not in upgrades:
                text = f"{name} may not go below its current version {version}"
                if self.mask(p, version.__gt__) == self.universe[p]:
                    text += f", and no known version of {name} is at or above it"
                self.external(p, self.mask(p, version.__gt__), text + " (--allow-downgrade)")
            if name not in upgrades:
                b = self.bit(p, version)
                if b:
                    self.prefer[p] = b
        self.newest = {self.index[n] for n in problem.priority if n in self.index}
        self.newest |= {self.index[n] for n in upgrades}

    def external(self, package: int, forbidden: int, text: str) -> None:
        """Forbid ``package`` at the versions of ``forbidden`` (nothing to do when empty)."""
        if not forbidden:
            return
        inc = Incompatibility(self.normal({package: forbidden}), _EXTERNAL, text)
        if not inc.terms:
            self.fatal = inc  # every version is forbidden: nothing can be chosen
        self.add(inc)

    def _known(self, name: str, what: str) -> int:
        if name not in self.index:
            raise InvalidInput(
                f"component {name!r} ({what}) is not a known component",
                hint="known: " + ", ".join(self.names[:10]),
            )
        return self.index[name]

    def normal(self, terms: dict[int, int]) -> dict[int, int]:
        """Drop terms that hold for every version: each component always gets one."""
        return {p: m for p, m in terms.items() if m != self.universe[p]}

    def add(self, inc: Incompatibility) -> None:
        for p in inc.terms:
            self.by_package[p].append(inc)

    # -- partial solution ----------------------------------------------------------------------

    def assign(
        self, package: int, mask: int, *, decision: bool, cause: Incompatibility | None
    ) -> None:
        if decision:
            self.level += 1
        a = _Assignment(package, mask, self.level, decision, cause, len(self.assignments))
        self.assignments.append(a)
        self.per_package[package].append(a)
        self.current[package] &= mask
        if decision:
            self.decided[package] = True

    def backtrack(self, level: int) -> None:
        touched: set[int] = set()
        while self.assignments and self.assignments[-1].level > level:
            a = self.assignments.pop()
            self.per_package[a.package].pop()
            touched.add(a.package)
            if a.decision:
                self.decided[a.package] = False
        for p in touched:
            m = self.universe[p]
            for a in self.per_package[p]:
                m &= a.mask
            self.current[p] = m
        self.level = level

    def satisfier(self, package: int, mask: int) -> _Assignment:
        acc = self.universe[package]
        for a in self.per_package[package]:
            acc &= a.mask
            if not acc & ~mask:
                return a
        raise AssertionError("term is not satisfied")  # pragma: no cover

    # -- the algorithm -------------------------------------------------------------------------

    def relation(self, inc: Incompatibility) -> tuple[int, int]:
        """(0 satisfied | 1 almost, with package | 2 contradicted or inconclusive, -1)."""
        unsure = -1
        current = self.current
        for p, m in inc.terms.items():
            acc = current[p]
            if not acc & ~m:
                continue
            if not acc & m:
                return 2, -1
            if unsure != -1:
                return 2, -1
            unsure = p
        return (0, -1) if unsure == -1 else (1, unsure)

    def propagate(self, changed: list[int]) -> None:
        while changed:
            package = changed.pop()
            for inc in reversed(self.by_package[package]):
                rel, p = self.relation(inc)
                if rel == 0:
                    root = self.resolve_conflict(inc)
                    rel, p = self.relation(root)
                    if rel != 1:  # pragma: no cover - PubGrub guarantees "almost satisfied"
                        raise AssertionError("conflict resolution did not leave one term")
                    self.assign(p, self.universe[p] & ~root.terms[p], decision=False, cause=root)
                    changed[:] = [p]
                    break
                if rel == 1:
                    self.assign(p, self.universe[p] & ~inc.terms[p], decision=False, cause=inc)
                    changed.append(p)

    def resolve_conflict(self, inc: Incompatibility) -> Incompatibility:
        self.conflicts += 1
        original = inc
        while True:
            if not inc.terms:
                raise Unsatisfiable(self.explain(inc))
            recent: _Assignment | None = None
            recent_pkg = -1
            previous_level = 0
            sats: list[_Assignment] = []
            for p, m in inc.terms.items():
                s = self.satisfier(p, m)
                sats.append(s)
                if recent is None or s.index > recent.index:
                    recent, recent_pkg = s, p
            if recent is None:  # pragma: no cover - incompatibilities with terms have satisfiers
                raise AssertionError("no satisfier")
            for s in sats:
                if s is not recent:
                    previous_level = max(previous_level, s.level)
            term = inc.terms[recent_pkg]
            difference = recent.mask & ~term & self.universe[recent_pkg]
            if difference:
                previous_level = max(
                    previous_level,
                    self.satisfier(recent_pkg, self.universe[recent_pkg] & ~difference).level,
                )
            if recent.decision or previous_level != recent.level:
                if inc is not original:
                    self.add(inc)
                self.backtrack(previous_level)
                return inc
            if recent.cause is None:  # pragma: no cover - only decisions lack a cause
                raise AssertionError("derivation without a cause")
            terms: dict[int, int] = {}
            for p, m in inc.terms.items():
                if p != recent_pkg:
                    terms[p] = m
            for p, m in recent.cause.terms.items():
                if p != recent_pkg:
                    terms[p] = terms[p] & m if p in terms else m
            if difference:
                m = self.universe[recent_pkg] & ~difference
                terms[recent_pkg] = m
            inc = Incompatibility(self.normal(terms), _DERIVED, causes=(inc, recent.cause))

    def decide(self) -> bool:
        for p in range(len(self.names)):
            if self.decided[p]:
                continue
            allowed = self.current[p]
            preferred = 0 if p in self.newest or self.all_newest else self.prefer.get(p, 0)
            choice = preferred if preferred & allowed else 1 << (allowed.bit_length() - 1)
            self.decisions += 1
            self.assign(p, choice, decision=True, cause=None)
            return True
        return False

    def solve(self) -> Resolution:
        if self.fatal is not None:
            raise Unsatisfiable([f"{self.words(self.fatal)}, so no set of versions works."])
        self.propagate(list(range(len(self.names))))
        while self.decide():
            self.propagate([self.assignments[-1].package])
        chosen: dict[str, Version] = {}
        for p, name in sorted(enumerate(self.names), key=lambda item: item[1]):
            m = self.current[p]
            chosen[name] = self.versions[p][m.bit_length() - 1]
        return Resolution(chosen, self.decisions, self.conflicts)

    # -- explanations --------------------------------------------------------------------------

    def describe(self, package: int, mask: int) -> str:
        """``rag_search 1.3.0 - 1.3.4 or >=1.5.0``: a version set in words."""
        name = self.names[package]
        universe = self.universe[package]
        mask &= universe
        if mask == universe:
            return f"any version of {name}"
        vs = self.versions[package]
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(vs):
            if mask >> i & 1:
                j = i
                while j + 1 < len(vs) and mask >> (j + 1) & 1:
                    j += 1
                runs.append((i, j))
                i = j + 1
            else:
                i += 1
        parts: list[str] = []
        for lo, hi in runs:
            if lo == hi:
                parts.append(str(vs[lo]))
            elif lo == 0:
                parts.append(f"<={vs[hi]}")
            elif hi == len(vs) - 1:
                parts.append(f">={vs[lo]}")
            else:
                parts.append(f"{vs[lo]} - {vs[hi]}")
        return f"{name} {' or '.join(parts)}"

    def words(self, inc: Incompatibility) -> str:
        if inc.kind == _EXTERNAL:
            return inc.text
        items = list(inc.terms.items())
        if not items:
            return "no set of versions works"
        if len(items) == 1:
            p, m = items[0]
            return f"{self.describe(p, m)} cannot be used"
        (p1, m1), rest = items[0], items[1:]
        needs = " and ".join(self.describe(p, self.universe[p] & ~m) for p, m in rest)
        return f"{self.describe(p1, m1)} requires {needs}"

    def explain(self, root: Incompatibility) -> list[str]:
        lines: list[str] = []
        numbers: dict[int, int] = {}
        uses: dict[int, int] = {}

        def count(inc: Incompatibility) -> None:
            uses[id(inc)] = uses.get(id(inc), 0) + 1
            if inc.causes and uses[id(inc)] == 1:
                count(inc.causes[0])
                count(inc.causes[1])

        def ref(inc: Incompatibility) -> str:
            n = numbers.get(id(inc))
            return f"{self.words(inc)} ({n})" if n else self.words(inc)

        def visit(inc: Incompatibility) -> None:
            if inc.causes is None or id(inc) in numbers:
                return
            a, b = inc.causes
            visit(a)
            visit(b)
            line = f"Because {ref(a)} and {ref(b)}, {self.words(inc)}."
            if uses.get(id(inc), 0) > 1:
                numbers[id(inc)] = len(numbers) + 1
                line += f" ({numbers[id(inc)]})"
            lines.append(line)

        count(root)
        visit(root)
        if not lines:
            lines.append(f"{self.words(root)}.")
        return lines


def resolve(problem: ResolutionProblem) -> Resolution:
    """A set of versions meeting every requirement, pin, upgrade and floor.

    Decisions follow this order: ``priority`` components get their newest possible version, then
    upgraded ones theirs, then components with a preferred (current) version keep it if they can,
    then the rest get their newest. Without ``allow_downgrade`` no preferred component goes below
    its preferred version, so a solution that keeps every current version is always found first.

    :raises Unsatisfiable: with the chain of requirements that conflict.
    :raises InvalidInput: a pin or upgrade names an unknown component or version.
    """
    if problem.allow_downgrade and problem.prefer:
        # A downgrade only when it is needed: first look for a set that keeps every floor.
        try:
            return _Solver(replace(problem, allow_downgrade=False)).solve()
        except Unsatisfiable:
            pass
    return _Solver(problem).solve()
