"""Pure statistics for the baseline comparison: the Mann-Whitney U test (normal approximation).

Kayenta, Netflix's canary judge, compares a canary's metric samples with the baseline's by the
Mann-Whitney U test; Polaris does the same with the previous version's samples from the same
source. SciPy is not a dependency: U is computed from mid-ranks, its null distribution is
approximated by a normal with the tie-corrected variance and a continuity correction, which is
what ``scipy.stats.mannwhitneyu(method="asymptotic")`` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["MannWhitney", "mann_whitney_u", "normal_sf"]

Alternative = Literal["greater", "less", "two-sided"]


@dataclass(frozen=True, slots=True)
class MannWhitney:
    """The test's result: ``u`` is U of the first sample; ``p_value`` for ``alternative``."""

    u: float
    z: float
    p_value: float
    n1: int
    n2: int
    alternative: Alternative

    def to_dict(self) -> dict[str, float | int | str]:
        """JSON form, stored with the analysis."""
        return {
            "test": "mann-whitney-u",
            "u": self.u,
            "z": round(self.z, 6),
            "p_value": self.p_value,
            "n1": self.n1,
            "n2": self.n2,
            "alternative": self.alternative,
        }


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _ranks(values: Sequence[float]) -> tuple[list[float], float]:
    """Mid-ranks (1-based) of ``values`` and the tie term sum(t^3 - t) over tied groups."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    ties = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mid = (i + j) / 2.0 + 1.0
        for k in range(i, j + 1):
            ranks[order[k]] = mid
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    return ranks, ties


def mann_whitney_u(
    x: Sequence[float], y: Sequence[float], alternative: Alternative = "greater"
) -> MannWhitney:
    """Test whether ``x`` tends to be larger than ``y`` (``"greater"``), smaller, or either.

    >>> r = mann_whitney_u([5, 6, 7, 8, 9], [1, 2, 3, 4, 5])
    >>> r.u, round(r.p_value, 4)
    (24.5, 0.008)

    :raises ValueError: either sample is empty.
    """
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        raise ValueError("both samples need at least one value")
    ranks, ties = _ranks([*x, *y])
    r1 = sum(ranks[:n1])
    u1 = r1 - n1 * (n1 + 1) / 2.0
    mean = n1 * n2 / 2.0
    n = n1 + n2
    var = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    if var <= 0:  # every value equal: no evidence either way
        return MannWhitney(u1, 0.0, 1.0, n1, n2, alternative)
    sd = math.sqrt(var)
    if alternative == "greater":
        z = (u1 - mean - 0.5) / sd
        p = normal_sf(z)
    elif alternative == "less":
        z = (u1 - mean + 0.5) / sd
        p = 1.0 - normal_sf(z)
    else:
        z = (abs(u1 - mean) - 0.5) / sd
        p = min(1.0, 2.0 * normal_sf(z))
    return MannWhitney(u1, z, min(1.0, max(0.0, p)), n1, n2, alternative)
