"""``/api/v1/deployments`` and ``/api/v1/environments`` over a live server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests._live import make_tokens
from tests._pg import (  # noqa: F401 - fixtures
    LiveServer,
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
    pg_schema_url,
)
from tests.deployments.conftest import add_releases

from polaris.app import create_app
from polaris.settings import Settings
from polaris.store.session import Database


@pytest.fixture
def server(migrated_db_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:  # noqa: F811
    (tmp_path / "polaris.toml").write_text(
        f"""[platform]
name = "p"
[environments.staging]
order = 1
deployer = "command"
deployer_options = {{ command = ["{sys.executable}", "-c", "pass"] }}
[environments.production]
order = 2
deployer = "command"
deploy_role = "approver"
deployer_options = {{ command = ["{sys.executable}", "-c", "pass"] }}
"""
    )
    db = Database(migrated_db_url, pool_size=1)
    add_releases(db, "2.1.0", "2.2.0")
    db.dispose()
    tokens = make_tokens(migrated_db_url)
    settings = Settings(
        home=tmp_path, database_url=migrated_db_url, project=tmp_path, db_pool_size=5
    )
    with LiveServer(create_app(settings)) as live:
        yield {"url": live.url, "tokens": tokens}


def client(server: dict[str, Any], role: str | None) -> httpx.Client:
    headers = {} if role is None else {"Authorization": f"Bearer {server['tokens'][role]}"}
    return httpx.Client(base_url=server["url"], headers=headers, timeout=30)


def test_deploy_show_list_and_matrix(server: dict[str, Any]) -> None:
    with client(server, "developer") as c:
        dry = c.post(
            "/api/v1/deployments?dry_run=true", json={"release": "2.1.0", "environment": "staging"}
        )
        assert dry.status_code == 200 and dry.json()["dry_run"] is True
        assert c.get("/api/v1/deployments").json()["items"] == []
        r = c.post("/api/v1/deployments", json={"release": "2.1.0", "environment": "staging"})
        assert r.status_code == 201, r.text
        dep = r.json()
        shown = c.get(f"/api/v1/deployments/{dep['id']}").json()
        assert shown["state"] == "analysing" and shown["events"][0]["state"] == "pending"
        busy = c.post("/api/v1/deployments", json={"release": "2.2.0", "environment": "staging"})
        assert busy.status_code == 409
        assert "started by developer-user" in busy.json()["detail"]
        matrix = c.get("/api/v1/environments").json()
        assert [e["environment"] for e in matrix["environments"]] == ["staging", "production"]
        ran = c.get("/api/v1/environments/staging/at", params={"time": "2099-01-01T00:00:00Z"})
        assert ran.json()["release"] == "2.1.0"
        rb = c.post("/api/v1/environments/staging/rollback?dry_run=true", json={"to": "2.2.0"})
        assert rb.status_code == 200 and rb.json()["to"] == "2.2.0"


def test_errors_are_problems_never_500(server: dict[str, Any]) -> None:
    with client(server, None) as anon:
        r = anon.post("/api/v1/deployments", json={"release": "2.1.0", "environment": "staging"})
        assert r.status_code == 401
    with client(server, "viewer") as viewer:
        r = viewer.post("/api/v1/deployments", json={"release": "2.1.0", "environment": "staging"})
        assert r.status_code == 403
    with client(server, "developer") as c:
        r = c.post("/api/v1/deployments", json={"release": "2.1.0", "environment": "qa"})
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "unknown environment 'qa'" in r.json()["detail"]
        r = c.post("/api/v1/deployments", json={"release": "x", "environment": "staging"})
        assert r.status_code == 422
        r = c.post(
            "/api/v1/deployments",
            json={
                "release": "2.1.0",
                "environment": "production",
                "override_reason": "skip staging",
            },
        )
        assert r.status_code == 403  # production needs the approver role
        assert c.get("/api/v1/deployments/999").status_code == 404
        r = c.get("/api/v1/environments/staging/at", params={"time": "soon"})
        assert r.status_code == 422
        r = c.post("/api/v1/environments/staging/rollback", json={"trigger": "boredom"})
        assert r.status_code in (404, 422)
