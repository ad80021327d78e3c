"""``/api/v1/recovery`` over real HTTP: roles, dry runs, audit, restore into fresh databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from tests._live import browser_page, make_tokens  # noqa: F401 - fixture
from tests._pg import LiveServer
from tests._recovery_stores import (  # noqa: F401 - fixtures
    Stores,
    module_stores,
    pg_rows,
    redis_items,
    stores,
)
from tests.recovery._platform import Platform, Sources, make_platform, make_sources

from polaris.app import create_app
from polaris.audit.repo import list_audit
from polaris.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.services
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, module_stores: Stores) -> Sources:  # noqa: F811
    return make_sources(tmp_path_factory.mktemp("sources"), module_stores)


@pytest.fixture
def live(
    tmp_path: Path,
    stores: Stores,  # noqa: F811 - fixture
    sources: Sources,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Platform, str, dict[str, str]]]:
    p = make_platform(tmp_path, stores, sources)
    for key, value in p.environ.items():
        monkeypatch.setenv(key, value)
    db_url = f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}"
    tokens = make_tokens(db_url)
    settings = Settings(
        home=tmp_path,
        database_url=db_url,
        artifact_url=str(tmp_path / "artifacts"),
        project=p.root,
    )
    with LiveServer(create_app(settings)) as server:
        yield p, server.url, tokens


def client(url: str, token: str | None) -> httpx.Client:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.Client(base_url=url, headers=headers, timeout=120)


def test_take_verify_restore_over_http(live: tuple[Platform, str, dict[str, str]]) -> None:
    p, url, tokens = live
    with client(url, None) as anon:
        assert anon.get("/api/v1/recovery/points").status_code == 401
    with client(url, tokens["developer"]) as dev:
        r = dev.post("/api/v1/recovery/points?dry_run=true", json={"environment": "production"})
        assert r.status_code == 200 and r.json()["dry_run"] is True
        assert dev.get("/api/v1/recovery/points").json() == {"items": []}

        r = dev.post("/api/v1/recovery/points", json={"environment": "production", "reason": "api"})
        assert r.status_code == 201, r.text
        name = r.json()["name"]
        listed = dev.get("/api/v1/recovery/points?environment=production").json()["items"]
        assert [x["name"] for x in listed] == [name]
        shown = dev.get(f"/api/v1/recovery/points/{name}").json()
        assert set(shown["manifest"]["parts"]) == {"app", "ledger", "orders", "cache"}

        r = dev.post(f"/api/v1/recovery/points/{name}/verify")
        assert r.status_code == 200 and r.json()["ok"] is True, r.text

        r = dev.post(f"/api/v1/recovery/points/{name}/restore", json={"environment": "fresh"})
        assert r.status_code == 403 and r.headers["content-type"] == PROBLEM

        r = dev.post("/api/v1/recovery/points", json={"environment": "qa"})
        assert r.status_code == 422 and "unknown environment 'qa'" in r.json()["detail"]
        r = dev.post("/api/v1/recovery/points", json={"environment": "production", "x": 1})
        assert r.status_code == 422

    with client(url, tokens["admin"]) as admin:
        r = admin.post(
            f"/api/v1/recovery/points/{name}/restore?dry_run=true", json={"environment": "fresh"}
        )
        assert r.status_code == 200 and r.json()["dry_run"] is True
        assert not Path(p.url("FRESH_APP_URL").removeprefix("sqlite:///")).exists()
        r = admin.post(
            f"/api/v1/recovery/points/{name}/restore",
            json={"environment": "fresh", "stores": ["ledger", "cache"]},
        )
        assert r.status_code == 200, r.text
        assert [s["store"] for s in r.json()["stores"]] == ["cache", "ledger"]
        r = admin.post(f"/api/v1/recovery/points/{name}/restore", json={"environment": "fresh"})
        assert r.status_code == 409 and "is not empty" in r.json()["detail"]
        r = admin.post("/api/v1/recovery/prune?dry_run=true", json={"keep": 1})
        assert r.status_code == 200 and r.json()["deleted"] == []

    for table in ("accounts", "entries"):  # only the stores asked for were restored
        assert pg_rows(p.url("FRESH_LEDGER_URL"), table) == pg_rows(p.url("LEDGER_URL"), table)
    assert redis_items(p.url("FRESH_CACHE_URL")) == redis_items(p.url("CACHE_URL"))
    assert not Path(p.url("FRESH_APP_URL").removeprefix("sqlite:///")).exists()

    with p.db.read() as s:
        audit = [(a["action"], a["actor"]) for a in list_audit(s, entity="recovery_point")]
    assert audit == [
        ("recovery.restore", "admin-user"),
        ("recovery.verify", "developer-user"),
        ("recovery.create", "developer-user"),
    ]


def test_a_server_without_a_project_answers_one_clear_problem(tmp_path: Path) -> None:
    db_url = f"sqlite+pysqlite:///{tmp_path / 'polaris.db'}"
    settings = Settings(home=tmp_path, database_url=db_url)
    with LiveServer(create_app(settings)) as server:
        tokens = make_tokens(db_url)
        with client(server.url, tokens["developer"]) as dev:
            r = dev.post("/api/v1/recovery/points", json={"environment": "production"})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert "POLARIS_PROJECT" in r.json()["detail"] + r.json().get("hint", "")


def test_the_cli_talks_to_the_server_when_polaris_url_is_set(
    live: tuple[Platform, str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import json

    from polaris.main import main

    p, url, tokens = live
    monkeypatch.setenv("POLARIS_URL", url)
    monkeypatch.setenv("POLARIS_TOKEN", tokens["developer"])
    monkeypatch.setenv("POLARIS_HOME", str(tmp_path / "unused-local-home"))
    assert main(["recovery", "create", "--env", "production", "-m", "remote", "--json"]) == 0
    name = json.loads(capsys.readouterr().out)["name"]
    assert main(["recovery", "list", "--json"]) == 0
    assert [x["name"] for x in json.loads(capsys.readouterr().out)] == [name]
    assert main(["recovery", "restore", name, "--env", "fresh", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "admin" in err  # a developer token may not restore
    monkeypatch.setenv("POLARIS_TOKEN", tokens["admin"])
    assert main(["recovery", "restore", name, "--env", "fresh", "--dry-run"]) == 0
    assert capsys.readouterr().out.count("would restore") == 4
    assert not (tmp_path / "unused-local-home").exists()  # nothing ran locally
    with p.db.read() as s:
        assert [a["actor"] for a in list_audit(s, entity="recovery_point")] == ["developer-user"]


def test_the_dashboard_lists_recovery_points(
    browser_page: Page,  # noqa: F811 - fixture
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sqlite3
    from contextlib import closing

    (tmp_path / "polaris.toml").write_text(
        '[databases.app]\ndialect = "sqlite"\nurl_env = "APP_URL"\n'
        "[recovery.environments.production]\n",
        encoding="utf-8",
    )
    with closing(sqlite3.connect(tmp_path / "app.db")) as conn, conn:
        conn.execute("CREATE TABLE t (v INTEGER)")
    monkeypatch.setenv("APP_URL", f"sqlite:///{tmp_path / 'app.db'}")
    settings = Settings(home=tmp_path, anonymous_read=True, project=tmp_path)
    with LiveServer(create_app(settings)) as server:
        tokens = make_tokens(settings.resolved_database_url)
        with client(server.url, tokens["developer"]) as dev:
            r = dev.post(
                "/api/v1/recovery/points",
                json={"environment": "production", "reason": "before <b>2.2.0</b>"},
            )
        assert r.status_code == 201, r.text
        name = r.json()["name"]
        page = browser_page
        page.goto(server.url + "/")
        row = page.wait_for_selector(f"tr[data-point='{name}']")
        assert row is not None
        text = row.inner_text()
        assert "production" in text and "app (sqlite)" in text
        assert "before <b>2.2.0</b>" in text  # shown as text, never as markup
