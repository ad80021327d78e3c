"""Policies: promotion gates (metric thresholds), roles and permissions, retention.

Pure rules, no clock: callers pass ``now``.

- A gate is a list of thresholds such as ``accuracy>=0.92`` or ``p95_latency_ms<=200``; a failed
  threshold says which metric failed and by how much.
- Roles are ordered ``viewer < developer < approver < admin``: reads need viewer, writes
  developer, promotion to production approver, token management and gc admin.
- Retention (seed 4.2.1): development versions expire 30 days after their last change, archived
  versions are kept 2 years after being archived.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from polaris.core.errors import InvalidInput, Location

__all__ = [
    "ARCHIVED_RETENTION",
    "DEVELOPMENT_RETENTION",
    "GateResult",
    "Op",
    "Threshold",
    "evaluate_gates",
    "parse_threshold",
    "retention_expired",
]

Op = Literal[">=", "<=", ">", "<", "=="]
_THRESHOLD_RE: Final = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*(>=|<=|==|>|<)\s*(\S+)\s*$")

DEVELOPMENT_RETENTION: Final = timedelta(days=30)
ARCHIVED_RETENTION: Final = timedelta(days=730)


@dataclass(frozen=True, slots=True)
class Threshold:
    """One metric threshold, ``metric op value``."""

    metric: str
    op: Op
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


@dataclass(frozen=True, slots=True)
class GateResult:
    """The outcome of one threshold against one version's metrics."""

    threshold: Threshold
    actual: float | None
    passed: bool
    shortfall: float | None
    """How far the metric is from passing (0 when it passed, None when it is missing)."""

    def explain(self) -> str:
        """``accuracy is 0.9, needs >= 0.92 (short by 0.02)``."""
        t = self.threshold
        if self.actual is None:
            return f"{t.metric} is not recorded, needs {t.op} {t.value:g}"
        verdict = "passed" if self.passed else f"short by {self.shortfall:.6g}"
        return f"{t.metric} is {self.actual:g}, needs {t.op} {t.value:g} ({verdict})"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "threshold": str(self.threshold),
            "metric": self.threshold.metric,
            "op": self.threshold.op,
            "value": self.threshold.value,
            "actual": self.actual,
            "passed": self.passed,
            "shortfall": self.shortfall,
        }


def parse_threshold(text: str, *, field: str = "criteria") -> Threshold:
    """Parse ``metric>=value``.

    >>> parse_threshold("accuracy>=0.92")
    Threshold(metric='accuracy', op='>=', value=0.92)
    """
    m = _THRESHOLD_RE.match(text)
    if m is None:
        raise InvalidInput(
            f"invalid metric threshold {text!r}",
            location=Location(field=field),
            hint="write METRIC OP NUMBER with OP one of >=, <=, >, <, == (accuracy>=0.92)",
        )
    try:
        value = float(m.group(3))
    except ValueError:
        raise InvalidInput(
            f"invalid metric threshold {text!r}: {m.group(3)!r} is not a number",
            location=Location(field=field),
        ) from None
    if not math.isfinite(value):
        raise InvalidInput(
            f"invalid metric threshold {text!r}: not finite", location=Location(field=field)
        )
    op: Op = m.group(2)  # type: ignore[assignment]  # the regex admits only the five operators
    return Threshold(metric=m.group(1), op=op, value=value)


def _shortfall(op: Op, actual: float, value: float) -> float:
    if op in (">=", ">"):
        return max(0.0, value - actual)
    if op in ("<=", "<"):
        return max(0.0, actual - value)
    return abs(actual - value)


def _passes(op: Op, actual: float, value: float) -> bool:
    if op == ">=":
        return actual >= value
    if op == "<=":
        return actual <= value
    if op == ">":
        return actual > value
    if op == "<":
        return actual < value
    return actual == value


def evaluate_gates(
    thresholds: Sequence[Threshold], metrics: Mapping[str, float]
) -> tuple[GateResult, ...]:
    """Check each threshold against ``metrics``; a missing metric fails."""
    out: list[GateResult] = []
    for t in thresholds:
        actual = metrics.get(t.metric)
        if actual is None:
            out.append(GateResult(t, None, passed=False, shortfall=None))
            continue
        ok = _passes(t.op, actual, t.value)
        out.append(
            GateResult(
                t, actual, passed=ok, shortfall=0.0 if ok else _shortfall(t.op, actual, t.value)
            )
        )
    return tuple(out)


def retention_expired(
    stage: str,
    since: datetime,
    now: datetime,
    *,
    development: timedelta = DEVELOPMENT_RETENTION,
    archived: timedelta = ARCHIVED_RETENTION,
) -> bool:
    """Whether a version in ``stage`` since ``since`` is past its retention at ``now``."""
    if stage == "development":
        return now - since > development
    if stage == "archived":
        return now - since > archived
    return False
