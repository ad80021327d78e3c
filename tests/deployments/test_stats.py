"""The Mann-Whitney U test against its definition and the exact distribution."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polaris.deployments.stats import mann_whitney_u

samples = st.lists(st.integers(0, 20).map(float), min_size=1, max_size=25)


def _u_direct(x: list[float], y: list[float]) -> float:
    return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in x for b in y)


def _exact_p_greater(x: list[float], y: list[float]) -> float:
    """P(U >= u_observed) over every split of the pooled values (no ties)."""
    pooled = x + y
    u_obs = _u_direct(x, y)
    n1 = len(x)
    total = hits = 0
    for idx in itertools.combinations(range(len(pooled)), n1):
        chosen = set(idx)
        xs = [pooled[i] for i in idx]
        ys = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        total += 1
        hits += _u_direct(xs, ys) >= u_obs
    return hits / total


def test_known_value_matches_the_asymptotic_reference() -> None:
    """scipy.stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic") gives these."""
    r = mann_whitney_u([5, 6, 7, 8, 9], [1, 2, 3, 4, 5])
    assert r.u == 24.5
    assert r.p_value == pytest.approx(0.0079853, abs=1e-6)
    r2 = mann_whitney_u([1, 2, 3], [4, 5, 6], "two-sided")
    assert r2.u == 0
    assert r2.p_value == pytest.approx(0.0808556, abs=1e-6)


@settings(deadline=None)
@given(samples, samples)
def test_u_is_the_count_of_pairs_won(x: list[float], y: list[float]) -> None:
    r = mann_whitney_u(x, y)
    assert r.u == _u_direct(x, y)
    assert r.u + mann_whitney_u(y, x).u == len(x) * len(y)
    assert 0.0 <= r.p_value <= 1.0


@settings(deadline=None)
@given(samples, samples)
def test_greater_one_way_is_less_the_other(x: list[float], y: list[float]) -> None:
    assert math.isclose(
        mann_whitney_u(x, y, "greater").p_value, mann_whitney_u(y, x, "less").p_value
    )


@settings(deadline=None)
@given(samples, samples, st.floats(0.5, 50))
def test_shifting_the_new_sample_up_never_makes_it_look_better(
    x: list[float], y: list[float], shift: float
) -> None:
    before = mann_whitney_u(x, y).p_value
    after = mann_whitney_u([v + shift for v in x], y).p_value
    assert after <= before + 1e-12


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 1000, allow_nan=False), min_size=6, max_size=8, unique=True),
    st.lists(st.floats(0, 1000, allow_nan=False), min_size=6, max_size=8, unique=True),
)
def test_normal_approximation_is_close_to_the_exact_distribution(
    x: list[float], y: list[float]
) -> None:
    if set(x) & set(y):
        return
    exact = _exact_p_greater(x, y)
    assert abs(mann_whitney_u(x, y).p_value - exact) < 0.03


def test_empty_samples_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        mann_whitney_u([], [1.0])


def test_all_equal_values_are_no_evidence() -> None:
    assert mann_whitney_u([3.0] * 5, [3.0] * 5).p_value == 1.0
