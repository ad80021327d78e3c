"""Polaris's resolver against resolvelib (pip's resolver library) on the same synthetic platforms.

Fixed-seed platforms of 50, 200 and 1,000 components x 50 versions each, with random range
constraints (some platforms unsatisfiable). Each problem is solved by both; the answers are checked
(both find a set or both prove none exists; every set found satisfies every rule). Also times checking
one 1,000-component set.

    python benchmarks/resolver_bench.py [--quick] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import resolvelib

from polaris.compat.resolver import ResolutionProblem, Unsatisfiable, resolve
from polaris.compat.rules import CompatMatrix, Rule, check, to_problem
from polaris.core.ranges import Range
from polaris.core.semver import Version


def make_platform(
    n: int, per: int, seed: int, rules_per: int, *, hard: bool = True
) -> CompatMatrix:
    rng = random.Random(seed)
    names = [f"c{i:04d}" for i in range(n)]
    catalog: dict[str, tuple[Version, ...]] = {}
    for name in names:
        versions = set()
        while len(versions) < per:
            versions.add(Version(rng.randint(1, 3), rng.randint(0, 9), rng.randint(0, 9)))
        catalog[name] = tuple(sorted(versions))
    rules: list[Rule] = []
    for i, name in enumerate(names):
        for _ in range(rules_per):
            # Mostly "downward" edges keep the graph realistic (services depend on libraries).
            j = rng.randint(i + 1, n - 1) if i < n - 1 and rng.random() < 0.9 else rng.randrange(n)
            target = names[j]
            # A newer major of the source needs a recent enough target: the usual shape of
            # compatibility rules, with a few narrow ones that force backtracking.
            major = rng.randint(1, 3)
            when = Range.parse(f">={major}.0.0" if rng.random() < 0.5 else f"{major}.x")
            tmajor = rng.randint(1, 3) if hard else rng.randint(1, catalog[target][-1].major)
            if not hard:
                # Easy: the target's newest version always fits, as on a healthy platform.
                rules.append(Rule(name, when, target, Range.parse(f">={tmajor}.0.0"), "bench"))
                continue
            allowed = Range.parse(
                rng.choice(
                    [
                        f">={tmajor}.0.0",
                        f">={tmajor}.{rng.randint(0, 9)}.0",
                        f"^{tmajor}.0.0 || ^{min(tmajor + 1, 3)}.0.0",
                        f"{tmajor}.x",
                    ]
                )
            )
            rules.append(Rule(name, when, target, allowed, "bench"))
    return CompatMatrix(rules=tuple(rules), catalog=catalog)


# -- resolvelib adapter -------------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    name: str
    allowed: Range | None


@dataclass(frozen=True)
class Cand:
    name: str
    version: Version


class Provider(resolvelib.AbstractProvider):  # type: ignore[type-arg]
    def __init__(self, matrix: CompatMatrix, order: Mapping[str, int]) -> None:
        self.catalog = matrix.catalog
        self.order = order
        self.rules: dict[str, list[Rule]] = {}
        for rule in matrix.rules:
            self.rules.setdefault(rule.source, []).append(rule)

    def identify(self, requirement_or_candidate: Any) -> str:
        return str(requirement_or_candidate.name)

    def get_preference(
        self,
        identifier: Any,
        resolutions: Any,
        candidates: Any,
        information: Any,
        backtrack_causes: Any,
    ) -> Any:
        return self.order[identifier]

    def find_matches(
        self,
        identifier: Any,
        requirements: Mapping[Any, Iterator[Req]],
        incompatibilities: Mapping[Any, Iterator[Cand]],
    ) -> list[Cand]:
        reqs = [r for r in requirements[identifier] if r.allowed is not None]
        bad = {c.version for c in incompatibilities[identifier]}
        return [
            Cand(identifier, v)
            for v in reversed(self.catalog[identifier])
            if v not in bad and all(r.allowed.contains(v) for r in reqs)  # type: ignore[union-attr]
        ]

    def is_satisfied_by(self, requirement: Req, candidate: Cand) -> bool:
        return requirement.allowed is None or requirement.allowed.contains(candidate.version)

    def get_dependencies(self, candidate: Cand) -> list[Req]:
        return [
            Req(r.target, r.allowed)
            for r in self.rules.get(candidate.name, ())
            if r.when.contains(candidate.version)
        ]


def resolvelib_solve(matrix: CompatMatrix) -> dict[str, Version] | None:
    order = {name: i for i, name in enumerate(sorted(matrix.catalog))}
    resolver = resolvelib.Resolver(Provider(matrix, order), resolvelib.BaseReporter())
    try:
        result = resolver.resolve(
            [Req(name, None) for name in sorted(matrix.catalog)], max_rounds=5_000
        )
    except resolvelib.ResolutionImpossible:
        return None
    except resolvelib.ResolutionTooDeep:
        return {}
    return {name: cand.version for name, cand in result.mapping.items()}


def polaris_solve(problem: ResolutionProblem) -> dict[str, Version] | None:
    try:
        return resolve(problem).versions
    except Unsatisfiable:
        return None


def satisfies(matrix: CompatMatrix, chosen: Mapping[str, Version]) -> bool:
    return check(matrix, chosen).ok


def timed(fn: Any, *args: Any, repeat: int = 1) -> tuple[float, Any]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer problems, skip 1,000 x 50")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args(argv)
    sizes = [(50, 3), (200, 2)] if args.quick else [(50, 5), (200, 4), (1000, 2)]
    print(f"resolver benchmark, seed {args.seed}, resolvelib {resolvelib.__version__}")
    print("e = easy (the newest versions fit), h = hard (narrow rules that force backtracking)")
    print(
        f"{'components':>10} {'problem':>7} {'polaris s':>10} {'resolvelib s':>13} {'ratio':>7}  answers"
    )
    mismatches = 0
    cases = [(n, count, hard) for hard in (False, True) for n, count in sizes]
    for n, count, hard in cases:
        label = f"{n}{'h' if hard else 'e'}"
        ratios: list[float] = []
        p_total = r_total = 0.0
        for k in range(count):
            matrix = make_platform(n, 50, args.seed + n * 1000 + k, rules_per=2, hard=hard)
            problem = to_problem(matrix)
            tp, ours = timed(polaris_solve, problem)
            tr, theirs = timed(resolvelib_solve, matrix)
            ok = True
            if ours is not None and not satisfies(matrix, ours):
                ok = False
            if theirs and not satisfies(matrix, theirs):
                ok = False
            if theirs == {}:
                found = "no set" if ours is None else "set"
                verdict = f"polaris: {found}; resolvelib: gave up (too deep)"
            elif (ours is None) != (theirs is None):
                ok = False
                verdict = f"DISAGREE polaris={'none' if ours is None else 'set'} resolvelib={'none' if theirs is None else 'set'}"
            else:
                verdict = "both: no set" if ours is None else "both: set"
            mismatches += not ok
            ratios.append(tr / tp)
            p_total += tp
            r_total += tr
            print(f"{label:>10} {k:>7} {tp:>10.4f} {tr:>13.4f} {tr / tp:>6.1f}x  {verdict}")
        print(
            f"{label:>10} {'mean':>7} {p_total / count:>10.4f} {r_total / count:>13.4f} "
            f"{statistics.geometric_mean(ratios):>6.1f}x (geometric mean of ratios)"
        )
    big = make_platform(1000, 50, args.seed, rules_per=3)
    result = polaris_solve(to_problem(big))
    chosen = result or {name: vs[-1] for name, vs in big.catalog.items()}
    tc, report = timed(check, big, chosen, repeat=5)
    print(
        f"check one 1,000-component set ({len(big.rules)} rules): {tc * 1000:.1f} ms, ok={report.ok}"
    )
    print(f"answers that disagree or fail the checker: {mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
