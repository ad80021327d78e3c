"""Fixtures of the deployment tests: releases, a webhook receiver, free ports, Prometheus."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests._services import service_unavailable

from polaris.core.semver import Version
from polaris.platform.repo import add_release
from polaris.platform.rules import PlatformRelease, ReleasePin
from polaris.store.session import Database

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_APP = REPO / "examples" / "aiops-polaris" / "service" / "app.py"
PROMETHEUS = "http://127.0.0.1:9090"


def free_port(span: int = 1) -> int:
    """A loopback port ``p`` with ``p .. p + span - 1`` free."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + span >= 65535:
            continue
        ok = True
        for p in range(port, port + span):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no free port range")


def add_releases(db: Database, *versions: str) -> None:
    """Platform releases whose api follows the platform version, with a model and a schema."""
    with db.write() as s:
        for v in versions:
            add_release(
                s,
                PlatformRelease(
                    version=Version.parse(v),
                    created_at=datetime.now(UTC),
                    created_by="test",
                    notes="",
                    pins=(
                        ReleasePin("api", "service", Version.parse(v)),
                        ReleasePin("rag_search", "model", Version.parse("1.2.0")),
                        ReleasePin("mysql_schema", "schema", Version.parse("1.4.0")),
                    ),
                ),
            )


class Hook:
    """A webhook receiver on loopback, recording every JSON POST."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                outer.received.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A webhook receiver."""
    h = Hook()
    yield h
    h.close()


@pytest.fixture
def prometheus_targets() -> Path:
    """The directory whose ``*.json`` files the local Prometheus scrapes (file-based discovery).

    ``scripts/ensure-services`` starts Prometheus with that configuration; the tests write their
    targets there. Skips (fails under POLARIS_REQUIRE_SERVICES=1) without it.
    """
    try:
        r = httpx.get(f"{PROMETHEUS}/api/v1/status/config", timeout=3)
        r.raise_for_status()
    except httpx.HTTPError as exc:
        service_unavailable("Prometheus (scripts/ensure-services)", exc)
    yaml_text = r.json()["data"]["yaml"]
    m = re.search(r"files:\s*\n\s*-\s*(\S+)/\*\.json", yaml_text)
    if m is None:
        service_unavailable("Prometheus with file_sd targets", RuntimeError(yaml_text[:200]))
    return Path(m.group(1))
