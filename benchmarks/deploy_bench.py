"""Benchmark: the deployment watcher's cost and its reaction time.

1. **Cost**: ``--services`` deployments (default 200) in analysis at a ``--interval`` of 10 s, each
   probed over HTTP (``/health`` and ``/ready`` of the example service, run as a separate process
   so its CPU is not counted) and each round recorded in SQLite. The watcher runs for
   ``--seconds``; its process CPU time over that wall time is the share of one core it used.
   Baseline: the issue's budget, 5% of one core; the ratio is used / budget.
2. **Reaction**: one deployment probed every ``--react-interval`` seconds by a watcher; a local
   health endpoint starts failing at a random moment (the breach), the trip is set at the first
   failure, and the time from the breach to the rollback's start (its timeline entry) is
   measured ``--trials`` times. Goal: at most one interval plus one second (Argo Rollouts'
   ``interval`` is the anchor: a metric is measured once per interval).

Run: ``python benchmarks/deploy_bench.py [--services 200] [--seconds 60] [--trials 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from polaris.core.actors import Actor, Role, utc_now
from polaris.core.semver import Version
from polaris.deployments import repo
from polaris.deployments.config import environments_from_dict
from polaris.deployments.hooks import DeploymentHooks
from polaris.deployments.service import DeploymentService
from polaris.deployments.tables import DeploymentRow
from polaris.deployments.watcher import Watcher
from polaris.platform.repo import add_release
from polaris.platform.rules import PlatformRelease, ReleasePin
from polaris.store.migrate import upgrade
from polaris.store.session import Database

APP = Path(__file__).resolve().parents[1] / "examples" / "aiops-polaris" / "service" / "app.py"
BUDGET = 0.05


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _db(path: Path) -> Database:
    db = Database(f"sqlite+pysqlite:///{path}", pool_size=4)
    upgrade(db)
    with db.write() as s:
        for v in ("2.1.0", "2.2.0"):
            add_release(
                s,
                PlatformRelease(
                    Version.parse(v),
                    datetime.now(UTC),
                    "bench",
                    "",
                    (ReleasePin("api", "service", Version.parse(v)),),
                ),
            )
    return db


def _env(name: str, interval: float, url: str, failures: int = 3) -> dict[str, Any]:
    return {
        "order": 1,
        "deployer": "command",
        "interval": interval,
        "watch_window": 36000,
        "thresholds": {"health_failures": failures},
        "health": [{"type": "http", "paths": ["/health", "/ready"]}],
        "deployer_options": {"command": ["true"], "url": url},
    }


def cost(services: int, interval: float, seconds: float) -> dict[str, float]:
    """CPU share of one core used by the watcher over ``services`` deployments."""
    port = _port()
    proc = subprocess.Popen(
        [sys.executable, str(APP), "--port", str(port), "--version", "2.1.0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{url}/ready", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            db = _db(Path(tmp) / "p.db")
            envs = {f"svc{i:03d}": _env(f"svc{i:03d}", interval, url) for i in range(services)}
            svc = DeploymentService(
                db, environments_from_dict(envs), root=Path(tmp), hooks=DeploymentHooks()
            )
            actor = Actor("bench", Role.ADMIN)
            for name in envs:
                svc.deploy("2.1.0", name, actor=actor)

            async def run() -> tuple[float, float, int]:
                w = Watcher(svc)
                task = asyncio.create_task(w.run())
                await asyncio.sleep(interval + 2)  # every deployment claimed, rounds staggered
                cpu0, wall0, rounds0 = time.process_time(), time.perf_counter(), w.rounds
                await asyncio.sleep(seconds)
                cpu = time.process_time() - cpu0
                wall = time.perf_counter() - wall0
                rounds = w.rounds - rounds0
                w.stop()
                await task
                return cpu, wall, rounds

            cpu, wall, rounds = asyncio.run(run())
            db.dispose()
    finally:
        proc.terminate()
        proc.wait()
    return {"cpu_s": cpu, "wall_s": wall, "share": cpu / wall, "rounds": rounds}


class _Flip(BaseHTTPRequestHandler):
    failing = False

    def do_GET(self) -> None:
        code = 500 if _Flip.failing else 200
        self.send_response(code)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def reaction(interval: float, trials: int) -> list[float]:
    """Seconds from a breach to the rollback's start, ``trials`` times."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    out: list[float] = []
    try:
        for _ in range(trials):
            _Flip.failing = False
            with tempfile.TemporaryDirectory() as tmp:
                db = _db(Path(tmp) / "p.db")
                envs = {"prod": _env("prod", interval, url, failures=1)}
                svc = DeploymentService(
                    db, environments_from_dict(envs), root=Path(tmp), hooks=DeploymentHooks()
                )
                actor = Actor("bench", Role.ADMIN)
                first = svc.deploy("2.1.0", "prod", actor=actor)
                with db.write() as s:  # 2.1.0 counts as healthy: the rollback target
                    row = s.get(DeploymentRow, first["id"])
                    assert row is not None
                    row.state = "healthy"
                    repo.add_event(
                        s, row.id, at=utc_now(), kind="state", state="healthy", message="bench"
                    )
                bad = svc.deploy("2.2.0", "prod", actor=actor)

                async def run(bad_id: int, svc: DeploymentService = svc) -> float:
                    w = Watcher(svc, claim_every=0.5)
                    task = asyncio.create_task(w.run())
                    await asyncio.sleep(random.uniform(1.0, 1.0 + interval))
                    breach = time.time()
                    _Flip.failing = True
                    while svc.show(bad_id)["state"] == "analysing":
                        await asyncio.sleep(0.05)
                    w.stop()
                    await task
                    ev = next(e for e in svc.show(bad_id)["events"] if e["kind"] == "rollback")
                    return datetime.fromisoformat(ev["at"]).timestamp() - breach

                out.append(asyncio.run(run(bad["id"])))
                _Flip.failing = False
                db.dispose()
    finally:
        server.shutdown()
        server.server_close()
    return out


def main() -> None:
    """Run both measurements and print them with their ratios to the goals."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--services", type=int, default=200)
    p.add_argument("--interval", type=float, default=10.0)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--react-interval", type=float, default=2.0)
    p.add_argument("--trials", type=int, default=5)
    a = p.parse_args()
    c = cost(a.services, a.interval, a.seconds)
    expected = a.services * a.seconds / a.interval
    print(
        f"watcher: {a.services} services every {a.interval:g} s for {c['wall_s']:.1f} s: "
        f"{c['rounds']} rounds (expected ~{expected:.0f}), CPU {c['cpu_s']:.2f} s = "
        f"{c['share']:.2%} of one core; budget {BUDGET:.0%}: {c['share'] / BUDGET:.2f}x of budget"
    )
    times = reaction(a.react_interval, a.trials)
    goal = a.react_interval + 1.0
    print(
        f"breach -> rollback start at a {a.react_interval:g} s interval, {len(times)} trials: "
        f"mean {sum(times) / len(times):.2f} s, max {max(times):.2f} s; goal <= {goal:g} s: "
        f"max is {max(times) / goal:.2f}x of the goal"
    )


if __name__ == "__main__":
    main()
