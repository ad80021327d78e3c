"""Reads and analysis bookkeeping of deployments (the base of the deployment service)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from polaris.core.actors import utc_now
from polaris.core.errors import Location, NotFound
from polaris.deployments import repo
from polaris.deployments.config import Environment
from polaris.deployments.rules import (
    Analysis,
    Measurement,
    State,
    Thresholds,
    check_transition,
    compare_baseline,
    config_drift,
    evaluate,
    watch_outcome,
)
from polaris.deployments.wire import deployment_to_dict, sample_to_dict
from polaris.store.session import Database

__all__ = ["DeploymentQueries", "Round", "WatchItem"]


@dataclass(frozen=True, slots=True)
class WatchItem:
    """What the watcher needs to analyse one deployment (read once, at claim)."""

    id: int
    environment: str
    release: str
    env: Environment
    url: str | None
    versions: dict[str, str]


@dataclass(frozen=True, slots=True)
class Round:
    """The outcome of one recorded round: the analysis, and the state the deployment is in."""

    analysis: Analysis
    state: State


class DeploymentQueries:
    """Reads, plus the bookkeeping of analysis rounds."""

    def __init__(self, db: Database, environments: Mapping[str, Environment]) -> None:
        self.db = db
        self.environments = environments
        #: Set by the composition: an environment's expected configuration hash (or None).
        self.config_hash: Callable[[str], str | None] | None = None

    def list(self, env: str | None = None, limit: int = 50) -> builtins.list[dict[str, Any]]:
        """Deployments, newest first."""
        with self.db.read() as s:
            return [deployment_to_dict(r) for r in repo.list_deployments(s, env=env, limit=limit)]

    def show(self, dep_id: int) -> dict[str, Any]:
        """One deployment with its timeline and samples."""
        with self.db.read() as s:
            row = repo.get_deployment(s, dep_id)
            return deployment_to_dict(row, repo.events_of(s, dep_id), repo.samples_of(s, dep_id))

    def status(self) -> dict[str, Any]:
        """The matrix environment x component -> version, with each environment's health."""
        envs: list[dict[str, Any]] = []
        names = sorted(self.environments.values(), key=lambda e: (e.order, e.name))
        with self.db.read() as s:
            for e in names:
                cur = repo.current_in(s, e.name)
                active = repo.active_in(s, e.name)
                last = repo.samples_of(s, cur.id, limit=1) if cur is not None else []
                envs.append(
                    {
                        "environment": e.name,
                        "order": e.order,
                        "release": None if cur is None else cur.release,
                        "state": None if cur is None else cur.state,
                        "deployment": None if cur is None else cur.id,
                        "in_progress": None if active is None else active.id,
                        "health": last[0].verdict if last else None,
                        "last_sample": sample_to_dict(last[0]) if last else None,
                        "versions": {}
                        if cur is None
                        else {c["name"]: c["version"] for c in cur.components},
                        "config": None
                        if cur is None or self.config_hash is None
                        else config_drift(cur.config_hash, self.config_hash(e.name)),
                    }
                )
        components = sorted({c for e in envs for c in e["versions"]})
        return {"environments": envs, "components": components}

    def what_ran(self, env: str, at: datetime) -> dict[str, Any]:
        """What served ``env`` at ``at``: the release and every component, model and schema."""
        with self.db.read() as s:
            row = repo.live_at(s, env, at)
            if row is None:
                raise NotFound(
                    f"nothing was deployed in {env} at {at.isoformat()}",
                    location=Location(field="at"),
                )
            return {
                "environment": env,
                "at": at.isoformat(),
                "release": row.release,
                "deployment": row.id,
                "state": row.state,
                "components": row.components,
            }

    # -- analysis bookkeeping (called by the watcher) ------------------------------------------

    def claim(self, holder: str, lease_s: float) -> builtins.list[WatchItem]:
        """Take the analysis lease of deployments nobody holds; what was newly taken."""
        now = utc_now()
        with self.db.write() as s:
            rows = repo.claim(s, holder, now=now, until=now + timedelta(seconds=lease_s))
            return [
                WatchItem(
                    r.id,
                    r.environment,
                    r.release,
                    Environment.from_dict(r.env_config),
                    r.deployer_state.get("url"),
                    {c["name"]: c["version"] for c in r.components},
                )
                for r in rows
            ]

    def renew_leases(self, holder: str, lease_s: float | None) -> None:
        """Extend ``holder``'s leases by ``lease_s``; ``None`` gives them up (a clean stop)."""
        with self.db.write() as s:
            until = None if lease_s is None else utc_now() + timedelta(seconds=lease_s)
            repo.renew(s, holder, until=until)

    def record_round(self, dep_id: int, m: Measurement) -> Round | None:
        """Judge and store one round; ends the watch window when due. None if not analysing."""
        with self.db.write() as s:
            return self._record_one(s, dep_id, m)

    def record_rounds(
        self, rounds: builtins.list[tuple[int, Measurement]]
    ) -> builtins.list[Round | None]:
        """:meth:`record_round` for many deployments in one transaction (the watcher's batch)."""
        with self.db.write() as s:
            return [self._record_one(s, dep_id, m) for dep_id, m in rounds]

    def _record_one(self, s: Any, dep_id: int, m: Measurement) -> Round | None:
        """One round in the caller's transaction."""
        row = repo.get_deployment(s, dep_id)
        if row.state != State.ANALYSING.value:
            return None
        t = Thresholds.from_dict(row.env_config.get("thresholds", {}))
        counters = dict(row.analysis)
        a = evaluate(
            m,
            t,
            probe_failures=int(counters.get("probe_failures", 0)),
            metric_breaches=int(counters.get("metric_breaches", 0)),
        )
        repo.add_sample(
            s,
            dep_id,
            at=m.at,
            error_rate=m.error_rate,
            latency_ms=m.latency_ms,
            probe_ok=m.probe_ok,
            verdict=a.verdict,
        )
        baseline_id = counters.get("baseline_id")
        if a.verdict != "breach" and isinstance(baseline_id, int):
            a = self._baseline(s, dep_id, baseline_id, t, a, counters)
        counters.update(
            probe_failures=a.probe_failures,
            metric_breaches=a.metric_breaches,
            last_verdict=a.verdict,
            rounds=int(counters.get("rounds", 0)) + 1,
        )
        row.analysis = counters
        if a.verdict == "breach":
            repo.add_event(
                s,
                dep_id,
                at=m.at,
                kind="breach",
                message=f"{a.trigger}: {'; '.join(a.reasons)}",
                data={"trigger": a.trigger},
            )
            return Round(a, State.ANALYSING)
        assert row.analysing_since is not None  # noqa: S101 - set on entering analysis
        env = Environment.from_dict(row.env_config)
        final = watch_outcome(m.at, row.analysing_since, env.watch_window, [a.verdict])
        if final is not None:
            check_transition(State.ANALYSING, final)
            row.state = final.value
            row.updated_at = row.finished_at = utc_now()
            row.lease_holder = row.lease_until = None
            repo.add_event(
                s,
                dep_id,
                at=row.updated_at,
                kind="state",
                state=final.value,
                message=f"watch window over after {counters['rounds']} rounds; last: {a.verdict}",
            )
            return Round(a, final)
        return Round(a, State.ANALYSING)

    @staticmethod
    def _baseline(
        s: Any, dep_id: int, baseline_id: int, t: Thresholds, a: Analysis, counters: dict[str, Any]
    ) -> Analysis:
        new = repo.samples_of(s, dep_id, limit=200)
        base = repo.samples_of(s, baseline_id, limit=200)
        results = []
        for metric in ("error_rate", "latency_ms"):
            xs = [v for v in (getattr(x, metric) for x in new) if v is not None]
            ys = [v for v in (getattr(x, metric) for x in base) if v is not None]
            results.append(compare_baseline(metric, xs, ys, t))
        counters["baseline"] = {r.metric: {**r.stats, "worse": r.worse} for r in results}
        worse = [r for r in results if r.worse]
        if not worse:
            return a
        trigger = (
            "high_error_rate" if worse[0].metric == "error_rate" else "performance_degradation"
        )
        reasons = tuple(f"significantly worse than the baseline: {r.reason}" for r in worse)
        return Analysis("breach", reasons, trigger, a.probe_failures, a.metric_breaches)
