"""The hot routes' fast paths over real HTTP: warm-up, frozen startup heap, auth, same answers."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests._pg import (  # noqa: F401 - fixtures
    LiveServer,
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
)

from polaris.access.service import TokenService
from polaris.app import create_app
from polaris.core.actors import Actor, Role
from polaris.settings import Settings
from polaris.store.session import Database

ROOT = Actor("root", Role.ADMIN)


@pytest.fixture
def served(migrated_db_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:  # noqa: F811
    db = Database(migrated_db_url, pool_size=1)
    svc = TokenService(db)
    tokens = {r: svc.create(f"{r}-user", r, actor=ROOT)[0] for r in ("viewer", "developer")}
    db.dispose()
    settings = Settings(home=tmp_path, database_url=migrated_db_url, db_pool_size=4)
    with LiveServer(create_app(settings)) as server:
        yield server.url, tokens


def test_warm_up_freezes_the_heap_and_is_not_counted(
    migrated_db_url: str,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    # The freeze count is process-wide: an earlier live server in this worker may have frozen
    # the heap already, so start from an unfrozen heap and see this server's warm-up freeze it.
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    settings = Settings(home=tmp_path, database_url=migrated_db_url, db_pool_size=2)
    app = create_app(settings)
    assert gc.get_freeze_count() == 0  # building the app does not freeze; the warm-up does
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as c:
        assert gc.get_freeze_count() > 0
        metrics = c.get("/metrics").text
    assert "polaris-warm-up" not in metrics
    assert 'route="unmatched"' not in metrics


def test_hot_reads_answer_with_auth_and_problems(served: tuple[str, dict[str, str]]) -> None:
    url, tokens = served
    dev = {"Authorization": f"Bearer {tokens['developer']}"}
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    with httpx.Client(base_url=url, timeout=30) as c:
        for i in range(3):
            body = {"bump": "patch", "model_path": f"s3://m/{i}", "tags": [f"g{i % 2}"]}
            r = c.post("/api/v1/models/rag/versions", json=body, headers=dev)
            assert r.status_code == 201, r.text
        one = c.get("/api/v1/models/rag/versions/0.0.2", headers=viewer)
        assert one.status_code == 200
        assert one.headers["content-type"] == "application/json"
        assert one.json()["version"] == "0.0.2"
        assert one.json()["tags"] == ["g1"]
        page = c.get("/api/v1/models/rag/versions", params={"tag": "g0"}, headers=viewer).json()
        assert [v["version"] for v in page["items"]] == ["0.0.3", "0.0.1"]
        assert page["next_cursor"] is None
        found = c.get("/api/v1/model-versions", params={"name": "rag", "limit": 1}, headers=viewer)
        assert found.json()["next_cursor"] is not None

        missing = c.get("/api/v1/models/rag/versions/9.9.9", headers=viewer)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert c.get("/api/v1/models/rag/versions/1.x", headers=viewer).status_code == 422
        anonymous = c.get("/api/v1/models/rag/versions/0.0.2")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        basic = c.get("/api/v1/models/rag/versions", headers={"Authorization": "Basic eDp5"})
        assert basic.status_code == 401
        assert "Bearer <token>" in basic.json()["detail"]
        denied = c.post(
            "/api/v1/models/rag/versions",
            json={"bump": "patch", "model_path": "s3://x"},
            headers=viewer,
        )
        assert denied.status_code == 403
        spec = c.get("/api/v1/openapi.json").json()
        assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        get_op = spec["paths"]["/api/v1/models/{name}/versions/{version}"]["get"]
        assert get_op["security"] == [{"bearer": []}]
