"""``/api/v1/images`` and ``/api/v1/dependencies`` on a live server (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from tests._live import LiveApi
from tests._pg import (  # noqa: F401 - fixtures
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
)
from tests.dependencies._advisories import RECORDS
from tests.images._registry import REGISTRY, push_image, registry_url, unique_repo

from polaris.dependencies.osvdb import OsvDatabase

__all__ = ["registry_url"]


def test_tags_promote_and_retention_are_authorised_and_audited(
    api: LiveApi, registry_url: str
) -> None:
    repo = unique_repo()
    now = datetime.now(UTC)
    digest = push_image(registry_url, repo, ["abc1234"], created=now)
    old = push_image(registry_url, repo, ["feature-x"], created=now - timedelta(days=9))
    with api.client("viewer") as viewer, api.client("admin") as admin:
        r = viewer.post(
            "/api/v1/images/tags",
            json={
                "image": "a/b",
                "version": "2.1.0",
                "release": True,
                "commit": "abc1234def",
                "branch": "main",
            },
        )
        assert r.status_code == 200
        assert r.json()["tags"] == ["v2.1.0", "2.1.0", "latest", "main", "abc1234"]
        r = viewer.get("/api/v1/images/tags", params={"image": f"{REGISTRY}/{repo}"})
        assert {t["tag"]: t["digest"] for t in r.json()["tags"]} == {
            "abc1234": digest,
            "feature-x": old,
        }
        body = {
            "source": f"{REGISTRY}/{repo}:abc1234",
            "tag": "v2.1.0",
            "environment": "production",
        }
        assert viewer.post("/api/v1/images/promote", json=body).status_code == 403
        r = admin.post("/api/v1/images/promote", json=body)
        assert r.status_code == 409
        assert r.json()["type"].endswith("/check-failed")
        r = admin.post("/api/v1/images/promote", json={**body, "approved_by": "ada"})
        assert r.status_code == 200 and r.json()["digest"] == digest
        r = admin.post("/api/v1/images/retention", params={"image": f"{REGISTRY}/{repo}"})
        assert [d["digest"] for d in r.json()["delete"]] == [old]
        assert r.json()["dry_run"] is True
        r = admin.post(
            "/api/v1/images/retention", params={"image": f"{REGISTRY}/{repo}", "dry_run": "false"}
        )
        assert r.status_code == 200
        r = admin.get("/api/v1/images/tags", params={"image": f"{REGISTRY}/{repo}"})
        assert sorted(t["tag"] for t in r.json()["tags"]) == ["abc1234", "v2.1.0"]
        r = admin.get("/api/v1/images/tags", params={"image": f"{REGISTRY}/nope/{repo}"})
        assert r.status_code == 404
    engine = create_engine(api.db_url)
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT action, entity_key, actor FROM audit_log WHERE entity = 'image' ORDER BY id"
            )
        ).all()
    engine.dispose()
    assert [(a, k) for a, k, _ in rows] == [
        ("promote", f"{REGISTRY}/{repo}:v2.1.0"),
        ("retention", f"{REGISTRY}/{repo}"),
    ]


def test_dependencies_audit_endpoint_uses_the_offline_database(
    api: LiveApi, tmp_path: Path
) -> None:
    export = tmp_path / "all.zip"
    with zipfile.ZipFile(export, "w") as z:
        for r in RECORDS:
            z.writestr(f"{r['id']}.json", json.dumps(r))
    OsvDatabase(api.home / "osv.sqlite").import_export(export, now=datetime.now(UTC))
    with api.client("viewer") as viewer:
        r = viewer.post(
            "/api/v1/dependencies/audit",
            json={
                "packages": [
                    {"name": "requests", "version": "2.30.0"},
                    {"name": "lodash", "version": "4.17.21", "ecosystem": "npm"},
                ]
            },
        )
        assert r.status_code == 200
        doc = r.json()
        assert doc["ok"] is False
        assert [(f["package"], f["id"]) for f in doc["findings"]] == [("requests", "PYSEC-2023-74")]
        assert viewer.get("/api/v1/dependencies/db").json()["advisories"] == 7
        r = viewer.post("/api/v1/dependencies/audit", json={"packages": [], "fail_on": "severe"})
        assert r.status_code == 422
