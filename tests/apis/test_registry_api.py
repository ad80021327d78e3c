"""API versions in the registry over real HTTP (uvicorn on loopback), SQLite and PostgreSQL.

Every lifecycle transition, legal and illegal, auth, audit rows written in the transaction of the
move, import of the seed matrix, Polaris's own ``/api/v1`` behind ``APIVersioning``, and the
dashboard's API section in headless Chromium.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import text
from tests._live import LiveApi, make_tokens
from tests._pg import (  # noqa: F401 - fixtures
    LiveServer,
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
    unavailable,
)

from polaris.apis.registry_service import APIRegistryService
from polaris.app import create_app
from polaris.core.actors import Actor, Role
from polaris.core.errors import Conflict
from polaris.settings import Settings
from polaris.store.session import Database

if TYPE_CHECKING:
    from playwright.sync_api import Page

PROBLEM = "application/problem+json"
BASE = "/api/v1/apis/incidents"
TODAY = datetime.now(UTC).date()

SEED = """\
api_compatibility_matrix:
  v1:
    status: deprecated
    deprecation_date: "2025-06-01"
    retirement_date: "2025-12-01"
    compatible_clients: ["mobile_app_v1.x", "cli_tool_v1.x"]
    breaking_changes: []
  v2:
    status: active
    introduced_date: "2025-03-01"
    compatible_clients: ["mobile_app_v2.x", "web_ui_v2.x"]
    breaking_changes: ["Authentication method changed from API key to JWT"]
    migration_guide: https://docs.example.com/migrate/v1-to-v2
  v3:
    status: development
    planned_release: "2025-12-01"
    breaking_changes: ["Pagination format changed"]
"""


def audit(api: LiveApi, key: str) -> list[dict[str, Any]]:
    with api.client("admin") as c:
        r = c.get("/api/v1/audit", params={"key": key})
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return list(reversed(items))  # oldest first


def problem(r: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert body["type"].endswith("/" + slug), body
    return body


def make_active(c: httpx.Client, version: str, base: str = BASE) -> None:
    assert c.post(f"{base}/versions", json={"version": version}).status_code == 201
    assert c.post(f"{base}/versions/{version}/activate").status_code == 200


def test_every_legal_transition_with_dates_and_audit(api: LiveApi) -> None:
    dev, boss = api.client("developer"), api.client("approver")
    body = {
        "version": "1",
        "breaking_changes": ["Auth is JWT"],
        "planned_release": "2030-01-01",
        "migration_guide": "https://docs.example.com/v1",
    }
    r = dev.post(f"{BASE}/versions", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["action"], out["version"], out["before"], out["written"]) == (
        "register",
        "v1",
        None,
        True,
    )
    assert out["after"]["state"] == "development"
    assert out["after"]["breaking_changes"] == ["Auth is JWT"]
    assert out["after"]["planned_release"] == "2030-01-01"

    r = dev.post(f"{BASE}/versions/v1/activate")
    assert r.status_code == 200, r.text
    assert r.json()["after"]["state"] == "active"
    assert r.json()["after"]["introduced"] == TODAY.isoformat()
    assert ["state", "development", "active"] in r.json()["changes"]
    make_active(dev, "v2")

    r = dev.post(f"{BASE}/versions/v1/deprecate")
    assert r.status_code == 200, r.text
    after = r.json()["after"]
    assert after["state"] == "deprecated"
    assert after["deprecated_on"] == TODAY.isoformat()
    assert after["retires_on"] == (TODAY + timedelta(days=180)).isoformat()
    assert after["replacement"] == "v2"  # the newest other version

    notice = problem(dev.post(f"{BASE}/versions/v1/retire"), 403, "permission-denied")
    assert "approver" in notice["detail"]
    early = problem(boss.post(f"{BASE}/versions/v1/retire"), 409, "conflict")
    assert "90 days' notice" in early["detail"]
    assert early["hint"].startswith(f"retire on or after {TODAY + timedelta(days=90)}")
    r = boss.post(f"{BASE}/versions/v1/retire", json={"force": True})
    assert r.status_code == 200, r.text
    assert (r.json()["after"]["state"], r.json()["after"]["retires_on"]) == (
        "retired",
        TODAY.isoformat(),
    )

    with api.client("viewer") as viewer:
        listed = viewer.get(f"{BASE}/versions").json()
        assert (listed["name"], listed["notice_days"], listed["retirement_days"]) == (
            "incidents",
            90,
            180,
        )
        assert [(v["version"], v["state"]) for v in listed["versions"]] == [
            ("v1", "retired"),
            ("v2", "active"),
        ]
        shown = viewer.get(f"{BASE}/versions/V1").json()  # any spelling of the name
        assert shown["state"] == "retired"
        assert shown["migration_guide"] == "https://docs.example.com/v1"
        overview = viewer.get("/api/v1/apis").json()["items"]
        assert [a["name"] for a in overview] == ["incidents"]

    events = audit(api, "incidents:v1")
    assert [(e["action"], e["actor"], e["entity"]) for e in events] == [
        ("api-register", "developer-user", "api_version"),
        ("api-activate", "developer-user", "api_version"),
        ("api-deprecate", "developer-user", "api_version"),
        ("api-retire", "approver-user", "api_version"),
    ]
    assert events[0]["before"] is None
    assert (events[3]["before"]["state"], events[3]["after"]["state"]) == ("deprecated", "retired")
    dev.close()
    boss.close()


# (state the version is brought to, move, body, what the 409 says)
ILLEGAL = [
    ("development", "deprecate", None, "from development to deprecated"),
    ("development", "retire", {"force": True}, "from development to retired"),
    ("active", "activate", None, "from active to active"),
    ("active", "retire", {"force": True}, "from active to retired"),
    ("deprecated", "activate", None, "from deprecated to active"),
    ("deprecated", "deprecate", None, "from deprecated to deprecated"),
    ("retired", "activate", None, "from retired to active"),
    ("retired", "deprecate", None, "from retired to deprecated"),
    ("retired", "retire", {"force": True}, "from retired to retired"),
]


def bring_to(dev: httpx.Client, boss: httpx.Client, state: str, base: str = BASE) -> None:
    """Register v1 and move it, legally, to ``state``."""
    assert dev.post(f"{base}/versions", json={"version": "v1"}).status_code == 201
    if state == "development":
        return
    assert dev.post(f"{base}/versions/v1/activate").status_code == 200
    if state == "active":
        return
    assert dev.post(f"{base}/versions/v1/deprecate").status_code == 200
    if state == "deprecated":
        return
    assert boss.post(f"{base}/versions/v1/retire", json={"force": True}).status_code == 200


def test_illegal_transitions_are_409_and_change_nothing(api: LiveApi) -> None:
    """One server, one API per case: every illegal move is a 409 and leaves no trace."""
    dev, boss = api.client("developer"), api.client("approver")
    for i, (state, move, body, says) in enumerate(ILLEGAL):
        base = f"/api/v1/apis/case{i}"
        bring_to(dev, boss, state, base)
        before = dev.get(f"{base}/versions/v1").json()
        n_events = len(audit(api, f"case{i}:v1"))
        client = boss if move == "retire" else dev
        err = problem(client.post(f"{base}/versions/v1/{move}", json=body), 409, "conflict")
        assert says in err["detail"], (state, move, err)
        assert err["hint"]
        assert dev.get(f"{base}/versions/v1").json() == before, (state, move)
        assert len(audit(api, f"case{i}:v1")) == n_events, (state, move)
    dev.close()
    boss.close()


def test_register_twice_unknown_versions_and_bad_input(api: LiveApi) -> None:
    with api.client("developer") as dev:
        make_active(dev, "v2")
        again = problem(dev.post(f"{BASE}/versions", json={"version": "2"}), 409, "conflict")
        assert "already registered" in again["detail"]
        missing = problem(dev.post(f"{BASE}/versions/v7/activate"), 404, "not-found")
        assert "v7 is not registered (known: v2)" in missing["detail"]
        problem(dev.get(f"{BASE}/versions/v7"), 404, "not-found")
        bad = problem(dev.post(f"{BASE}/versions", json={"version": "two"}), 422, "invalid-input")
        assert "'two' is not an API version name" in bad["detail"]
        problem(
            dev.post("/api/v1/apis/Bad Name/versions", json={"version": "v1"}), 422, "invalid-input"
        )
        short = dev.post(
            f"{BASE}/versions/v2/deprecate",
            json={"sunset": (TODAY + timedelta(days=30)).isoformat()},
        )
        assert "less than 90 days" in problem(short, 409, "conflict")["detail"]
        past = dev.post(f"{BASE}/versions/v2/deprecate", json={"on": "2000-01-01"})
        assert "in the past" in problem(past, 422, "invalid-input")["detail"]
        extra = dev.post(f"{BASE}/versions/v2/deprecate", json={"when": "now"})
        problem(extra, 422, "invalid-input")
        assert dev.get(f"{BASE}/versions/v2").json()["state"] == "active"
        assert dev.get("/api/v1/apis/nothing/versions").json()["versions"] == []


def test_dry_run_writes_neither_record_nor_audit(api: LiveApi) -> None:
    with api.client("developer") as dev:
        r = dev.post(f"{BASE}/versions", json={"version": "v1"}, params={"dry_run": "true"})
        assert r.status_code == 200
        assert (r.json()["written"], r.json()["after"]["state"]) == (False, "development")
        assert dev.get("/api/v1/apis").json()["items"] == []  # not even the API row
        make_active(dev, "v1")
        r = dev.post(f"{BASE}/versions/v1/deprecate", params={"dry_run": "true"})
        assert r.json()["after"]["state"] == "deprecated"
        assert dev.get(f"{BASE}/versions/v1").json()["state"] == "active"
    assert [e["action"] for e in audit(api, "incidents:v1")] == ["api-register", "api-activate"]


def test_auth_401_and_403(api: LiveApi) -> None:
    with api.client(None) as anon:
        r = anon.get("/api/v1/apis")
        problem(r, 401, "authentication-required")
        assert r.headers["www-authenticate"].startswith("Bearer")
        problem(
            anon.post(f"{BASE}/versions", json={"version": "v1"}), 401, "authentication-required"
        )
        problem(anon.post(f"{BASE}/import", content=SEED), 401, "authentication-required")
    with api.client("viewer") as viewer:
        assert viewer.get("/api/v1/apis").json() == {"items": []}
        denied = problem(
            viewer.post(f"{BASE}/versions", json={"version": "v1"}), 403, "permission-denied"
        )
        assert "needs the developer role; this token has viewer" in denied["detail"]
    with api.client("developer") as dev:
        bring_to(dev, dev, "deprecated")
        denied = problem(
            dev.post(f"{BASE}/versions/v1/retire", json={"force": True}), 403, "permission-denied"
        )
        assert "approver" in denied["detail"]
    with api.client("approver") as boss:
        assert boss.post(f"{BASE}/versions/v1/retire", json={"force": True}).status_code == 200


def test_import_the_seed_matrix(api: LiveApi) -> None:
    headers = {"Content-Type": "application/yaml"}
    with api.client("developer") as dev:
        dry = dev.post(f"{BASE}/import", content=SEED, headers=headers, params={"dry_run": "true"})
        assert dry.status_code == 200, dry.text
        assert [o["version"] for o in dry.json()["items"]] == ["v1", "v2", "v3"]
        assert dev.get("/api/v1/apis").json()["items"] == []
        r = dev.post(f"{BASE}/import", content=SEED, headers=headers)
        assert r.status_code == 200, r.text
        listed = {v["version"]: v for v in dev.get(f"{BASE}/versions").json()["versions"]}
        assert listed["v1"]["retires_on"] == "2025-12-01"
        assert listed["v1"]["compatible_clients"] == ["mobile_app_v1.x", "cli_tool_v1.x"]
        assert listed["v2"]["migration_guide"] == "https://docs.example.com/migrate/v1-to-v2"
        assert listed["v3"]["state"] == "development"
        # Imported records move on like any other.
        assert dev.post(f"{BASE}/versions/v3/activate").status_code == 200
        # Importing the same document again changes only what differs (v3 back to development).
        again = dev.post(f"{BASE}/import", content=SEED, headers=headers).json()["items"]
        assert [o["changes"] != [] for o in again] == [False, False, True]

        bad = SEED.replace("status: active", "status: live")
        err = problem(
            dev.post(f"{BASE}/import", content=bad, headers=headers, params={"source": "m.yml"}),
            422,
            "invalid-input",
        )
        assert err["detail"].startswith(
            "m.yml:9: api_compatibility_matrix.v2.status: unknown status"
        )
        broken = problem(
            dev.post(f"{BASE}/import", content="a: [", headers=headers), 422, "invalid-input"
        )
        assert broken["detail"].startswith("request body:")
        wrong = dev.post(f"{BASE}/import", json={"yaml": SEED})
        assert "expected a YAML body" in problem(wrong, 422, "invalid-input")["detail"]
    events = audit(api, "incidents:v3")
    assert [e["action"] for e in events] == ["api-import", "api-activate", "api-import"]


def test_concurrent_moves_are_serialised(api: LiveApi) -> None:
    """Two deprecations of one version race: one wins, the other is a 409, one audit event."""
    with api.client("developer") as dev:
        make_active(dev, "v1")
    results: list[int] = []
    barrier = threading.Barrier(4)

    def move() -> None:
        with api.client("developer") as c:
            barrier.wait()
            results.append(c.post(f"{BASE}/versions/v1/deprecate").status_code)

    threads = [threading.Thread(target=move) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409, 409, 409]
    assert [e["action"] for e in audit(api, "incidents:v1")].count("api-deprecate") == 1


def test_polaris_own_api_is_versioned(api: LiveApi) -> None:
    with api.client("viewer") as c:
        r = c.get("/api/v1/apis")
        assert r.status_code == 200
        assert r.headers["api-version"] == "v1"
        assert "deprecation" not in r.headers
        unknown = problem(c.get("/api/v2/models"), 404, "api-version-unknown")
        assert unknown["supported_versions"] == ["v1"]
        assert unknown["type"] == "https://polaris.dev/problems/api-version-unknown"
        assert c.get("/health").headers.get("api-version") is None  # outside /api
        # A route's own ?version= query parameter is not taken for the API version.
        r = c.get("/api/v1/models/x/history", params={"version": "1.0.0"})
        assert r.headers["api-version"] == "v1"  # the route answered, not the middleware
        assert problem(r, 404, "not-found")["detail"] != unknown["detail"]


def test_a_failed_audit_write_rolls_the_move_back(migrated_db_url: str) -> None:  # noqa: F811
    """The move and its audit event are one transaction: no audit, no move."""
    db = Database(migrated_db_url, pool_size=2)
    svc = APIRegistryService(db)
    actor = Actor("dev", Role.DEVELOPER)
    svc.register("incidents", "v1", actor=actor)
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(
                text(
                    "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION no_audit()"
                )
            )
    try:
        with pytest.raises(Exception, match="audit refused"):
            svc.activate("incidents", "v1", actor=actor)
        assert svc.get("incidents", "v1").state.value == "development"
        with pytest.raises(Conflict):  # the registration before it stands
            svc.register("incidents", "v1", actor=actor)
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER no_audit" + ("" if db.is_sqlite else " ON audit_log")))
            if not db.is_sqlite:
                conn.execute(text("DROP FUNCTION no_audit()"))
        db.dispose()


def test_catalog_source_feeds_the_middleware(migrated_db_url: str) -> None:  # noqa: F811
    db = Database(migrated_db_url, pool_size=2)
    svc = APIRegistryService(db)
    actor = Actor("dev", Role.DEVELOPER)
    source = svc.catalog_source("incidents", ttl=0.0)
    assert len(source()) == 0
    svc.register("incidents", "v1", actor=actor)
    svc.activate("incidents", "v1", actor=actor)
    assert source().latest_active(date.today()) is not None
    cached = svc.catalog_source("incidents", ttl=3600)
    first = cached()
    svc.register("incidents", "v2", actor=actor)
    assert cached() is first  # within the ttl: no database read
    db.dispose()


# -- dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_api_versions_and_their_lifecycle(
    browser_page: Page, tmp_path: Path
) -> None:
    page = browser_page
    db_url = f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}"
    settings = Settings(home=tmp_path, database_url=db_url, anonymous_read=True)
    with LiveServer(create_app(settings)) as server:
        dev = httpx.Client(base_url=server.url, timeout=30)
        dev.headers["Authorization"] = "Bearer " + make_tokens(db_url)["developer"]
        r = dev.post(f"{BASE}/import", content=SEED, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 200, r.text
        make_active(dev, "v4")
        assert dev.post(f"{BASE}/versions/v2/deprecate").status_code == 200
        dev.close()
        requested: list[str] = []
        page.on("request", lambda req: requested.append(req.url))
        page.goto(server.url + "/")
        page.wait_for_selector("table.api-versions[data-api='incidents'] tr[data-version='v2']")
        row = "table.api-versions[data-api='incidents'] tr[data-version='{}']"
        states = {
            v: page.get_attribute(row.format(v), "data-state") for v in ("v1", "v2", "v3", "v4")
        }
        # v1 was deprecated with a sunset in the past: it is served as retired.
        assert states == {"v1": "retired", "v2": "deprecated", "v3": "development", "v4": "active"}
        sunset = (TODAY + timedelta(days=180)).isoformat()
        assert page.inner_text(row.format("v2") + " td[data-field='sunset']").startswith(sunset)
        assert (
            page.inner_text(row.format("v2") + " td[data-field='deprecated']") == TODAY.isoformat()
        )
        assert (
            page.inner_text(row.format("v4") + " td[data-field='introduced']") == TODAY.isoformat()
        )
        assert "Pagination format changed" in page.inner_text(row.format("v3"))
        assert page.get_attribute(row.format("v2") + " a", "href") == (
            "https://docs.example.com/migrate/v1-to-v2"
        )
        # The platform part of the page still renders beside it.
        assert page.inner_text("#platform-version") == "platform: no release"
        assert all(u.startswith(server.url) for u in requested), requested  # local assets only


def test_lifecycle_periods_are_configurable_per_api(api: LiveApi) -> None:
    body = {"notice_days": 30, "retirement_days": 60}
    with api.client("developer") as dev:
        denied = problem(dev.put(f"{BASE}/policy", json=body), 403, "permission-denied")
        assert "approver" in denied["detail"]
        make_active(dev, "v1")
    with api.client("approver") as boss:
        bad = boss.put(f"{BASE}/policy", json={"notice_days": 90, "retirement_days": 30})
        assert "no sooner than the notice period" in problem(bad, 422, "invalid-input")["detail"]
        problem(boss.put(f"{BASE}/policy", json={"notice_days": -1}), 422, "invalid-input")
        dry = boss.put(f"{BASE}/policy", json=body, params={"dry_run": "true"}).json()
        assert (dry["after"], dry["written"]) == (body, False)
        r = boss.put(f"{BASE}/policy", json=body)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "api": "incidents",
            "before": {"notice_days": 90, "retirement_days": 180},
            "after": body,
            "written": True,
        }
        same = boss.put(f"{BASE}/policy", json={}).json()  # nothing asked: reports the periods
        assert (same["before"], same["after"], same["written"]) == (body, body, False)
        out = boss.post(f"{BASE}/versions/v1/deprecate").json()["after"]
        assert out["retires_on"] == (TODAY + timedelta(days=60)).isoformat()
        early = problem(boss.post(f"{BASE}/versions/v1/retire"), 409, "conflict")
        assert "owed 30 days' notice" in early["detail"]
        listed = boss.get(f"{BASE}/versions").json()
        assert (listed["notice_days"], listed["retirement_days"]) == (30, 60)
        other = boss.get("/api/v1/apis/billing/versions").json()
        assert (other["notice_days"], other["retirement_days"]) == (90, 180)
    events = audit(api, "incidents")
    assert [(e["action"], e["entity"], e["after"]) for e in events] == [("api-policy", "api", body)]
