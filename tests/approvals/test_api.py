"""The governance REST API on a live server over SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar
from tests._pg import LiveServer, _pg_session_schema, _sqlite_template, migrated_db_url  # noqa: F401

from polaris.access.service import TokenService
from polaris.app import create_app
from polaris.core.actors import Actor, Role
from polaris.settings import Settings
from polaris.store.session import Database

EXAMPLE = Path(__file__).parents[2] / "examples" / "aiops-polaris"
PEOPLE = {
    "root": ("admin", []),
    "dev": ("developer", ["senior_developer"]),
    "ann": ("developer", ["tech_lead"]),
    "pat": ("developer", ["product_manager"]),
    "sec": ("developer", ["security_team"]),
    "qa": ("developer", ["qa_team"]),
    "viewer": ("viewer", []),
}


class Api:
    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = tokens

    def as_(self, who: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url + "/api/v1",
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=30,
        )


@pytest.fixture
def api(migrated_db_url: str, tmp_path: Path) -> Iterator[Api]:  # noqa: F811
    platform = tmp_path / "platform"
    platform.mkdir()
    for name in ("approval-matrix.yml", "release_schedule.yml"):
        (platform / name).write_text((EXAMPLE / name).read_text())
    db = Database(migrated_db_url, pool_size=1)
    svc = TokenService(db)
    root = Actor("root", Role.ADMIN)
    tokens = {who: str(svc.create(who, role, actor=root)[0]) for who, (role, _) in PEOPLE.items()}
    db.dispose()
    settings = Settings(
        home=tmp_path, database_url=migrated_db_url, governance_dir=platform, db_pool_size=10
    )
    with LiveServer(create_app(settings)) as server:
        yield Api(server.url, tokens)


def test_the_approval_flow_over_http(api: Api) -> None:
    with api.as_("root") as admin:
        dry = admin.post(
            "/users", params={"dry_run": "true"}, json={"name": "zed", "roles": ["qa_team"]}
        )
        assert dry.status_code == 200
        assert dry.json()["dry_run"] is True
        for who, (_, roles) in PEOPLE.items():
            assert admin.post("/users", json={"name": who, "roles": roles}).status_code == 201
        assert "zed" not in [u["name"] for u in admin.get("/users").json()["items"]]
        bad = admin.post("/users", json={"name": "x", "roles": ["wizard"]})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert "unknown role 'wizard'" in bad.json()["detail"]
    with api.as_("dev") as dev:
        assert dev.post("/users", json={"name": "y"}).status_code == 403
        opened = dev.post(
            "/approvals",
            json={
                "kind": "platform_release",
                "name": "aiops",
                "version": "2.2.0",
                "level": "minor",
                "impact": {"api_breaking": True},
            },
        )
        assert opened.status_code == 201, opened.text
        req = opened.json()
        assert req["level"] == "major"
        assert "API diff has breaking changes" in req["level_reason"]
        assert dev.post(f"/approvals/{req['id']}/approve").status_code == 403  # the author
        bad = dev.post(
            "/approvals",
            json={"kind": "platform_release", "name": "a", "version": "1.0.0", "level": "huge"},
        )
        assert bad.status_code == 422
        assert dev.get("/approvals/approval-0.0.0-1").status_code == 404
    key = req["id"]
    with api.as_("qa") as qa:
        assert [
            r["id"] for r in qa.get("/approvals", params={"waiting_for": "qa"}).json()["items"]
        ] == [key]
        dry = qa.post(
            f"/approvals/{key}/approve", params={"dry_run": "true"}, json={"comment": "fine"}
        )
        assert dry.json()["dry_run"] is True
        assert (
            qa.post(f"/approvals/{key}/approve", json={"comment": "fine"}).json()["state"]
            == "pending"
        )
        twice = qa.post(f"/approvals/{key}/approve")
        assert twice.status_code == 409
        assert "qa has already decided" in twice.json()["detail"]
    with api.as_("ann") as ann:
        changed = ann.post(f"/approvals/{key}/request-changes", json={"comment": "split it"})
        assert changed.json()["state"] == "needs_changes"
    with api.as_("dev") as dev:
        revised = dev.post(f"/approvals/{key}/revise").json()
        assert (revised["revision"], revised["state"]) == (2, "pending")
    with api.as_("pat") as pat:
        rejected = pat.post(f"/approvals/{key}/reject", json={"comment": "not this quarter"}).json()
        assert rejected["state"] == "rejected"
        shown = pat.get(f"/approvals/{key}").json()
        assert [(r["reviewer"], r["decision"], r["dismissed"]) for r in shown["reviews"]] == [
            ("qa", "approved", True),
            ("ann", "needs_changes", True),
            ("pat", "rejected", False),
        ]
    with api.as_("root") as admin:
        audit = admin.get("/audit", params={"key": key}).json()["items"]
        assert [a["action"] for a in reversed(audit)] == [
            "open",
            "approved",
            "needs_changes",
            "revise",
            "rejected",
        ]
        log = admin.get("/notifications").json()
        assert {e["event"] for e in log["events"]} == {"request.opened", "request.decided"}
    with api.as_("viewer") as viewer:
        assert viewer.get("/notifications").status_code == 403
        assert viewer.post(f"/approvals/{key}/approve").status_code == 403


def test_calendar_checklist_and_stages_over_http(api: Api) -> None:
    with api.as_("viewer") as viewer:
        ics = viewer.get("/calendar.ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        assert len(Calendar.from_ical(ics.content).walk("VEVENT")) == 4
        frozen = viewer.get(
            "/calendar/check", params={"type": "minor", "at": "2025-09-26T00:00:00"}
        ).json()
        assert frozen["allowed"] is False
        assert viewer.get("/calendar").json()["freeze_windows"][0]["end"] == "2025-10-01"
        assert viewer.get("/calendar/check", params={"at": "someday"}).status_code == 422
    with api.as_("dev") as dev:
        cl = dev.get("/releases/2.2.0/checklist").json()
        assert len(cl["open_required"]) == 8
        ticked = dev.post(
            "/releases/2.2.0/checklist/documentation_updated", json={"evidence": "https://docs/x"}
        )
        assert ticked.json()["ticked_by"] == "dev"
        assert dev.delete("/releases/2.2.0/checklist/documentation_updated").json()["done"] is False
        rep = dev.post(
            "/releases/2.2.0/stages",
            json={"stage": "prepared", "status": "passed", "url": "https://ci/1"},
        )
        assert rep.status_code == 201
        out_of_order = dev.post(
            "/releases/2.2.0/stages", json={"stage": "production", "status": "started"}
        )
        assert out_of_order.status_code == 409
        assert dev.get("/releases/2.2.0/stages").json()["items"][0]["url"] == "https://ci/1"
