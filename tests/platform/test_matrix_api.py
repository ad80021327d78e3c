"""GET /api/v1/platform/matrix over real HTTP (SQLite, PostgreSQL), drawn in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from tests._pg import (  # noqa: F401
    LiveServer,
    _pg_session_schema,
    _sqlite_template,
    migrated_db_url,
    unavailable,
)

from polaris.app import create_app
from polaris.artifacts.store import LocalArtifactStore
from polaris.core.actors import Actor, Role
from polaris.core.semver import Version
from polaris.models.gates import parse_threshold
from polaris.models.rules import Stage
from polaris.models.service import Registration, RegistryService
from polaris.platform.releases import PlatformReleaseService
from polaris.platform.rules import ReleasePin
from polaris.settings import Settings
from polaris.store.session import Database

if TYPE_CHECKING:
    from playwright.sync_api import Page

EXAMPLE = Path(__file__).parents[2] / "examples" / "aiops-polaris" / "compatibility.yml"
DEV = Actor("dev", Role.DEVELOPER)


def seed(url: str, tmp_path: Path) -> None:
    """2.1.0 with a redis the file refuses; 2.1.1 drops redis and breaks rag-search's dependency."""
    db = Database(url, pool_size=1)
    reg = RegistryService(db, LocalArtifactStore(tmp_path / "seed-artifacts"))
    for name, version, deps in (
        ("rag-search", "1.3.2", ()),
        ("rag-search", "1.3.3", ("torch==2.4.1", "mysql>=8.4")),
    ):
        reg.register(
            Registration(
                name=name,
                version=version,
                model_path=f"s3://m/{version}",
                metrics={"accuracy": 0.95},
                dependencies=deps,
            ),
            actor=DEV,
        )
        reg.promote(
            name, version, Stage.STAGING, actor=DEV, criteria=[parse_threshold("accuracy>=0.9")]
        )

    def pins(rag: str) -> list[ReleasePin]:
        return [
            ReleasePin("api", "service", Version.parse("2.1.0")),
            ReleasePin("web", "service", Version.parse("2.1.0")),
            ReleasePin("rag-search", "model", Version.parse(rag)),
            ReleasePin("mysql", "infra", Version.parse("8.0.36")),
        ]

    redis = ReleasePin("redis", "infra", Version.parse("7.0.15"))
    PlatformReleaseService(reg.db).release("2.1.0", [*pins("1.3.2"), redis], actor=DEV)
    PlatformReleaseService(reg.db).release("2.1.1", pins("1.3.3"), actor=DEV)
    db.dispose()


def test_matrix_marks_each_cell_from_the_checker(migrated_db_url: str, tmp_path: Path) -> None:  # noqa: F811
    seed(migrated_db_url, tmp_path)
    settings = Settings(
        home=tmp_path,
        database_url=migrated_db_url,
        anonymous_read=True,
        compat_file=EXAMPLE,
    )
    with LiveServer(create_app(settings)) as server:
        resp = httpx.get(server.url + "/api/v1/platform/matrix", timeout=30)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert data["platform_versions"] == ["2.1.0", "2.1.1"]
    rows = {c["name"]: c for c in data["components"]}
    assert [c["name"] for c in data["components"]] == [
        "mysql",
        "redis",
        "rag_search",
        "api",
        "web",
    ]  # by kind, then name; models named as compatibility.yml names them
    assert rows["api"]["cells"] == [
        {"version": "2.1.0", "status": "ok", "messages": []},
        {"version": "2.1.0", "status": "ok", "messages": []},
    ]
    redis = rows["redis"]["cells"][0]
    assert (redis["status"], redis["version"]) == ("error", "7.0.15")
    assert redis["messages"] == ["platform 2.1.0 requires redis 7.2.x, but 7.0.15 is present"]
    assert rows["redis"]["cells"][1] is None
    mysql = rows["mysql"]["cells"][1]
    assert mysql["status"] == "error"
    assert "rag_search 1.3.3 requires mysql >=8.4, but 8.0.36 is present" in mysql["messages"]
    assert rows["rag_search"]["cells"][1]["status"] == "error"
    first, second = data["releases"]
    assert (first["status"], first["bump"], first["errors"]) == ("error", None, 1)
    assert (second["status"], second["bump"], second["required_bump"]) == (
        "error",
        "patch",
        "major",
    )
    assert "redis 7.0.15 removed (major, breaking)" in second["bump_problem"]
    assert data["rules"] == {"file": True, "total": data["rules"]["total"], "registry": 1}


def test_matrix_without_a_compatibility_file_uses_registry_rules(
    tmp_path: Path,
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'p.db'}"
    settings = Settings(home=tmp_path, database_url=url, anonymous_read=True)
    with LiveServer(create_app(settings)) as server:
        empty = httpx.get(server.url + "/api/v1/platform/matrix", timeout=30).json()
        seed(url, tmp_path)
        data = httpx.get(server.url + "/api/v1/platform/matrix", timeout=30).json()
        anon = httpx.get(
            server.url + "/api/v1/platform/matrix",
            headers={"Authorization": "Bearer nope"},
            timeout=30,
        )
    assert empty["platform_versions"] == [] and empty["components"] == []
    rows = {c["name"]: c["cells"] for c in data["components"]}
    assert rows["mysql"][1]["status"] == "error"  # rag-search 1.3.3 needs mysql >=8.4
    assert rows["redis"][0]["status"] == "ok"  # no file: nothing constrains redis
    assert data["rules"] == {"file": False, "total": 1, "registry": 1}
    assert anon.status_code == 401


def test_dashboard_draws_the_matrix_with_marks(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    url = f"sqlite+pysqlite:///{tmp_path / 'p.db'}"
    settings = Settings(home=tmp_path, database_url=url, anonymous_read=True, compat_file=EXAMPLE)
    with LiveServer(create_app(settings)) as server:
        seed(url, tmp_path)
        requested: list[str] = []
        page.on("request", lambda req: requested.append(req.url))
        page.goto(server.url + "/")
        page.wait_for_selector("#platform-matrix tr[data-component='mysql']")
        headers = page.locator("#platform-matrix thead th").all_inner_texts()
        assert headers[0] == "Component"
        assert [h.split(" ")[0] for h in headers[1:]] == ["v2.1.0", "v2.1.1"]
        ok = page.locator("tr[data-component='api'] td[data-platform='2.1.0']")
        assert ok.get_attribute("data-status") == "ok"
        assert ok.inner_text().startswith("2.1.0")
        bad = page.locator("tr[data-component='mysql'] td[data-platform='2.1.1']")
        assert bad.get_attribute("data-status") == "error"
        assert "mark-error" in (bad.get_attribute("class") or "")
        assert "requires mysql >=8.4" in (bad.get_attribute("title") or "")
        absent = page.locator("tr[data-component='redis'] td[data-platform='2.1.1']")
        assert absent.get_attribute("data-status") == "absent"
        assert all(u.startswith(server.url) for u in requested), requested


def test_dashboard_matrix_asks_for_a_token(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    with LiveServer(create_app(Settings(home=tmp_path))) as server:
        page.goto(server.url + "/")
        page.wait_for_selector("#platform-matrix p")
        assert "Cannot read the matrix" in page.inner_text("#platform-matrix")
