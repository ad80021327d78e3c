"""Properties of the resolver against brute force on small random platforms.

* a resolved set always satisfies every requirement;
* if brute force finds any satisfying set, the resolver finds one (and vice versa).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polaris.compat.resolver import Requirement, ResolutionProblem, Unsatisfiable, resolve
from polaris.core.semver import Version

VERSIONS = [Version(1, m, 0) for m in range(4)]


@st.composite
def problems(draw: st.DrawFn) -> ResolutionProblem:
    n = draw(st.integers(2, 4))
    names = [f"c{i}" for i in range(n)]
    versions = {name: VERSIONS[: draw(st.integers(1, 4))] for name in names}
    requirements = []
    for _ in range(draw(st.integers(0, 7))):
        s, t = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        lo_w, hi_w = sorted(draw(st.lists(st.integers(0, 4), min_size=2, max_size=2)))
        lo_a, hi_a = sorted(draw(st.lists(st.integers(0, 4), min_size=2, max_size=2)))
        requirements.append(
            Requirement(
                s,
                t,
                lambda v, lo=lo_w, hi=hi_w: lo <= v.minor < hi,
                lambda v, lo=lo_a, hi=hi_a: lo <= v.minor < hi,
                f"[{lo_w},{hi_w})",
                f"[{lo_a},{hi_a})",
            )
        )
    return ResolutionProblem(versions=versions, requirements=requirements)


def satisfies(problem: ResolutionProblem, chosen: dict[str, Version]) -> bool:
    return all(
        not r.when(chosen[r.source]) or r.allowed(chosen[r.target]) for r in problem.requirements
    )


def brute_force(problem: ResolutionProblem) -> dict[str, Version] | None:
    names = sorted(problem.versions)
    for combo in itertools.product(*(problem.versions[n] for n in names)):
        chosen = dict(zip(names, combo, strict=True))
        if satisfies(problem, chosen):
            return chosen
    return None


def check_one(problem: ResolutionProblem) -> None:
    expected = brute_force(problem)
    if expected is None:
        with pytest.raises(Unsatisfiable) as info:
            resolve(problem)
        assert info.value.explanation
        return
    result = resolve(problem)
    assert satisfies(problem, result.versions)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_resolver_agrees_with_brute_force(problem: ResolutionProblem) -> None:
    check_one(problem)


@pytest.mark.property_slow
@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_resolver_agrees_with_brute_force_long(problem: ResolutionProblem) -> None:
    check_one(problem)
