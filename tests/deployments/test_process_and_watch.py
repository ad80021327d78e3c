"""The process deployer's blue-green switch and switch-back, the watcher, and source outages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from tests.deployments.conftest import EXAMPLE_APP, add_releases, free_port

from polaris.core.actors import Actor, Role, utc_now
from polaris.deployments.config import HealthSpec, environments_from_dict
from polaris.deployments.deployers.process import teardown
from polaris.deployments.health import measure
from polaris.deployments.hooks import DeploymentHooks
from polaris.deployments.rules import Measurement, Thresholds, evaluate
from polaris.deployments.service import DeploymentService
from polaris.deployments.tables import DeploymentRow
from polaris.deployments.watcher import Watcher
from polaris.store.migrate import upgrade
from polaris.store.session import Database

ALICE = Actor("alice", Role.DEVELOPER)


@pytest.fixture
def bluegreen(tmp_path: Path) -> Iterator[tuple[DeploymentService, int]]:
    port = free_port(3)
    envs = {
        "staging": {
            "order": 1,
            "deployer": "process",
            "strategy": "blue-green",
            "interval": 0.3,
            "watch_window": 1.5,
            "scale_down_delay": 600,
            "pre_promotion_rounds": 1,
            "health": [{"type": "http", "paths": ["/health", "/ready"]}],
            "deployer_options": {
                "port": port,
                "state_dir": str(tmp_path / "run"),
                "command": [
                    "{python}",
                    str(EXAMPLE_APP),
                    "--port",
                    "{port}",
                    "--version",
                    "{version}",
                ],
            },
        }
    }
    db = Database(f"sqlite+pysqlite:///{tmp_path / 'p.db'}", pool_size=2)
    upgrade(db)
    add_releases(db, "2.1.0", "2.2.0")
    svc = DeploymentService(
        db, environments_from_dict(envs), root=tmp_path, hooks=DeploymentHooks()
    )
    try:
        yield svc, port
    finally:
        teardown(tmp_path / "run")
        db.dispose()


def _version(port: int) -> str:
    v: str = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()["version"]
    return v


async def _run_watcher(svc: DeploymentService, until: Any, timeout: float = 20) -> Watcher:
    w = Watcher(svc, claim_every=0.2)
    task = asyncio.create_task(w.run())
    deadline = asyncio.get_running_loop().time() + timeout
    while not until() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    w.stop()
    await task
    return w


def test_blue_green_preview_switch_and_switch_back(
    bluegreen: tuple[DeploymentService, int],
) -> None:
    svc, port = bluegreen
    first = svc.deploy("2.1.0", "staging", actor=ALICE)
    assert _version(port) == "2.1.0"
    asyncio.run(_run_watcher(svc, lambda: svc.show(first["id"])["state"] == "healthy"))
    assert svc.show(first["id"])["state"] == "healthy"

    second = svc.deploy("2.2.0", "staging", actor=ALICE)
    kinds = [e["kind"] for e in second["events"]]
    assert kinds.index("analysis") < kinds.index("switch")  # pre-promotion before traffic
    assert _version(port) == "2.2.0"
    back = svc.rollback("staging", actor=ALICE, reason="bad answers")
    assert back["switched_back"] is True and back["release"] == "2.1.0"
    assert _version(port) == "2.1.0"  # the old slot kept running, traffic went back to it
    assert svc.show(second["id"])["state"] == "rolled_back"


def test_the_watcher_resumes_after_a_restart(bluegreen: tuple[DeploymentService, int]) -> None:
    svc, _ = bluegreen
    d = svc.deploy("2.1.0", "staging", actor=ALICE)
    with svc.db.write() as s:  # a long window: the first watcher stops mid-analysis
        row = s.get(DeploymentRow, d["id"])
        assert row is not None
        row.env_config = {**row.env_config, "watch_window": 3600}
    first = asyncio.run(_run_watcher(svc, lambda: len(svc.show(d["id"])["samples"]) >= 2))
    assert first.rounds >= 2 and svc.show(d["id"])["state"] == "analysing"
    with svc.db.write() as s:
        s.execute(
            update(DeploymentRow)
            .where(DeploymentRow.id == d["id"])
            .values(analysing_since=utc_now() - timedelta(hours=2))
        )
    second = asyncio.run(_run_watcher(svc, lambda: svc.show(d["id"])["state"] != "analysing"))
    assert second.rounds >= 1
    assert svc.show(d["id"])["state"] == "healthy"


def test_a_prometheus_outage_is_unknown_never_healthy() -> None:
    dead = free_port()
    specs = [HealthSpec("prometheus", {"url": f"http://127.0.0.1:{dead}"})]

    async def go() -> Measurement:
        async with httpx.AsyncClient(timeout=2) as c:
            return await measure(
                c, specs, Thresholds(), url=None, env="e", version="1", now=utc_now()
            )

    m = asyncio.run(go())
    assert m.error_rate is None and "unreachable" in m.notes[0]
    assert evaluate(m, Thresholds()).verdict == "unknown"


def test_failed_probes_are_counted(tmp_path: Path) -> None:
    dead = free_port()
    specs = [HealthSpec("http", {"path": "/health"})]

    async def go() -> Measurement:
        async with httpx.AsyncClient(timeout=2) as c:
            return await measure(
                c,
                specs,
                Thresholds(),
                url=f"http://127.0.0.1:{dead}",
                env="e",
                version="1",
                now=utc_now(),
            )

    assert asyncio.run(go()).probe_ok is False
