"""``/api/v1/configs`` over real HTTP (uvicorn on loopback), SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from tests._live import LiveApi, api  # noqa: F401 - fixture
from tests._pg import _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401
from tests.configs.conftest import EXAMPLE

PROBLEM = "application/problem+json"
BASE = "/api/v1/configs"


def documents(pool: int = 20) -> list[dict[str, str]]:
    out = []
    for env in ("development", "staging", "production"):
        text = (EXAMPLE / "config" / "version-2.1.0" / f"{env}.yml").read_text()
        if env == "production":
            text = text.replace("connection_pool_size: 20", f"connection_pool_size: {pool}")
        out.append(
            {
                "environment": env,
                "platform_version": "2.1.0",
                "source": f"version-2.1.0/{env}.yml",
                "format": "yaml",
                "text": text,
            }
        )
    return out


def test_snapshot_promote_rollback_drift_and_diff(api: LiveApi) -> None:  # noqa: F811
    with api.client("developer") as dev, api.client("viewer") as viewer, api.client() as admin:
        _walk(dev, viewer, admin)


def _walk(dev: httpx.Client, viewer: httpx.Client, admin: httpx.Client) -> None:
    body = {"documents": documents(), "message": "2.1.0"}
    r = dev.post(f"{BASE}/snapshots", params={"dry_run": "true"}, json=body)
    assert r.status_code == 200
    assert [i["written"] for i in r.json()["items"]] == [False] * 3
    assert viewer.get(f"{BASE}/versions").json()["items"] == []

    r = viewer.post(f"{BASE}/snapshots", json=body)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith(PROBLEM)
    r = dev.post(f"{BASE}/snapshots", json=body)
    assert r.status_code == 201
    v1 = {i["environment"]: i["hash"] for i in r.json()["items"]}
    assert all(i["created"] for i in r.json()["items"])
    r = dev.post(f"{BASE}/snapshots", json=body)
    assert [i["created"] for i in r.json()["items"]] == [False] * 3

    r = viewer.get(f"{BASE}/versions/{v1['production']}")
    assert r.json()["content"]["database"]["neo4j"]["password"] == "${NEO4J_PASSWORD}"  # noqa: S105

    assert dev.post(f"{BASE}/environments/staging/promote", json={}).status_code == 403
    assert admin.post(f"{BASE}/environments/staging/promote", json={}).status_code == 200
    r = admin.post(
        f"{BASE}/environments/production/promote",
        json={"from_environment": "staging"},
        params={"dry_run": "true"},
    )
    assert r.status_code == 200
    assert r.json()["written"] is False
    r = admin.post(
        f"{BASE}/environments/production/promote",
        json={"from_environment": "staging", "reason": "release 2.1.0"},
    )
    assert r.json()["hash"] == v1["production"]
    r = admin.post(f"{BASE}/environments/production/promote", json={"from_environment": "staging"})
    assert r.status_code == 409

    r = dev.post(f"{BASE}/snapshots", json={"documents": documents(pool=30)})
    v2 = next(i["hash"] for i in r.json()["items"] if i["created"])
    admin.post(f"{BASE}/environments/production/promote", json={"from_environment": "staging"})
    r = viewer.get(f"{BASE}/diff", params={"a": v1["production"], "b": v2})
    assert r.json()["bump"] == "patch"
    assert [c["text"] for c in r.json()["changes"]] == [
        "database.mysql.connection_pool_size: 20 -> 30"
    ]

    r = admin.post(f"{BASE}/environments/production/rollback", json={"to": v1["production"]})
    assert (r.json()["hash"], r.json()["previous"]) == (v1["production"], v2)
    r = viewer.get(f"{BASE}/environments")
    assert {i["environment"]: i["hash"] for i in r.json()["items"]} == {
        "staging": v1["staging"],
        "production": v1["production"],
    }
    r = viewer.get(f"{BASE}/environments/production/history")
    assert [i["action"] for i in r.json()["items"]] == ["rollback", "promote", "promote"]
    r = viewer.get(f"{BASE}/environments/production/drift", params={"reported": v2})
    assert r.json()["drifted"] is True
    r = viewer.get(f"{BASE}/environments/production/drift", params={"reported": v1["production"]})
    assert r.json()["drifted"] is False


def test_bad_input_is_a_problem_never_a_500(api: LiveApi) -> None:  # noqa: F811
    with api.client("developer") as dev, api.client() as admin, api.client(None) as anon:
        _bad(dev, admin, anon)


def _bad(dev: httpx.Client, admin: httpx.Client, anon: httpx.Client) -> None:
    bad = {
        "documents": [
            {
                "environment": "production",
                "platform_version": "2.1.0",
                "source": "p.yml",
                "text": "a: 1\nb: [1\n",
            }
        ]
    }
    r = dev.post(f"{BASE}/snapshots", json=bad)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["detail"].startswith("p.yml:3: invalid YAML")
    bad["documents"][0]["text"] = "a: 1\na: 2\n"
    r = dev.post(f"{BASE}/snapshots", json=bad)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("p.yml:2: invalid YAML: duplicate key 'a'")
    bad["documents"][0]["environment"] = "Prod!"
    assert dev.post(f"{BASE}/snapshots", json=bad).status_code == 422
    assert dev.post(f"{BASE}/snapshots", json={"documents": []}).status_code == 422
    r = admin.post(f"{BASE}/environments/production/rollback", json={"to": "zzzzzzzz"})
    assert r.status_code == 422
    r = admin.post(f"{BASE}/environments/production/rollback", json={"to": "abcdef"})
    assert r.status_code == 404
    assert anon.post(f"{BASE}/snapshots", json=bad).status_code == 401
