"""Approval decision latency with 8 reviewers deciding at once, on SQLite and PostgreSQL.

For each of ``--requests`` approval requests, 8 reviewers (one per approver role of a matrix that
needs all 8) approve at the same moment (a barrier per request), through ``ApprovalService.decide``:
a locked read of the request and its reviews, the rule evaluation, the review row, the state update,
the audit row and, when the state changes, an outbox row, in one transaction. The goal: p99 under
20 ms.

The baseline in the same run is the floor of any audited Polaris write on the same database: one
write transaction that locks one row and inserts one audit row, from 8 threads at once.
Ratios = Polaris decision / floor.

Usage: python benchmarks/governance_bench.py [--requests 50] [--only sqlite|postgresql]
PostgreSQL: BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/test); skipped if absent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from polaris.approvals.policy import Level
from polaris.approvals.rules import Decision, RequestState
from polaris.approvals.tables import ApprovalRequestRow
from polaris.audit import repo as audit_repo
from polaris.core.actors import Actor, Role, utc_now
from polaris.settings import Settings
from polaris.store.session import Database
from polaris.wiring import Services, build_services

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REVIEWERS = 8
ROOT = Actor("root", Role.ADMIN)


def _matrix(directory: Path) -> None:
    roles = [f"reviewer_{i}" for i in range(REVIEWERS)]
    (directory / "approval-matrix.yml").write_text(
        "version_approval_matrix:\n"
        + "".join(
            f"  {lvl}_versions:\n    required_approvals: {REVIEWERS}\n    approvers: {roles}\n"
            for lvl in ("patch", "minor", "major", "hotfix")
        )
    )


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _concurrently(n: int, work: Callable[[int, int], None]) -> list[float]:
    """Run ``work(request, reviewer)`` for every request, 8 reviewers at once; latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(REVIEWERS)

    def reviewer(i: int) -> None:
        for r in range(n):
            barrier.wait()
            t0 = time.perf_counter()
            work(r, i)
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(dt)

    threads = [threading.Thread(target=reviewer, args=(i,)) for i in range(REVIEWERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _floor(db: Database, keys: list[str]) -> list[float]:
    def work(r: int, i: int) -> None:
        with db.write() as s:
            s.scalar(
                select(ApprovalRequestRow.id)
                .where(ApprovalRequestRow.key == keys[r])
                .with_for_update()
            )
            audit_repo.add_audit(
                s,
                at=utc_now(),
                actor=f"r{i}",
                action="floor",
                entity="bench",
                key=keys[r],
                before=None,
                after=None,
            )

    return _concurrently(len(keys), work)


def _run(url: str, home: Path, n: int) -> dict[str, float]:
    directory = home / "platform"
    directory.mkdir(parents=True)
    _matrix(directory)
    services: Services = build_services(
        Settings(home=home, database_url=url, governance_dir=directory, db_pool_size=REVIEWERS + 2),
        migrate=True,
    )
    try:
        g = services.governance
        for i in range(REVIEWERS):
            g.users.add(f"r{i}", [f"reviewer_{i}"], actor=ROOT)
        author = Actor("author", Role.DEVELOPER)
        keys = [
            g.approvals.open(
                kind="platform_release",
                name="bench",
                version=f"1.{r}.0",
                declared=Level.MINOR,
                actor=author,
            ).key
            for r in range(n)
        ]
        floor_keys = keys[:]
        actors = [Actor(f"r{i}", Role.DEVELOPER) for i in range(REVIEWERS)]

        def decide(r: int, i: int) -> None:
            g.approvals.decide(keys[r], Decision.APPROVED, actor=actors[i])

        # Warm the pools and caches on one extra request.
        warm = g.approvals.open(
            kind="platform_release",
            name="warm",
            version="0.0.1",
            declared=Level.MINOR,
            actor=author,
        )
        g.approvals.decide(warm.key, Decision.APPROVED, actor=actors[0])
        floor = _floor(services.db, floor_keys)
        lat = _concurrently(n, decide)
        for key in keys:
            req = g.approvals.get(key)
            assert req.state == RequestState.APPROVED, key
            assert len(req.reviews) == REVIEWERS, key
        # One reviewer at a time: the cost of a decision without waiting for the others' locks.
        serial_keys = [
            g.approvals.open(
                kind="platform_release",
                name="serial",
                version=f"2.{r}.0",
                declared=Level.MINOR,
                actor=author,
            ).key
            for r in range(n)
        ]
        serial: list[float] = []
        for key in serial_keys:
            for actor in actors:
                t0 = time.perf_counter()
                g.approvals.decide(key, Decision.APPROVED, actor=actor)
                serial.append((time.perf_counter() - t0) * 1000)
        return {
            "decisions": len(lat),
            "p50": statistics.median(lat),
            "p99": _p(lat, 0.99),
            "max": max(lat),
            "serial_p50": statistics.median(serial),
            "floor_p50": statistics.median(floor),
            "floor_p99": _p(floor, 0.99),
        }
    finally:
        services.close()


def _pg_schema() -> tuple[str, Callable[[], None]] | None:
    try:
        import psycopg

        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}")
        return None
    schema = f"gov_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE SCHEMA "{schema}"'.encode())
    url = (
        PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        + f"?options=-csearch_path%3D{schema}"
    )

    def drop() -> None:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE'.encode())
        admin.close()

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "sqlite"):
            home = Path(tmp) / "sqlite"
            results["SQLite"] = _run(
                f"sqlite+pysqlite:///{home / 'polaris.db'}", home, args.requests
            )
        if args.only in (None, "postgresql"):
            pg = _pg_schema()
            if pg is not None:
                try:
                    results["PostgreSQL"] = _run(pg[0], Path(tmp) / "pg", args.requests)
                finally:
                    pg[1]()
    print(f"{args.requests} requests x {REVIEWERS} reviewers deciding at once (ms)")
    print(
        "| backend | decisions | p50 | p99 | max | one at a time p50 | floor p50 | floor p99 "
        "| p99 / floor p99 | goal p99 < 20 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        print(
            f"| {name} | {int(r['decisions'])} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | "
            f"{r['serial_p50']:.1f} | {r['floor_p50']:.1f} | {r['floor_p99']:.1f} | {r['p99'] / r['floor_p99']:.1f}x | "
            f"{'met' if r['p99'] < 20 else 'NOT met'} |"
        )


if __name__ == "__main__":
    main()
