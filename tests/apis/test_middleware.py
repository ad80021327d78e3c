"""APIVersioning over real HTTP: uvicorn on loopback, httpx as the client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from polaris.apis.lifecycle import APIVersion, APIVersionState, Catalog
from polaris.apis.middleware import APIVersioning, deprecation_headers

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
S = APIVersionState

CATALOG = Catalog.of(
    [
        APIVersion("v0", S.DEPRECATED, deprecated_on=date(2025, 1, 1), retires_on=date(2025, 7, 1),
                   replacement="v3"),  # deprecated, but past its sunset: retired in effect
        APIVersion("v1", S.RETIRED, deprecated_on=date(2025, 1, 1), retires_on=date(2025, 7, 1),
                   replacement="v2", migration_guide="https://docs.example.com/v1-to-v2"),
        APIVersion("v2", S.DEPRECATED, deprecated_on=date(2026, 1, 1), retires_on=date(2026, 7, 1),
                   replacement="v3", migration_guide="https://docs.example.com/v2-to-v3",
                   sunset_link="https://docs.example.com/sunset/v2"),
        APIVersion("v3", S.ACTIVE, introduced=date(2025, 6, 1)),
        APIVersion("v4", S.DEVELOPMENT),
    ]
)  # fmt: skip


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "version": request.state.api_version,
            "source": request.state.api_version_source,
            "path": request.url.path,
        }
    )


async def _health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "has_version": hasattr(request.state, "api_version")})


def _app(**options: Any) -> Starlette:
    options.setdefault("versions", CATALOG)
    options.setdefault("clock", lambda: NOW)
    routes = [
        Route("/api/incidents", _echo),
        Route("/api/v{n}/incidents", _echo),
        Route("/health", _health),
    ]
    return Starlette(routes=routes, middleware=[Middleware(APIVersioning, **options)])


class _Server:
    """uvicorn serving an app on a free loopback port, in a thread."""

    def __init__(self, app: Starlette) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> httpx.Client:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        self.client = httpx.Client(base_url=self.url, timeout=5)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """The default app, served once for the module."""
    with _Server(_app()) as c:
        yield c


class TestSelection:
    """Path, Accept header, query parameter, default; and their precedence."""

    def test_path(self, client: httpx.Client) -> None:
        """/api/v3/... selects v3."""
        r = client.get("/api/v3/incidents")
        assert r.status_code == 200
        assert r.json() == {"version": "v3", "source": "path", "path": "/api/v3/incidents"}
        assert r.headers["api-version"] == "v3"
        assert "deprecation" not in r.headers

    def test_accept_header(self, client: httpx.Client) -> None:
        """Accept: application/json; version=3 selects v3 and varies on Accept."""
        r = client.get("/api/incidents", headers={"Accept": "application/json; version=3"})
        assert r.json()["version"] == "v3"
        assert r.json()["source"] == "header"
        assert "Accept" in r.headers["vary"]

    def test_query(self, client: httpx.Client) -> None:
        """?version=3 selects v3."""
        r = client.get("/api/incidents", params={"version": "3"})
        assert (r.json()["version"], r.json()["source"]) == ("v3", "query")

    def test_default_is_newest_active(self, client: httpx.Client) -> None:
        """No version named: the newest active one."""
        r = client.get("/api/incidents")
        assert (r.json()["version"], r.json()["source"]) == ("v3", "default")

    def test_explicit_default(self) -> None:
        """default= overrides the newest-active rule."""
        with _Server(_app(default="v2")) as c:
            assert c.get("/api/incidents").json()["version"] == "v2"

    def test_path_beats_header_beats_query(self, client: httpx.Client) -> None:
        """Precedence: path, then Accept, then query."""
        h = {"Accept": "application/json; version=2"}
        r = client.get("/api/v3/incidents", headers=h, params={"version": "2"})
        assert r.json()["source"] == "path"
        r = client.get("/api/incidents", headers={"Accept": "application/json;version=3"},
                       params={"version": "2"})  # fmt: skip
        assert (r.json()["version"], r.json()["source"]) == ("v3", "header")

    def test_outside_the_prefix_is_untouched(self, client: httpx.Client) -> None:
        """/health is not versioned."""
        r = client.get("/health")
        assert r.json() == {"ok": True, "has_version": False}
        assert "api-version" not in r.headers


class TestLifecycle:
    """What each state does to the response."""

    def test_deprecated_headers(self, client: httpx.Client) -> None:
        """Deprecation (RFC 9745), Sunset (RFC 8594) and both Links."""
        r = client.get("/api/v2/incidents")
        assert r.status_code == 200
        assert r.json()["version"] == "v2"
        assert r.headers["deprecation"] == "@1767225600"  # 2026-01-01T00:00:00Z
        assert r.headers["sunset"] == "Wed, 01 Jul 2026 00:00:00 GMT"
        links = r.headers.get_list("link")
        assert '<https://docs.example.com/v2-to-v3>; rel="deprecation"; type="text/html"' in links
        assert '<https://docs.example.com/sunset/v2>; rel="sunset"; type="text/html"' in links

    def test_deprecated_by_header_and_query(self, client: httpx.Client) -> None:
        """The headers do not depend on how the version was chosen."""
        for r in (
            client.get("/api/incidents", headers={"Accept": "application/json; version=2"}),
            client.get("/api/incidents?version=2"),
        ):
            assert r.headers["deprecation"] == "@1767225600"

    def test_retired_is_410_problem(self, client: httpx.Client) -> None:
        """A retired version answers 410 Gone with an RFC 9457 body naming the replacement."""
        r = client.get("/api/v1/incidents")
        assert r.status_code == 410
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["type"] == "urn:polaris:problem:api-version-retired"
        assert body["status"] == 410
        assert body["replacement"] == "v2"
        assert body["migration_guide"] == "https://docs.example.com/v1-to-v2"
        assert body["supported_versions"] == ["v3", "v2"]
        assert "retired on 2025-07-01; use v2" in body["detail"]
        assert body["instance"] == "/api/v1/incidents"

    def test_past_sunset_is_retired(self, client: httpx.Client) -> None:
        """A deprecated version past its sunset date is gone too."""
        r = client.get("/api/incidents", params={"version": "0"})
        assert r.status_code == 410
        assert r.json()["replacement"] == "v3"

    def test_development_is_hidden(self, client: httpx.Client) -> None:
        """A version in development is unknown to the public: 404 by path, 400 by query."""
        assert client.get("/api/v4/incidents").status_code == 404
        assert client.get("/api/incidents?version=4").status_code == 400

    def test_development_can_be_served(self) -> None:
        """serve_development=True serves it (staging)."""
        with _Server(_app(serve_development=True)) as c:
            r = c.get("/api/v4/incidents")
            assert r.status_code == 200
            assert r.json()["version"] == "v4"

    @pytest.mark.parametrize(
        ("path", "headers", "status"),
        [
            ("/api/v9/incidents", {}, 404),
            ("/api/incidents", {"Accept": "application/json; version=9"}, 400),
            ("/api/incidents?version=9", {}, 400),
            ("/api/incidents?version=latest", {}, 400),
        ],
    )
    def test_unknown(
        self, client: httpx.Client, path: str, headers: dict[str, str], status: int
    ) -> None:
        """Unknown versions list the supported ones."""
        r = client.get(path, headers=headers)
        assert r.status_code == status
        body = r.json()
        assert body["type"] == "urn:polaris:problem:api-version-unknown"
        assert body["supported_versions"] == ["v3", "v2"]


def test_lifecycle_from_a_file_is_reloaded(tmp_path: Path) -> None:
    """versions=<path> reads api-versions.yml and notices when it changes."""
    path = tmp_path / "api-versions.yml"
    path.write_text("api_compatibility_matrix:\n  v1: {status: active}\n")
    with _Server(_app(versions=path)) as c:
        assert c.get("/api/v1/incidents").status_code == 200
        path.write_text(
            "api_compatibility_matrix:\n"
            "  v1: {status: retired, deprecation_date: '2025-01-01', retirement_date: '2025-07-01',"
            " replacement: v2}\n"
            "  v2: {status: active}\n"
        )
        r = c.get("/api/v1/incidents")
        assert r.status_code == 410
        assert r.json()["replacement"] == "v2"


def test_sunset_is_never_before_deprecation() -> None:
    """Even a record with dates out of order yields Sunset >= Deprecation."""
    rec = APIVersion(
        "v1", S.DEPRECATED, deprecated_on=date(2026, 5, 1), retires_on=date(2026, 1, 1)
    )
    headers = dict(deprecation_headers(rec))
    assert headers["sunset"] == "Fri, 01 May 2026 00:00:00 GMT"
