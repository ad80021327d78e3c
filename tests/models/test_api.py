"""The HTTP API over real HTTP (uvicorn on a loopback port) against SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import logging
import tarfile
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests._live import LiveApi, make_tokens
from tests._pg import (  # noqa: F401 - fixtures
    LiveServer,
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
)

from polaris.app import create_app
from polaris.settings import Settings

PROBLEM = "application/problem+json"


def upload(c: httpx.Client, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = c.put(f"/api/v1/blobs/{sha}", content=data)
    assert r.status_code == 201, r.text
    assert r.json() == {"sha256": sha, "size": len(data)}
    return sha


def register(c: httpx.Client, name: str, body: dict[str, Any]) -> httpx.Response:
    return c.post(f"/api/v1/models/{name}/versions", json=body)


def test_probes_metrics_and_openapi(api: LiveApi) -> None:
    with api.client(None) as c:
        assert c.get("/health").json() == {"status": "ok"}
        ready = c.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
        spec = c.get("/api/v1/openapi.json").json()
        assert "/api/v1/models/{name}/versions" in spec["paths"]
        assert c.get("/api/v1/models").status_code == 401
        metrics = c.get("/metrics").text
        assert "polaris_http_requests_total" in metrics
        assert 'route="/health"' in metrics
        assert 'route="/api/v1/models",status="401"' in metrics


def test_ready_is_503_until_the_schema_is_migrated(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, auto_migrate=False)
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url) as c:
        assert c.get("/health").status_code == 200
        r = c.get("/ready")
        assert r.status_code == 503
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["hint"] == "run: polaris store upgrade"


def test_auth_is_required_and_roles_are_enforced(api: LiveApi) -> None:
    body = {"version": "1.0.0", "model_path": "s3://m"}
    with api.client(None) as anon:
        r = register(anon, "ner", body)
        assert r.status_code == 401
        assert r.headers["content-type"] == PROBLEM
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["type"].endswith("/authentication-required")
        assert anon.get("/api/v1/models").status_code == 401  # reads need a token too
        bad = anon.get("/api/v1/models", headers={"Authorization": "Basic abc"})
        assert bad.status_code == 401
        wrong = anon.get("/api/v1/models", headers={"Authorization": "Bearer pol_nope"})
        assert wrong.json()["detail"] == "the API token is unknown or revoked"
    with api.client("viewer") as viewer:
        assert viewer.get("/api/v1/models").json() == {"items": []}
        r = register(viewer, "ner", body)
        assert r.status_code == 403
        assert r.json()["type"].endswith("/permission-denied")
        assert "needs the developer role; this token has viewer" in r.json()["detail"]
        assert viewer.get("/api/v1/tokens").status_code == 403
    with api.client("developer") as dev:
        assert register(dev, "ner", body).status_code == 201
    with api.client("admin") as admin:
        assert admin.get("/api/v1/whoami").json() == {"name": "admin-user", "role": "admin"}
        assert len(admin.get("/api/v1/tokens").json()["items"]) == 4


def test_model_lifecycle_over_http(api: LiveApi) -> None:
    dev, boss = api.client("developer"), api.client("approver")
    data = b"weights-1" * 100
    sha = upload(dev, data)
    assert upload(dev, data) == sha  # idempotent
    body = {
        "version": "1.0.0",
        "files": {"model.pkl": sha},
        "metrics": {"accuracy": 0.93},
        "tags": ["rag"],
        "dependencies": ["torch==2.4.1"],
        "training_data_hash": "d1",
    }
    r = register(dev, "rag-search", body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["stage"] == "development"
    assert created["created_by"] == "developer-user"

    dup = register(dev, "rag-search", body)
    assert dup.status_code == 409
    assert dup.json()["type"] == "https://polaris.dev/problems/conflict"
    assert dup.json()["status"] == 409

    stage = "/api/v1/models/rag-search/versions/1.0.0/stage"
    gate = dev.post(stage, json={"stage": "staging", "criteria": ["accuracy>=0.95"]})
    assert gate.status_code == 409
    problem = gate.json()
    assert problem["type"].endswith("/promotion-gate-failed")
    assert "accuracy is 0.93, needs >= 0.95 (short by 0.02)" in problem["detail"]
    assert problem["gate_results"][0]["shortfall"] == pytest.approx(0.02)

    ok = dev.post(stage, json={"stage": "staging", "criteria": ["accuracy>=0.92"]})
    assert ok.status_code == 200
    assert ok.json()["changes"][0]["gate_results"][0]["passed"] is True
    assert (
        dev.patch("/api/v1/models/rag-search/versions/1.0.0", json={"description": "x"}).status_code
        == 409
    )
    assert dev.post(stage, json={"stage": "production"}).status_code == 403
    prod = boss.post(stage, json={"stage": "production", "reason": "launch"})
    assert prod.status_code == 200
    assert prod.json()["changes"][-1]["approved_by"] == "approver-user"

    got = dev.get("/api/v1/models/rag-search/versions/1.0.0/files/model.pkl")
    assert got.content == data
    assert got.headers["x-polaris-sha256"] == sha

    exported = dev.get("/api/v1/models/rag-search/versions/1.0.0/export")
    assert exported.headers["content-type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(exported.content), mode="r:gz") as tar:
        assert "rag-search-1.0.0/MODEL_CARD.md" in tar.getnames()

    body2 = {
        "bump": "minor",
        "files": {"model.pkl": sha},
        "parent_version": "1.0.0",
        "training_data_hash": "d2",
        "metrics": {"accuracy": 0.95},
    }
    assert register(dev, "rag-search", body2).json()["version"] == "1.1.0"
    lineage = dev.get("/api/v1/models/rag-search/versions/1.1.0/lineage").json()["items"]
    assert [(v["version"], v["training_data_hash"]) for v in lineage] == [
        ("1.1.0", "d2"),
        ("1.0.0", "d1"),
    ]

    dev.post(
        "/api/v1/models/rag-search/versions/1.1.0/stage",
        json={"stage": "staging", "validation": {"e2e": "ok"}},
    )
    no_plan = boss.post(
        "/api/v1/models/rag-search/versions/1.1.0/stage", json={"stage": "production"}
    )
    assert no_plan.status_code == 409
    assert no_plan.json()["field"] == "rollback_to"
    assert (
        boss.post(
            "/api/v1/models/rag-search/versions/1.1.0/stage",
            json={"stage": "production", "rollback_to": "1.0.0"},
        ).status_code
        == 200
    )
    summary = dev.get("/api/v1/models/rag-search").json()
    assert summary["stages"] == {"production": "1.1.0", "archived": "1.0.0"}
    history = dev.get("/api/v1/models/rag-search/history").json()["items"]
    first_prod = next(h for h in history if h["to_stage"] == "production")
    at = dev.get("/api/v1/models/rag-search/production", params={"at": first_prod["at"]}).json()
    assert at["version"] == "1.0.0"
    assert dev.get("/api/v1/models/rag-search/production").json()["version"] == "1.1.0"
    dev.close()
    boss.close()


def test_pagination_and_filters(api: LiveApi) -> None:
    with api.client("developer") as dev:
        for i in range(7):
            body = {
                "version": f"1.{i}.0",
                "model_path": "s3://m",
                "tags": ["even" if i % 2 == 0 else "odd"],
                "metrics": {"accuracy": 0.9 + i / 100},
            }
            assert register(dev, "ner", body).status_code == 201
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = dev.get("/api/v1/models/ner/versions", params=params).json()
            seen += [v["version"] for v in page["items"]]
            cursor = page["next_cursor"]
            pages += 1
            if cursor is None:
                break
        assert pages == 3
        assert seen == [f"1.{i}.0" for i in reversed(range(7))]
        odd = dev.get("/api/v1/model-versions", params={"name": "ner", "tag": "odd"}).json()[
            "items"
        ]
        assert [v["version"] for v in odd] == ["1.5.0", "1.3.0", "1.1.0"]
        good = dev.get(
            "/api/v1/model-versions",
            params=[("metric", "accuracy>=0.94"), ("metric", "accuracy<0.96")],
        ).json()["items"]
        assert [v["version"] for v in good] == ["1.5.0", "1.4.0"]
        assert (
            dev.get("/api/v1/model-versions", params={"stage": "production"}).json()["items"] == []
        )
        bad = dev.get("/api/v1/model-versions", params={"cursor": "garbage!"})
        assert bad.status_code == 422
        assert bad.json()["field"] == "cursor"
        assert dev.get("/api/v1/model-versions", params={"metric": "acc=>1"}).status_code == 422
        assert dev.get("/api/v1/models/ner/versions/9.9.9").status_code == 404


def test_eight_concurrent_clients_bump_distinct_versions(api: LiveApi) -> None:
    versions: list[str] = []
    failures: list[str] = []
    barrier = threading.Barrier(8)

    def client() -> None:
        with api.client("developer") as c:
            barrier.wait()
            for _ in range(3):
                r = register(c, "busy", {"bump": "patch", "model_path": "s3://m"})
                if r.status_code == 201:
                    versions.append(r.json()["version"])
                else:
                    failures.append(r.text)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(versions, key=lambda v: int(v.rsplit(".", 1)[1])) == [
        f"0.0.{i}" for i in range(1, 25)
    ]


def test_unsafe_names_bad_uploads_and_corruption(api: LiveApi) -> None:
    with api.client("developer") as dev:
        sha = upload(dev, b"abc")
        for name in ("../x.pkl", "/etc/x", "a\\b", "a\x00b"):
            r = register(dev, "ner", {"version": "1.0.0", "files": {name: sha}})
            assert r.status_code == 422, name
            assert r.json()["type"].endswith("/invalid-input")
        wrong = dev.put(f"/api/v1/blobs/{'0' * 64}", content=b"not that")
        assert wrong.status_code == 422
        assert "hash to" in wrong.json()["detail"]
        assert (
            register(dev, "ner", {"version": "1.0.0", "files": {"m.pkl": sha}}).status_code == 201
        )
        blob = api.home / "artifacts" / "sha256" / sha[:2] / sha
        blob.write_bytes(b"abd")
        r = dev.get("/api/v1/models/ner/versions/1.0.0/files/m.pkl")
        assert r.status_code == 500
        assert r.json()["type"].endswith("/artifact-corrupted")


def test_tokens_never_reach_the_logs(
    migrated_db_url: str,  # noqa: F811 - fixture
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tokens = make_tokens(migrated_db_url)
    settings = Settings(home=tmp_path, database_url=migrated_db_url)
    server = LiveServer(create_app(settings))
    server.server.config.access_log = True
    caplog.set_level(logging.DEBUG)
    with server, httpx.Client(base_url=server.url) as c:
        for token in (*tokens.values(), "pol_wrong-token-value"):
            c.get("/api/v1/models", headers={"Authorization": f"Bearer {token}"})
            c.post(
                "/api/v1/models/x/versions", json={}, headers={"Authorization": f"Bearer {token}"}
            )
        created = c.post(
            "/api/v1/tokens",
            json={"name": "new", "role": "viewer"},
            headers={"Authorization": f"Bearer {tokens['admin']}"},
        ).json()
    assert caplog.records, "expected access log records"
    for secret in (*tokens.values(), "pol_wrong-token-value", created["token"]):
        assert secret not in caplog.text
