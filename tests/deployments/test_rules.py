"""Deployment rules: states, thresholds (the document's defaults), promotion, one at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from polaris.core.errors import CheckFailed, Conflict
from polaris.deployments.rules import (
    Measurement,
    State,
    Thresholds,
    check_exclusive,
    check_promotion,
    check_transition,
    compare_baseline,
    evaluate,
    restart_action,
    watch_outcome,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
T = Thresholds()


def test_defaults_are_the_documents() -> None:
    assert (T.error_rate, T.latency_ms, T.latency_stat, T.health_failures) == (
        0.05,
        2000.0,
        "p95",
        3,
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("pending", "progressing"),
        ("progressing", "analysing"),
        ("analysing", "healthy"),
        ("analysing", "degraded"),
        ("analysing", "rolled_back"),
        ("degraded", "rolled_back"),
        ("healthy", "rolled_back"),
        ("progressing", "failed"),
        ("pending", "interrupted"),
    ],
)
def test_legal_moves(a: str, b: str) -> None:
    check_transition(State(a), State(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("pending", "healthy"),
        ("rolled_back", "analysing"),
        ("failed", "pending"),
        ("healthy", "analysing"),
    ],
)
def test_illegal_moves_name_the_allowed_ones(a: str, b: str) -> None:
    with pytest.raises(Conflict, match=f"cannot go from {a} to {b}"):
        check_transition(State(a), State(b))


def test_error_rate_above_five_percent_trips_at_once() -> None:
    a = evaluate(Measurement(NOW, error_rate=0.051, latency_ms=100), T)
    assert (a.verdict, a.trigger) == ("breach", "high_error_rate")
    assert evaluate(Measurement(NOW, error_rate=0.05, latency_ms=100), T).verdict == "ok"


def test_latency_above_2000_ms_is_performance_degradation() -> None:
    a = evaluate(Measurement(NOW, error_rate=0.0, latency_ms=2000.5), T)
    assert (a.verdict, a.trigger) == ("breach", "performance_degradation")


def test_three_consecutive_failed_health_checks_trip() -> None:
    m = Measurement(NOW, probe_ok=False, probes_expected=True)
    a1 = evaluate(m, T)
    a2 = evaluate(m, T, probe_failures=a1.probe_failures)
    a3 = evaluate(m, T, probe_failures=a2.probe_failures)
    assert [a1.verdict, a2.verdict, a3.verdict] == ["unknown", "unknown", "breach"]
    assert a3.trigger == "health_check_failure"
    ok = evaluate(Measurement(NOW, probe_ok=True, probes_expected=True), T, probe_failures=2)
    assert (ok.verdict, ok.probe_failures) == ("ok", 0)


def test_a_failure_limit_needs_consecutive_breaches() -> None:
    t = Thresholds(failure_limit=2)
    m = Measurement(NOW, error_rate=0.2, latency_ms=10)
    first = evaluate(m, t)
    assert first.verdict == "unknown"
    assert evaluate(m, t, metric_breaches=first.metric_breaches).verdict == "breach"


def test_a_missing_source_is_unknown_never_healthy() -> None:
    m = Measurement(
        NOW,
        probe_ok=True,
        probes_expected=True,
        metrics_expected=True,
        notes=("prometheus unreachable",),
    )
    a = evaluate(m, T)
    assert a.verdict == "unknown"
    assert "prometheus unreachable" in a.reasons


def test_baseline_comparison_flags_a_significantly_worse_version() -> None:
    worse = compare_baseline(
        "latency_ms", [300, 310, 320, 305, 315, 330], [100, 110, 105, 98, 102, 99], T
    )
    assert worse.worse is True
    assert worse.stats["test"] == "mann-whitney-u"
    same = compare_baseline("latency_ms", [100, 110, 105, 98, 102], [101, 109, 104, 99, 103], T)
    assert same.worse is False
    few = compare_baseline("latency_ms", [1, 2], [1, 2, 3, 4, 5], T)
    assert few.worse is None


def test_production_only_gets_what_was_healthy_in_staging() -> None:
    with pytest.raises(CheckFailed, match="never healthy in staging"):
        check_promotion(
            "production",
            "2.2.0",
            requires="staging",
            healthy_in_required=False,
            is_bad=False,
            override=None,
        )
    notes = check_promotion(
        "production",
        "2.2.0",
        requires="staging",
        healthy_in_required=False,
        is_bad=False,
        override="hotfix, CAB-12",
    )
    assert "overridden" in notes[0]
    with pytest.raises(CheckFailed, match="marked bad"):
        check_promotion(
            "staging", "2.2.0", requires=None, healthy_in_required=True, is_bad=True, override=None
        )


def test_a_second_deployment_is_refused_naming_the_first_and_who() -> None:
    check_exclusive("staging", None)
    with pytest.raises(Conflict, match=r"#7 of 2\.1\.0 is analysing, started by alice"):
        check_exclusive("staging", (7, "2.1.0", "analysing", "alice"))


def test_restart_resumes_analysis_and_interrupts_the_rest() -> None:
    assert restart_action(State.ANALYSING) == "resume"
    assert restart_action(State.PENDING) == "interrupt"
    assert restart_action(State.PROGRESSING) == "interrupt"
    assert restart_action(State.HEALTHY) is None


def test_watch_window_ends_healthy_only_on_an_ok_round() -> None:
    since = NOW - timedelta(seconds=301)
    assert watch_outcome(NOW, NOW, 300, ["ok"]) is None
    assert watch_outcome(NOW, since, 300, ["ok"]) == State.HEALTHY
    assert watch_outcome(NOW, since, 300, ["unknown"]) == State.DEGRADED
