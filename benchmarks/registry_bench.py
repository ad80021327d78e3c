"""Benchmark: the model registry of ``polaris serve`` against MLflow's, same workload, one run.

Both servers run as subprocesses on loopback with a SQLite backend (``mlflow server
--backend-store-uri sqlite:///...`` and ``polaris serve``); Polaris is also measured on the
machine's PostgreSQL when it is reachable. Both are driven over their REST APIs by the same httpx
client code, one request at a time (then 8 clients for the concurrent phase):

1. register 1 model and ``--versions`` (1,000) versions, each with tags and a description
   (MLflow: ``model-versions/create``; Polaris: ``POST .../versions`` with ``bump: patch``);
2. 500 stage changes: half the versions go to staging, then to production, each production
   promotion archiving the previous one (MLflow: ``transition-stage`` with
   ``archive_existing_versions``; Polaris: ``POST .../stage``, gate and rollback plan included);
3. 1,000 single-version reads;
4. 100 filtered searches (versions carrying one tag value out of 10: 100 matches each);
5. the 1,000 reads again from 8 concurrent clients.

Prints ops/s and p50/p99 latency per phase and the Polaris/MLflow ratios. Goals (issue 4): at
least 20x MLflow's ops/s in every phase, p99 read latency under 10 ms at concurrency 8 and a
search over 1,000 versions under 20 ms, all on SQLite.

Run: ``python benchmarks/registry_bench.py [--versions 1000] [--no-mlflow] [--no-postgres]``
(MLflow is ``pip install mlflow``; it is a bench-only dependency.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

PG_ADMIN = os.environ.get("POLARIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
MODEL = "bench-model"
GROUPS = 10
#: ``polaris serve --workers``; MLflow runs its default (4 workers). Set by ``--workers``
#: (default: ``polaris serve``'s own default, one worker per CPU but one).
WORKERS = 1


@dataclass
class Resp:
    """The part of a response the phases look at."""

    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class Client:
    """A keep-alive HTTP/1.1 client on the standard library's ``http.client``.

    Both servers are driven by this same client; it costs a fraction of httpx's per-request
    CPU, so the latencies measure the servers more than the client (client and servers share
    this machine's cores).
    """

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(
        self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None
    ) -> Resp:
        url = self.prefix + path + ("?" + urlencode(params) if params else "")
        headers = dict(self.headers)
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, url, body=body, headers=headers)
            r = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.conn.request(method, url, body=body, headers=headers)
            r = self.conn.getresponse()
        return Resp(r.status, r.read())

    def get(self, path: str, params: dict[str, Any] | None = None) -> Resp:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None) -> Resp:
        return self.request("POST", path, json_body=json)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def close(self) -> None:
        self.conn.close()


class HttpxClient(Client):
    """The same interface on httpx (``--client httpx``): what a Python SDK user would run.

    MLflow answers far slower to it than to ``http.client`` (about 40 ms per request: a
    delayed-ACK/Nagle interplay on small split writes), which is where the issue's MLflow figures
    come from; Polaris is barely affected. Both clients are kept to show both.
    """

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.http = httpx.Client(base_url=base, headers=headers or {}, timeout=60)

    def request(
        self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None
    ) -> Resp:
        r = self.http.request(method, path, json=json_body, params=params)
        return Resp(r.status_code, r.content)

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def close(self) -> None:
        self.http.close()


CLIENTS: dict[str, type[Client]] = {"stdlib": Client, "httpx": HttpxClient}
CLIENT: type[Client] = Client


@dataclass
class Phase:
    """Latencies of one phase."""

    name: str
    ops: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready: {url}")


def timed(phase: Phase, fn: Callable[[], Resp]) -> Resp:
    start = time.perf_counter()
    resp = fn()
    phase.latencies.append(time.perf_counter() - start)
    if resp.status_code >= 400:
        raise RuntimeError(f"{phase.name}: HTTP {resp.status_code}: {resp.text[:300]}")
    return resp


def run_phase(name: str, count: int, op: Callable[[int], Callable[[], Resp]]) -> Phase:
    phase = Phase(name)
    start = time.perf_counter()
    for i in range(count):
        timed(phase, op(i))
    phase.seconds = time.perf_counter() - start
    phase.ops = count
    return phase


def run_concurrent(
    name: str,
    count: int,
    clients: int,
    make: Callable[[], Client],
    op: Callable[[Client, int], Resp],
) -> Phase:
    phase = Phase(name)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    errors: list[BaseException] = []

    def worker(k: int) -> None:
        local: list[float] = []
        try:
            with make() as c:
                barrier.wait()
                for i in range(k, count, clients):
                    t = time.perf_counter()
                    r = op(c, i)
                    local.append(time.perf_counter() - t)
                    if r.status_code >= 400:
                        raise RuntimeError(f"{name}: HTTP {r.status_code}: {r.text[:200]}")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        with lock:
            phase.latencies += local

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    phase.seconds = time.perf_counter() - start
    phase.ops = count
    return phase


# -- MLflow -----------------------------------------------------------------------------------


def bench_mlflow(n: int, workdir: Path) -> list[Phase]:
    exe = shutil.which("mlflow") or str(Path(sys.executable).with_name("mlflow"))
    port = free_port()
    db = workdir / "mlflow.db"
    proc = subprocess.Popen(
        [
            exe,
            "server",
            "--backend-store-uri",
            f"sqlite:///{db}",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--default-artifact-root",
            str(workdir / "mlruns"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + "/health", proc)
        api = ""
        c = CLIENT(base + "/api/2.0/mlflow")
        assert c.post("/registered-models/create", json={"name": MODEL}).status_code == 200
        phases = [
            run_phase(
                "register",
                n,
                lambda i: (
                    lambda: c.post(
                        f"{api}/model-versions/create",
                        json={
                            "name": MODEL,
                            "source": f"s3://bench/{i}",
                            "description": f"version {i}",
                            "tags": [
                                {"key": "group", "value": f"g{i % GROUPS}"},
                                {"key": "team", "value": "search"},
                            ],
                        },
                    )
                ),
            ),
        ]
        half = n // 4

        def stage(i: int) -> Callable[[], Resp]:
            version = str(i // 2 + 1)
            target = "Staging" if i % 2 == 0 else "Production"
            return lambda: c.post(
                f"{api}/model-versions/transition-stage",
                json={
                    "name": MODEL,
                    "version": version,
                    "stage": target,
                    "archive_existing_versions": target == "Production",
                },
            )

        phases.append(run_phase("stage changes", half * 2, stage))
        phases.append(
            run_phase(
                "reads",
                n,
                lambda i: (
                    lambda: c.get(
                        f"{api}/model-versions/get",
                        params={"name": MODEL, "version": str(i % n + 1)},
                    )
                ),
            )
        )
        phases.append(
            run_phase(
                "searches",
                100,
                lambda i: (
                    lambda: c.get(
                        f"{api}/model-versions/search",
                        params={
                            "filter": f"name='{MODEL}' and tags.group='g{i % GROUPS}'",
                            "max_results": 100,
                        },
                    )
                ),
            )
        )
        phases.append(
            run_concurrent(
                "reads x8",
                n,
                8,
                lambda: CLIENT(base + "/api/2.0/mlflow"),
                lambda cl, i: cl.get(
                    f"{api}/model-versions/get", params={"name": MODEL, "version": str(i % n + 1)}
                ),
            )
        )
        c.close()
        return phases
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- Polaris ----------------------------------------------------------------------------------


def bench_polaris(n: int, workdir: Path, database_url: str | None) -> list[Phase]:
    from polaris.core.actors import Actor, Role
    from polaris.settings import Settings
    from polaris.wiring import build_services

    env = {**os.environ, "POLARIS_HOME": str(workdir)}
    if database_url:
        env["POLARIS_DATABASE_URL"] = database_url
    settings = Settings(home=workdir, database_url=database_url)
    services = build_services(settings, migrate=True)
    token, _ = services.tokens.create("bench", "admin", actor=Actor("bench", Role.ADMIN))
    services.close()
    port = free_port()
    code = "import typer; from polaris.server import serve; typer.run(serve)"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(WORKERS),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        wait_ready(base + "/ready", proc)
        api = ""
        c = CLIENT(base + "/api/v1", headers)
        phases = [
            run_phase(
                "register",
                n,
                lambda i: (
                    lambda: c.post(
                        f"{api}/models/{MODEL}/versions",
                        json={
                            "bump": "patch",
                            "model_path": f"s3://bench/{i}",
                            "description": f"version {i}",
                            "tags": [f"group-g{i % GROUPS}", "team-search"],
                            "metrics": {"accuracy": 0.9},
                        },
                    )
                ),
            ),
        ]
        half = n // 4

        def stage(i: int) -> Callable[[], Resp]:
            version = f"0.0.{i // 2 + 1}"
            if i % 2 == 0:
                body: dict[str, Any] = {"stage": "staging", "criteria": ["accuracy>=0.85"]}
            else:
                body = {"stage": "production", "reason": "bench"}
                if i > 1:
                    body["rollback_to"] = f"0.0.{i // 2}"
            return lambda: c.post(f"{api}/models/{MODEL}/versions/{version}/stage", json=body)

        phases.append(run_phase("stage changes", half * 2, stage))
        phases.append(
            run_phase(
                "reads",
                n,
                lambda i: lambda: c.get(f"{api}/models/{MODEL}/versions/0.0.{i % n + 1}"),
            )
        )
        phases.append(
            run_phase(
                "searches",
                100,
                lambda i: (
                    lambda: c.get(
                        f"{api}/models/{MODEL}/versions",
                        params={"tag": f"group-g{i % GROUPS}", "limit": 100},
                    )
                ),
            )
        )
        phases.append(
            run_concurrent(
                "reads x8",
                n,
                8,
                lambda: CLIENT(base + "/api/v1", headers),
                lambda cl, i: cl.get(f"{api}/models/{MODEL}/versions/0.0.{i % n + 1}"),
            )
        )
        found = c.get(f"{api}/models/{MODEL}/versions", params={"tag": "group-g3", "limit": 500})
        assert len(found.json()["items"]) == n // GROUPS, found.text[:200]
        c.close()
        return phases
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def pg_database() -> tuple[str, Callable[[], None]] | None:
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception:
        return None
    name = f"polaris_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"'.encode())
    admin.close()
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as again:
            again.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())

    return url, drop


def report(results: dict[str, list[Phase]]) -> dict[str, Any]:
    names = [p.name for p in next(iter(results.values()))]
    out: dict[str, Any] = {}
    header = f"{'phase':<14}" + "".join(f"{k:>36}" for k in results)
    if "mlflow" in results:
        header += "".join(f"{'x ' + k:>18}" for k in results if k != "mlflow")
    print(header)
    print(" " * 14 + "".join(f"{'ops/s   p50 ms   p99 ms':>36}" for _ in results))
    for idx, name in enumerate(names):
        line = f"{name:<14}"
        row: dict[str, Any] = {}
        for system, phases in results.items():
            p = phases[idx]
            line += f"{p.rate:>16.1f}{p.pct(0.5):>10.2f}{p.pct(0.99):>10.2f}"
            row[system] = {
                "ops_per_s": round(p.rate, 1),
                "p50_ms": round(p.pct(0.5), 2),
                "p99_ms": round(p.pct(0.99), 2),
            }
        if "mlflow" in results:
            for system, phases in results.items():
                if system == "mlflow":
                    continue
                ratio = phases[idx].rate / results["mlflow"][idx].rate
                line += f"{ratio:>17.1f}x"
                row[f"ratio_{system}"] = round(ratio, 1)
        out[name] = row
        print(line)
    out["goals"] = goals(results)
    return out


def goals(results: dict[str, list[Phase]]) -> dict[str, Any]:
    """Issue 4's goals for each Polaris run: printed as met/missed and returned for ``--json``."""
    verdicts: dict[str, Any] = {}
    for system, phases in results.items():
        if system == "mlflow":
            continue
        by_name = {p.name: p for p in phases}
        checks = {
            "reads x8 p99 < 10 ms": by_name["reads x8"].pct(0.99) < 10,
            "search p99 < 20 ms": by_name["searches"].pct(0.99) < 20,
        }
        if "mlflow" in results:
            worst = min(
                p.rate / m.rate for p, m in zip(phases, results["mlflow"], strict=True) if m.rate
            )
            checks[f"20x MLflow in every phase (lowest {worst:.1f}x)"] = worst >= 20
        verdicts[system] = checks
        for text, met in checks.items():
            print(f"goal {system}: {text}: {'met' if met else 'MISSED'}")
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--no-mlflow", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--workers", type=int, default=None, help="polaris serve --workers (default: its default)"
    )
    parser.add_argument("--client", choices=sorted(CLIENTS), default="stdlib")
    args = parser.parse_args()
    global WORKERS, CLIENT  # noqa: PLW0603 - module settings read by the phases
    from polaris.server import default_workers

    WORKERS = args.workers or default_workers()
    CLIENT = CLIENTS[args.client]
    results: dict[str, list[Phase]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.no_mlflow:
            (root / "mlflow").mkdir()
            results["mlflow"] = bench_mlflow(args.versions, root / "mlflow")
        (root / "polaris").mkdir()
        results["polaris-sqlite"] = bench_polaris(args.versions, root / "polaris", None)
        pg = None if args.no_postgres else pg_database()
        if pg is not None:
            url, drop = pg
            try:
                (root / "polaris-pg").mkdir()
                results["polaris-postgresql"] = bench_polaris(
                    args.versions, root / "polaris-pg", url
                )
            finally:
                drop()
    print(f"client: {args.client}; polaris serve --workers {WORKERS}; mlflow server defaults")
    print(
        f"workload: 1 model, {args.versions} versions, {args.versions // 2} stage changes, "
        f"{args.versions} reads, 100 searches, {args.versions} reads from 8 clients"
    )
    figures = report(results)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
