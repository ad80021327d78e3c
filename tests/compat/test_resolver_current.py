"""The resolver against a brute-force oracle, with current versions, pins, upgrades and priorities.

* it finds a set exactly when one meets every requirement, pin, upgrade and floor;
* without ``allow_downgrade`` no component goes below its current version; with it, a downgrade
  happens only when no set without one exists;
* a set that keeps every current version is found whenever one exists (``--newest`` aside, where
  the current versions are floors only);
* the first priority component gets its newest version among all the sets that work.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polaris.compat.resolver import Requirement, ResolutionProblem, Unsatisfiable, resolve
from polaris.core.semver import Version

VERSIONS = [Version(1, m, 0) for m in range(4)]
OUTSIDE = Version(1, 1, 5)  # a current version the catalog does not list


@st.composite
def problems(draw: st.DrawFn) -> ResolutionProblem:
    n = draw(st.integers(2, 4))
    names = [f"c{i}" for i in range(n)]
    versions = {name: VERSIONS[: draw(st.integers(1, 4))] for name in names}
    requirements = []
    for _ in range(draw(st.integers(0, 6))):
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
    prefer = {
        name: draw(st.sampled_from([*versions[name], OUTSIDE]))
        for name in names
        if draw(st.booleans())
    }
    pins = {
        name: draw(st.sampled_from(versions[name]))
        for name in names
        if draw(st.integers(0, 4)) == 0
    }
    upgrade = [name for name in names if name not in pins and draw(st.integers(0, 4)) == 0]
    priority = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    return ResolutionProblem(
        versions=versions,
        requirements=requirements,
        pins=pins,
        prefer=prefer,
        upgrade=upgrade,
        priority=priority,
        allow_downgrade=draw(st.booleans()),
        prefer_newest=draw(st.integers(0, 3)) == 0,
    )


def meets(problem: ResolutionProblem, chosen: dict[str, Version], *, floors: bool) -> bool:
    """Every requirement, pin and upgrade holds; with ``floors``, no current version is lost."""
    if any(
        r.when(chosen[r.source]) and not r.allowed(chosen[r.target]) for r in problem.requirements
    ):
        return False
    if any(chosen[n] != v for n, v in problem.pins.items()):
        return False
    if any(n in problem.prefer and chosen[n] <= problem.prefer[n] for n in problem.upgrade):
        return False
    return not floors or all(
        chosen[n] >= v
        for n, v in problem.prefer.items()
        if n not in problem.pins and n not in problem.upgrade
    )


def every_set(problem: ResolutionProblem) -> Iterator[dict[str, Version]]:
    names = sorted(problem.versions)
    for combo in itertools.product(*(problem.versions[n] for n in names)):
        yield dict(zip(names, combo, strict=True))


def check_one(problem: ResolutionProblem) -> None:
    no_downgrade = [c for c in every_set(problem) if meets(problem, c, floors=True)]
    allowed = (
        [c for c in every_set(problem) if meets(problem, c, floors=False)]
        if problem.allow_downgrade
        else no_downgrade
    )
    if not allowed:
        with pytest.raises(Unsatisfiable) as info:
            resolve(problem)
        assert info.value.explanation
        return
    chosen = resolve(problem).versions
    assert meets(problem, chosen, floors=False)
    if no_downgrade:  # a downgrade only when no set without one exists, even when allowed
        assert meets(problem, chosen, floors=True)
    kept = [n for n in problem.prefer if n not in problem.pins and n not in problem.upgrade]
    keepable = any(all(c[n] == problem.prefer[n] for n in kept) for c in allowed)
    if not problem.priority and not problem.upgrade and not problem.prefer_newest and keepable:
        assert all(chosen[n] == problem.prefer[n] for n in kept)
    if problem.priority:
        first = problem.priority[0]
        pool = no_downgrade or allowed
        assert chosen[first] == max(c[first] for c in pool)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_resolver_keeps_current_versions_against_brute_force(problem: ResolutionProblem) -> None:
    check_one(problem)


@pytest.mark.property_slow
@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_resolver_keeps_current_versions_long(problem: ResolutionProblem) -> None:
    check_one(problem)


def test_upgrade_of_the_newest_version_is_explained_not_a_crash() -> None:
    """--upgrade of a component already at its newest known version says why (was an assert)."""
    problem = ResolutionProblem(
        versions={"a": VERSIONS, "b": VERSIONS},
        prefer={"a": VERSIONS[-1], "b": VERSIONS[0]},
        upgrade=["a"],
    )
    with pytest.raises(Unsatisfiable, match=r"no known version of a is newer than 1.3.0"):
        resolve(problem)


def test_current_versions_are_a_floor_unless_downgrade_is_allowed() -> None:
    """b needs a <= 1.1; a is at 1.2 now: refused, unless --allow-downgrade."""
    req = Requirement("b", "a", lambda v: True, lambda v: v.minor <= 1, "*", "<=1.1")
    problem = ResolutionProblem(
        versions={"a": VERSIONS, "b": VERSIONS},
        requirements=[req],
        prefer={"a": VERSIONS[2], "b": VERSIONS[3]},
    )
    with pytest.raises(Unsatisfiable, match=r"a may not go below its current version 1.2.0"):
        resolve(problem)
    allowed = resolve(ResolutionProblem(**{**_fields(problem), "allow_downgrade": True}))
    assert allowed.versions == {"a": VERSIONS[1], "b": VERSIONS[3]}


def _fields(problem: ResolutionProblem) -> dict[str, object]:
    return {f: getattr(problem, f) for f in ResolutionProblem.__dataclass_fields__}
