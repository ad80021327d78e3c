"""``?dry_run=true`` on every registry write, over real HTTP, on SQLite and PostgreSQL.

Each dry run must answer what the real run then does, fail where the real run fails, and leave
the store exactly as it was: every row of every table (versions, stage history, audit log,
blobs, tokens) and every file of the artifact store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from tests._live import LiveApi, make_tokens
from tests._pg import (  # noqa: F401 - fixtures
    LiveServer,
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
)

from polaris.app import create_app
from polaris.settings import Settings
from polaris.store.tables import Base

DRY = {"dry_run": "true"}
#: Fields that only differ because the real run happens a moment after the dry run.
_CLOCK_FIELDS = {"at", "created_at", "stage_changed_at", "revoked_at", "dry_run"}


class DryRunApi(LiveApi):
    """The live server, one cached client per role, and a view of its whole store."""

    def __init__(self, url: str, tokens: dict[str, str], settings: Settings) -> None:
        super().__init__(url, tokens, settings)
        self._clients: dict[str, httpx.Client] = {}

    def client(self, role: str | None = "admin") -> httpx.Client:
        """One client per role, closed with the server."""
        key = role or ""
        if key not in self._clients:
            self._clients[key] = super().client(role)
        return self._clients[key]

    def close(self) -> None:
        for c in self._clients.values():
            c.close()

    def snapshot(self) -> dict[str, Any]:
        """Every row of every table, and every stored artifact file."""
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                rows = {
                    t.name: sorted(repr(tuple(r)) for r in conn.execute(t.select()))
                    for t in Base.metadata.sorted_tables
                }
        finally:
            engine.dispose()
        files = sorted(
            str(p.relative_to(self.artifacts)) for p in self.artifacts.rglob("*") if p.is_file()
        )
        return {"rows": rows, "files": files}


@pytest.fixture
def api(migrated_db_url: str, tmp_path: Path) -> Iterator[DryRunApi]:  # noqa: F811 - fixture
    settings = Settings(home=tmp_path, database_url=migrated_db_url, db_pool_size=10)
    with LiveServer(create_app(settings)) as server:
        handle = DryRunApi(server.url, make_tokens(migrated_db_url), settings)
        try:
            yield handle
        finally:
            handle.close()


def timeless(data: Any) -> Any:
    """``data`` without the fields a clock fills in (and without the dry-run mark)."""
    if isinstance(data, dict):
        return {k: timeless(v) for k, v in data.items() if k not in _CLOCK_FIELDS}
    if isinstance(data, list):
        return [timeless(v) for v in data]
    return data


def same_failure(dry: httpx.Response, real: httpx.Response) -> None:
    """A dry run failed exactly as the real run did."""
    assert dry.status_code == real.status_code >= 400, (dry.text, real.text)
    assert dry.json() == real.json()


def test_upload_and_register(api: DryRunApi) -> None:
    dev = api.client("developer")
    data = b"weights" * 1000
    sha = hashlib.sha256(data).hexdigest()
    empty = api.snapshot()

    # A dry-run upload verifies the bytes and stores nothing.
    up = dev.put(f"/api/v1/blobs/{sha}", content=data, params=DRY)
    assert up.status_code == 200, up.text
    assert up.json() == {"sha256": sha, "size": len(data), "dry_run": True}
    bad_dry = dev.put(f"/api/v1/blobs/{'0' * 64}", content=data, params=DRY)
    bad_real = dev.put(f"/api/v1/blobs/{'0' * 64}", content=data)
    same_failure(bad_dry, bad_real)
    assert api.snapshot() == empty

    body = {
        "version": "1.0.0",
        "files": {"model.pkl": sha},
        "metrics": {"accuracy": 0.93},
        "tags": ["rag"],
        "training_data_hash": "d1",
    }
    path = "/api/v1/models/rag/versions"
    # Unuploaded files fail a dry run as they fail the real run...
    same_failure(dev.post(path, json=body, params=DRY), dev.post(path, json=body))
    # ...unless a dry-run upload just verified them (staged), which only a dry run accepts.
    staged = {**DRY, "staged": f"{sha}:{len(data)}"}
    dry = dev.post(path, json=body, params=staged)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert dry.json()["files"] == [{"name": "model.pkl", "sha256": sha, "size": len(data)}]
    refused = dev.post(path, json=body, params={"staged": f"{sha}:{len(data)}"})
    assert refused.status_code == 422
    assert "only accepted by a dry run" in refused.json()["detail"]
    assert api.snapshot() == empty
    assert dev.get("/api/v1/models/rag/versions/1.0.0").status_code == 404

    assert dev.put(f"/api/v1/blobs/{sha}", content=data).status_code == 201
    real = dev.post(path, json=body)
    assert real.status_code == 201, real.text
    assert "dry_run" not in real.json()
    assert timeless(dry.json()) == timeless(real.json())

    # --bump: the dry run derives the version the real run then takes; a duplicate is a 409.
    after_one = api.snapshot()
    bump = {"bump": "minor", "files": {"model.pkl": sha}, "parent_version": "1.0.0"}
    dry_bump = dev.post(path, json=bump, params=DRY)
    assert dry_bump.json()["version"] == "1.1.0"
    same_failure(dev.post(path, json=body, params=DRY), dev.post(path, json=body))
    viewer = api.client("viewer")
    same_failure(viewer.post(path, json=bump, params=DRY), viewer.post(path, json=bump))
    assert api.snapshot() == after_one
    real_bump = dev.post(path, json=bump)
    assert timeless(dry_bump.json()) == timeless(real_bump.json())


def _register(c: httpx.Client, name: str, version: str, accuracy: float) -> None:
    body = {"version": version, "model_path": "s3://m", "metrics": {"accuracy": accuracy}}
    r = c.post(f"/api/v1/models/{name}/versions", json=body)
    assert r.status_code == 201, r.text


def test_promote_and_archive(api: DryRunApi) -> None:
    dev, boss = api.client("developer"), api.client("approver")
    for v in ("1.0.0", "1.1.0"):
        _register(dev, "ner", v, 0.93)
    stage = "/api/v1/models/ner/versions/{}/stage"
    for v in ("1.0.0", "1.1.0"):
        staging = {"stage": "staging", "validation": {"e2e": "ok"}}
        assert dev.post(stage.format(v), json=staging).status_code == 200
    assert boss.post(stage.format("1.0.0"), json={"stage": "production"}).status_code == 200
    before = api.snapshot()

    # A failing gate fails the dry run the same way (409, the same shortfall).
    gate = {"stage": "production", "criteria": ["accuracy>=0.95"], "rollback_to": "1.0.0"}
    same_failure(
        boss.post(stage.format("1.1.0"), json=gate, params=DRY),
        boss.post(stage.format("1.1.0"), json=gate),
    )
    # A dry run of a production promotion needs the approver role too.
    prod = {
        "stage": "production",
        "criteria": ["accuracy>=0.9"],
        "reason": "launch",
        "rollback_to": "1.0.0",
    }
    # So does a missing rollback plan.
    no_plan = {"stage": "production", "criteria": ["accuracy>=0.9"]}
    same_failure(
        boss.post(stage.format("1.1.0"), json=no_plan, params=DRY),
        boss.post(stage.format("1.1.0"), json=no_plan),
    )
    same_failure(
        dev.post(stage.format("1.1.0"), json=prod, params=DRY),
        dev.post(stage.format("1.1.0"), json=prod),
    )
    assert api.snapshot() == before

    dry = boss.post(stage.format("1.1.0"), json=prod, params=DRY)
    assert dry.status_code == 200, dry.text
    out = dry.json()
    assert out["dry_run"] is True
    # The previous production version would be archived in the same transaction.
    assert [(c["version"], c["from_stage"], c["to_stage"]) for c in out["changes"]] == [
        ("1.0.0", "production", "archived"),
        ("1.1.0", "staging", "production"),
    ]
    assert out["changes"][1]["gate_results"][0]["passed"] is True
    assert api.snapshot() == before
    history = dev.get("/api/v1/models/ner/history").json()["items"]
    assert [h["to_stage"] for h in history][-1] == "production"
    assert dev.get("/api/v1/models/ner/versions/1.0.0").json()["stage"] == "production"

    real = boss.post(stage.format("1.1.0"), json=prod)
    assert real.status_code == 200
    assert timeless(out) == timeless(real.json())
    assert len(dev.get("/api/v1/models/ner/history").json()["items"]) == len(history) + 2

    # Archive (a stage move like any other); a version already archived cannot be archived.
    _register(dev, "ner", "1.2.0", 0.8)
    before = api.snapshot()
    arch = {"stage": "archived", "reason": "old"}
    same_failure(
        dev.post(stage.format("1.0.0"), json=arch, params=DRY),
        dev.post(stage.format("1.0.0"), json=arch),
    )
    dry_arch = dev.post(stage.format("1.2.0"), json=arch, params=DRY)
    assert dry_arch.status_code == 200, dry_arch.text
    assert dry_arch.json()["version"]["stage"] == "archived"
    assert api.snapshot() == before
    real_arch = dev.post(stage.format("1.2.0"), json=arch)
    assert timeless(dry_arch.json()) == timeless(real_arch.json())


def test_update_and_delete(api: DryRunApi) -> None:
    dev = api.client("developer")
    _register(dev, "cls", "1.0.0", 0.9)
    _register(dev, "cls", "1.1.0", 0.9)
    staging = {"stage": "staging", "validation": {"e2e": "ok"}}
    assert dev.post("/api/v1/models/cls/versions/1.1.0/stage", json=staging).is_success
    url = "/api/v1/models/cls/versions/{}"
    before = api.snapshot()

    patch = {"description": "better", "tags": ["x"]}
    dry = dev.patch(url.format("1.0.0"), json=patch, params=DRY)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["description"], dry.json()["tags"]) == ("better", ["x"])
    same_failure(
        dev.patch(url.format("1.1.0"), json=patch, params=DRY),
        dev.patch(url.format("1.1.0"), json=patch),
    )
    dry_del = dev.delete(url.format("1.0.0"), params=DRY)
    assert dry_del.json() == {**dev.get(url.format("1.0.0")).json(), "dry_run": True}
    same_failure(dev.delete(url.format("1.1.0"), params=DRY), dev.delete(url.format("1.1.0")))
    same_failure(dev.delete(url.format("9.0.0"), params=DRY), dev.delete(url.format("9.0.0")))
    assert api.snapshot() == before

    assert timeless(dev.patch(url.format("1.0.0"), json=patch).json()) == timeless(dry.json())
    dry_del = dev.delete(url.format("1.0.0"), params=DRY)
    real_del = dev.delete(url.format("1.0.0"))
    assert real_del.status_code == 200
    assert timeless(dry_del.json()) == timeless(real_del.json())
    assert dev.get(url.format("1.0.0")).status_code == 404


def test_platform_release(api: DryRunApi) -> None:
    dev = api.client("developer")
    _register(dev, "ner", "1.1.0", 0.9)
    before = api.snapshot()
    body = {
        "version": "2.2.0",
        "notes": "n",
        "components": [
            {"name": "api-service", "kind": "service", "version": "2.2.0"},
            {"name": "ner", "kind": "model", "version": "1.1.0"},
        ],
    }
    missing = {**body, "components": [{"name": "ner", "kind": "model", "version": "9.9.9"}]}
    path = "/api/v1/platform/releases"
    same_failure(dev.post(path, json=missing, params=DRY), dev.post(path, json=missing))
    same_failure(
        api.client("viewer").post(path, json=body, params=DRY),
        api.client("viewer").post(path, json=body),
    )
    dry = dev.post(path, json=body, params=DRY)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert api.snapshot() == before
    assert dev.get("/api/v1/platform/releases/2.2.0").status_code == 404

    real = dev.post(path, json=body)
    assert real.status_code == 201
    assert timeless(dry.json()) == timeless(real.json())
    # Now the version exists: both runs refuse it the same way.
    same_failure(dev.post(path, json=body, params=DRY), dev.post(path, json=body))


def test_token_create_and_revoke(api: DryRunApi) -> None:
    admin = api.client("admin")
    before = api.snapshot()
    dry = admin.post("/api/v1/tokens", json={"name": "ci", "role": "developer"}, params=DRY)
    assert dry.status_code == 200, dry.text
    out = dry.json()
    assert out["token"] is None
    assert out["prefix"] == "pol_"  # no part of a secret
    assert (out["name"], out["role"], out["dry_run"]) == ("ci", "developer", True)
    bad = {"name": "ci", "role": "boss"}
    same_failure(
        admin.post("/api/v1/tokens", json=bad, params=DRY), admin.post("/api/v1/tokens", json=bad)
    )
    dev = api.client("developer")
    same_failure(
        dev.post("/api/v1/tokens", json={"name": "x", "role": "admin"}, params=DRY),
        dev.post("/api/v1/tokens", json={"name": "x", "role": "admin"}),
    )
    assert api.snapshot() == before

    real = admin.post("/api/v1/tokens", json={"name": "ci", "role": "developer"})
    assert real.status_code == 201
    assert timeless({**out, "id": 0, "prefix": "", "token": ""}) == timeless(
        {**real.json(), "id": 0, "prefix": "", "token": ""}
    )

    # Revoke: the dry run answers the revoked record; the token keeps working.
    viewer_id = next(
        t["id"] for t in admin.get("/api/v1/tokens").json()["items"] if t["role"] == "viewer"
    )
    before = api.snapshot()
    dry_rev = admin.delete(f"/api/v1/tokens/{viewer_id}", params=DRY)
    assert dry_rev.status_code == 200
    assert dry_rev.json()["revoked_at"] is not None
    same_failure(
        admin.delete("/api/v1/tokens/99999", params=DRY), admin.delete("/api/v1/tokens/99999")
    )
    assert api.snapshot() == before
    assert api.client("viewer").get("/api/v1/models").status_code == 200
    real_rev = admin.delete(f"/api/v1/tokens/{viewer_id}")
    assert timeless(dry_rev.json()) == timeless(real_rev.json())
