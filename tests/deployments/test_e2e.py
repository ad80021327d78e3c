"""End to end on one machine: the example service as real processes, a real Prometheus.

2.1.0 goes to staging and production (blue-green there); the faulty 2.2.0 (20% errors) goes to
staging, breaches the 5% threshold, and the watcher in ``polaris serve`` rolls it back on its own,
notifies the webhook, and marks 2.2.0 bad. The time from the breach (the first moment the error
rate in Prometheus is above 5%) to the start of the rollback is measured against one analysis
interval plus one second.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests._live import make_tokens
from tests._pg import LiveServer
from tests.deployments.conftest import EXAMPLE_APP, PROMETHEUS, Hook, add_releases, free_port

from polaris.app import create_app
from polaris.deployments.deployers.process import teardown
from polaris.deployments.health import DEFAULT_QUERIES, render_query
from polaris.settings import Settings
from polaris.store.migrate import upgrade
from polaris.store.session import Database

INTERVAL = 1.0


def _toml(ports: dict[str, int], targets: Path, tag: str, hook_url: str, run: Path) -> str:
    def env(name: str, order: int, strategy: str, window: int) -> str:
        return f"""
[environments.{name}]
order = {order}
deployer = "process"
strategy = "{strategy}"
interval = {INTERVAL}
watch_window = {window}
scale_down_delay = 60
pre_promotion_rounds = 2
notify = ["{hook_url}"]
health = [
  {{ type = "http", paths = ["/health", "/ready"] }},
  {{ type = "prometheus", url = "{PROMETHEUS}", window = "5s", env_label = "{tag}-{name}" }},
]
[environments.{name}.deployer_options]
port = {ports[name]}
state_dir = "{run / name}"
targets_file = "{targets / f"{tag}-{name}.json"}"
command = ["{{python}}", "{EXAMPLE_APP}", "--port", "{{port}}", "--version", "{{version}}",
           "--env", "{tag}-{name}"]
"""

    return (
        '[platform]\nname = "aiops"\n'
        + env("staging", 1, "recreate", 8)
        + env("production", 2, "blue-green", 8)
    )


class Traffic:
    """Steady user traffic to each environment's proxy while the test runs."""

    def __init__(self, urls: list[str], rps: float = 25) -> None:
        self.urls = urls
        self.rps = rps
        self.stop = threading.Event()
        self.codes: dict[int, int] = {}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with httpx.Client(timeout=2) as c:
            while not self.stop.is_set():
                for u in self.urls:
                    try:
                        code = c.get(
                            f"{u}/api/incidents", headers={"connection": "close"}
                        ).status_code
                    except httpx.HTTPError:
                        code = 0
                    self.codes[code] = self.codes.get(code, 0) + 1
                self.stop.wait(1 / self.rps)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)


def _wait_state(c: httpx.Client, dep_id: int, states: set[str], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d: dict[str, Any] = c.get(f"/api/v1/deployments/{dep_id}").json()
        if d["state"] in states:
            return d
        time.sleep(0.2)
    raise AssertionError(f"deployment {dep_id} did not reach {states}: {d['state']} {d['events']}")


def _breach_time(env_label: str, version: str, start: float, end: float) -> float | None:
    q = render_query(DEFAULT_QUERIES["error_rate"], env=env_label, version=version, window="5s")
    r = httpx.get(
        f"{PROMETHEUS}/api/v1/query_range",
        params={"query": q, "start": start, "end": end, "step": 0.1},
        timeout=10,
    ).json()
    for series in r["data"]["result"]:
        for t, v in series["values"]:
            if float(v) > 0.05:
                return float(t)
    return None


@pytest.fixture
def platform(tmp_path: Path, prometheus_targets: Path, hook: Hook) -> Iterator[dict[str, Any]]:
    tag = f"e2e{uuid.uuid4().hex[:8]}"
    ports = {"staging": free_port(3), "production": free_port(3)}
    run = tmp_path / "run"
    (tmp_path / "polaris.toml").write_text(_toml(ports, prometheus_targets, tag, hook.url, run))
    db_url = f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}"
    db = Database(db_url, pool_size=2)
    upgrade(db)
    add_releases(db, "2.1.0", "2.2.0")
    db.dispose()
    tokens = make_tokens(db_url)
    settings = Settings(home=tmp_path, database_url=db_url, project=tmp_path / "polaris.toml")
    try:
        with LiveServer(create_app(settings)) as server:
            yield {"url": server.url, "tokens": tokens, "ports": ports, "tag": tag}
    finally:
        for name in ports:
            teardown(run / name)
        for f in prometheus_targets.glob(f"{tag}-*.json"):
            f.unlink()


@pytest.mark.slow
def test_faulty_release_breaches_and_is_rolled_back_automatically(
    platform: dict[str, Any], hook: Hook
) -> None:
    tag, ports = platform["tag"], platform["ports"]
    headers = {"Authorization": f"Bearer {platform['tokens']['developer']}"}
    traffic = Traffic([f"http://127.0.0.1:{p}" for p in ports.values()])
    try:
        with httpx.Client(base_url=platform["url"], headers=headers, timeout=60) as c:
            # production first is refused: 2.1.0 was never healthy in staging
            r = c.post(
                "/api/v1/deployments", json={"release": "2.1.0", "environment": "production"}
            )
            assert r.status_code == 409, r.text
            assert "never healthy in staging" in r.json()["detail"]

            r = c.post("/api/v1/deployments", json={"release": "2.1.0", "environment": "staging"})
            assert r.status_code == 201, r.text
            staging1 = _wait_state(c, r.json()["id"], {"healthy", "degraded"}, 30)
            assert staging1["state"] == "healthy", staging1["samples"]
            assert (
                httpx.get(f"http://127.0.0.1:{ports['staging']}/health").json()["version"]
                == "2.1.0"
            )

            r = c.post(
                "/api/v1/deployments", json={"release": "2.1.0", "environment": "production"}
            )
            assert r.status_code == 201, r.text
            prod = _wait_state(c, r.json()["id"], {"healthy", "degraded"}, 30)
            assert prod["state"] == "healthy"
            kinds = [e["kind"] for e in prod["events"]]
            assert "analysis" in kinds and "switch" in kinds  # pre-promotion, then the switch

            started = time.time()
            r = c.post("/api/v1/deployments", json={"release": "2.2.0", "environment": "staging"})
            assert r.status_code == 201, r.text
            faulty = _wait_state(c, r.json()["id"], {"rolled_back", "healthy", "degraded"}, 40)
            assert faulty["state"] == "rolled_back", (faulty["events"], faulty["samples"])
            breach = next(e for e in faulty["events"] if e["kind"] == "breach")
            assert breach["data"]["trigger"] == "high_error_rate"
            rollback_at = datetime.fromisoformat(
                next(e for e in faulty["events"] if e["kind"] == "rollback")["at"]
            ).timestamp()

            # the rollback deployment brings 2.1.0 back and becomes healthy
            # The watcher marks the faulty deployment rolled back, then records the rollback
            # deployment: read until it is there (bounded), under load the two are apart.
            deadline = time.monotonic() + 10
            while True:
                back = c.get("/api/v1/deployments", params={"env": "staging"}).json()["items"][0]
                if back["kind"] == "rollback" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert (back["kind"], back["release"], back["rollback_of"]) == (
                "rollback",
                "2.1.0",
                faulty["id"],
            )
            back = _wait_state(c, back["id"], {"healthy", "degraded"}, 30)
            assert back["state"] == "healthy"
            assert (
                httpx.get(f"http://127.0.0.1:{ports['staging']}/health").json()["version"]
                == "2.1.0"
            )
            # notified
            assert any(
                h["event"] == "rollback" and h["from"] == "2.2.0" and h["to"] == "2.1.0"
                for h in hook.received
            ), hook.received
            # 2.2.0 is bad now: production refuses it without an override
            r = c.post(
                "/api/v1/deployments", json={"release": "2.2.0", "environment": "production"}
            )
            assert r.status_code == 409
            # the matrix
            env = c.get("/api/v1/environments").json()
            by = {e["environment"]: e for e in env["environments"]}
            assert by["staging"]["versions"]["api"] == "2.1.0"
            assert by["production"]["versions"]["rag_search"] == "1.2.0"

        breach_at = _breach_time(f"{tag}-staging", "2.2.0", started, rollback_at)
        assert breach_at is not None
        reaction = rollback_at - breach_at
        print(f"breach -> rollback start: {reaction:.2f} s (interval {INTERVAL} s)")
        assert reaction <= INTERVAL + 1.0, reaction
    finally:
        traffic.close()
    assert traffic.codes.get(500, 0) > 0  # the failure was real, seen by users
