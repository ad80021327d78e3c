"""Deployment rules, pure: the state machine, thresholds, promotion order, one-at-a-time, restart.

Facts in, a decision (or a typed error naming why) out; the clock is passed in. Defaults are the
customer document's (section 10.1.1): roll back above a 5% error rate, above 2000 ms response time
(p95 by default; the document's average is available), or after 3 consecutive failed health
checks; beyond fixed thresholds, a new version significantly worse than the previous version's
baseline (Mann-Whitney U, as Kayenta) fails too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Literal

from polaris.core.errors import CheckFailed, Conflict, Location
from polaris.deployments.stats import mann_whitney_u

__all__ = [
    "ACTIVE_STATES",
    "TRIGGERS",
    "Analysis",
    "BaselineResult",
    "Measurement",
    "State",
    "Thresholds",
    "Verdict",
    "check_exclusive",
    "check_promotion",
    "check_transition",
    "compare_baseline",
    "config_drift",
    "evaluate",
    "restart_action",
    "watch_outcome",
]


class State(StrEnum):
    """Where a deployment is in its life."""

    PENDING = "pending"
    PROGRESSING = "progressing"
    ANALYSING = "analysing"
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    ROLLED_BACK = "rolled_back"
    FAILED = "failed"
    #: Polaris stopped while the deployment was under way; the record says what was known.
    INTERRUPTED = "interrupted"


_NEXT: Final[dict[State, frozenset[State]]] = {
    State.PENDING: frozenset({State.PROGRESSING, State.FAILED, State.INTERRUPTED}),
    State.PROGRESSING: frozenset(
        {State.ANALYSING, State.FAILED, State.ROLLED_BACK, State.INTERRUPTED}
    ),
    State.ANALYSING: frozenset(
        {State.HEALTHY, State.DEGRADED, State.ROLLED_BACK, State.FAILED, State.INTERRUPTED}
    ),
    State.HEALTHY: frozenset({State.ROLLED_BACK}),
    State.DEGRADED: frozenset({State.ROLLED_BACK, State.HEALTHY}),
    State.ROLLED_BACK: frozenset(),
    State.FAILED: frozenset(),
    State.INTERRUPTED: frozenset(),
}

#: States in which a deployment holds its environment (a second one is refused).
ACTIVE_STATES: Final = frozenset({State.PENDING, State.PROGRESSING, State.ANALYSING})

#: Why a rollback happened (the document's triggers).
TRIGGERS: Final = (
    "high_error_rate",
    "performance_degradation",
    "health_check_failure",
    "manual",
    "security_incident",
)

Verdict = Literal["ok", "breach", "unknown"]


def check_transition(current: State, target: State) -> None:
    """Raise :class:`Conflict` unless ``current -> target`` is a legal move."""
    if target not in _NEXT[current]:
        allowed = ", ".join(sorted(_NEXT[current])) or "none (final)"
        raise Conflict(
            f"a deployment cannot go from {current} to {target}",
            location=Location(field="state"),
            hint=f"from {current}: {allowed}",
        )


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a deployment is unhealthy (defaults: the customer document, section 10.1.1)."""

    error_rate: float = 0.05
    latency_ms: float = 2000.0
    #: ``"p95"`` (default) or ``"avg"`` (the document's average response time).
    latency_stat: Literal["p95", "avg"] = "p95"
    #: Consecutive failed health checks that trip a rollback.
    health_failures: int = 3
    #: Consecutive metric breaches that trip (Argo's failureLimit + 1): 1 = the first breach.
    failure_limit: int = 1
    #: Significance level of the baseline comparison; 0 disables it.
    baseline_alpha: float = 0.01
    #: Samples needed on each side before the baseline comparison may judge.
    baseline_min_samples: int = 5

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "error_rate": self.error_rate,
            "latency_ms": self.latency_ms,
            "latency_stat": self.latency_stat,
            "health_failures": self.health_failures,
            "failure_limit": self.failure_limit,
            "baseline_alpha": self.baseline_alpha,
            "baseline_min_samples": self.baseline_min_samples,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Thresholds:
        """Inverse of :meth:`to_dict` (missing keys take the defaults)."""
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})


@dataclass(frozen=True, slots=True)
class Measurement:
    """One analysis round's readings; ``None`` means the source could not say (unknown)."""

    at: datetime
    error_rate: float | None = None
    latency_ms: float | None = None
    #: The HTTP probes: True all passed, False one failed, None not probed / unreachable source.
    probe_ok: bool | None = None
    #: Why a reading is missing (e.g. "prometheus unreachable: ...").
    notes: tuple[str, ...] = ()
    #: Whether metric sources were configured (a missing reading then means unknown).
    metrics_expected: bool = False
    probes_expected: bool = False


@dataclass(frozen=True, slots=True)
class Analysis:
    """The verdict of one round, with the trigger and reasons when it is a breach."""

    verdict: Verdict
    reasons: tuple[str, ...] = ()
    trigger: str | None = None
    probe_failures: int = 0
    metric_breaches: int = 0


def evaluate(
    m: Measurement, t: Thresholds, *, probe_failures: int = 0, metric_breaches: int = 0
) -> Analysis:
    """Judge one measurement against the thresholds, counting consecutive failures.

    ``probe_failures`` and ``metric_breaches`` are the counts before this round. A source that
    could not answer makes the verdict ``unknown``, never ``ok``.
    """
    reasons: list[str] = []
    trigger: str | None = None
    breach_now = False
    if m.error_rate is not None and m.error_rate > t.error_rate:
        breach_now = True
        trigger = "high_error_rate"
        reasons.append(f"error rate {m.error_rate:.2%} > {t.error_rate:.2%}")
    if m.latency_ms is not None and m.latency_ms > t.latency_ms:
        breach_now = True
        trigger = trigger or "performance_degradation"
        reasons.append(f"{t.latency_stat} latency {m.latency_ms:.0f} ms > {t.latency_ms:.0f} ms")
    breaches = metric_breaches + 1 if breach_now else 0
    failures = probe_failures + 1 if m.probe_ok is False else 0
    if m.probe_ok is False:
        reasons.append(f"health check failed ({failures} of {t.health_failures} in a row)")
    if failures >= t.health_failures:
        return Analysis("breach", tuple(reasons), "health_check_failure", failures, breaches)
    if breaches >= t.failure_limit and breach_now:
        return Analysis("breach", tuple(reasons), trigger, failures, breaches)
    missing = (m.metrics_expected and (m.error_rate is None or m.latency_ms is None)) or (
        m.probes_expected and m.probe_ok is None
    )
    if missing or m.probe_ok is False or breach_now:
        return Analysis("unknown", tuple(reasons) + m.notes, None, failures, breaches)
    return Analysis("ok", (), None, failures, breaches)


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """The new version against the previous version's baseline, one metric."""

    metric: str
    worse: bool | None
    stats: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def compare_baseline(
    metric: str, new: Sequence[float], baseline: Sequence[float], t: Thresholds
) -> BaselineResult:
    """Whether ``new`` is significantly larger (worse) than ``baseline`` (one-sided U test).

    ``worse`` is ``None`` when either side has fewer than ``baseline_min_samples`` values or the
    comparison is disabled.
    """
    n = t.baseline_min_samples
    if t.baseline_alpha <= 0 or len(new) < n or len(baseline) < n:
        return BaselineResult(
            metric, None, reason=f"not enough samples ({len(new)} new, {len(baseline)} baseline)"
        )
    r = mann_whitney_u(list(new), list(baseline), "greater")
    worse = r.p_value < t.baseline_alpha
    why = f"{metric}: p={r.p_value:.4g} {'<' if worse else '>='} {t.baseline_alpha}"
    return BaselineResult(metric, worse, r.to_dict(), why)


def check_promotion(
    env: str,
    release: str,
    *,
    requires: str | None,
    healthy_in_required: bool,
    is_bad: bool,
    override: str | None,
) -> list[str]:
    """Whether ``release`` may go to ``env``: the notes an override leaves, else an error.

    Production only gets what was healthy in the environment before it (``requires``), and a
    release marked bad by a rollback is not redeployed, unless overridden with a reason (which
    the service audits).
    """
    notes: list[str] = []
    if requires is not None and not healthy_in_required:
        if not override:
            raise CheckFailed(
                f"release {release} was never healthy in {requires}, which {env} requires first",
                location=Location(field="env"),
                hint=f"deploy it to {requires} first, or override with a reason (audited)",
            )
        notes.append(f"promotion order overridden ({requires} not healthy): {override}")
    if is_bad:
        if not override:
            raise CheckFailed(
                f"release {release} is marked bad by a rollback",
                location=Location(field="release"),
                hint="fix it in a new release, or override with a reason (audited)",
            )
        notes.append(f"bad release redeployed: {override}")
    return notes


def check_exclusive(env: str, active: tuple[int, str, str, str] | None) -> None:
    """Refuse a second deployment while ``active`` = ``(id, release, state, who)`` holds ``env``."""
    if active is not None:
        dep_id, release, state, who = active
        raise Conflict(
            f"environment {env} is busy: deployment #{dep_id} of {release} is {state}, "
            f"started by {who}",
            location=Location(field="env"),
            hint="wait for it to finish, or roll it back",
        )


def restart_action(state: State) -> Literal["resume", "interrupt"] | None:
    """What a restarted Polaris does with a deployment it finds in ``state``.

    Analysis resumes (the deployed version is running and measurable); a deployment that had not
    reached analysis is marked interrupted, never left pending.
    """
    if state == State.ANALYSING:
        return "resume"
    if state in (State.PENDING, State.PROGRESSING):
        return "interrupt"
    return None


def watch_outcome(
    now: datetime, since: datetime, window_s: float, verdicts: Sequence[Verdict]
) -> State | None:
    """After the watch window, ``healthy`` if the last round was ok, else ``degraded``."""
    if now < since + timedelta(seconds=window_s):
        return None
    if verdicts and verdicts[-1] == "ok":
        return State.HEALTHY
    return State.DEGRADED


def config_drift(deployed: str | None, expected: str | None) -> dict[str, object]:
    """The configuration hash a live deployment used against its environment's expected one now.

    ``drift`` is True when a configuration is expected and the deployment used another (or
    recorded none); hashes are shown by their first 12 digits.
    """
    out: dict[str, object] = {"deployed": deployed, "expected": expected}
    if expected is None:
        return {**out, "drift": False, "reason": "no configuration is expected"}
    if deployed is None:
        return {
            **out,
            "drift": True,
            "reason": f"deployed without a config hash; {expected[:12]} is expected",
        }
    if deployed == expected:
        return {**out, "drift": False, "reason": "matches"}
    return {
        **out,
        "drift": True,
        "reason": f"deployed with {deployed[:12]}, expected {expected[:12]}",
    }
