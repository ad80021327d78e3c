"""The dashboard page in headless Chromium: the platform tree and model stages, no CDN."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests._pg import LiveServer

from polaris.app import create_app
from polaris.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_demo_dashboard_shows_platform_tree_and_stages(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    settings = Settings(home=tmp_path, demo=True, anonymous_read=True)
    with LiveServer(create_app(settings)) as server:
        requested: list[str] = []
        page.on("request", lambda req: requested.append(req.url))
        page.goto(server.url + "/")
        page.wait_for_selector("tr[data-model='rag-search']")
        assert page.inner_text("#platform-version") == "platform: v2.1.0"
        tree = page.inner_text("#platform-tree")
        for text in (
            "Platform v2.1.0",
            "Application Services",
            "api (v2.1.0)",
            "AI/ML Models",
            "rag-search (v1.3.2)",
            "Database Schemas",
            "neo4j_schema (v1.2.0)",
            "Infrastructure",
            "terraform (v1.4.0)",
        ):
            assert text in tree
        prod = page.inner_text("tr[data-model='rag-search'] td[data-stage='production']")
        staging = page.inner_text("tr[data-model='rag-search'] td[data-stage='staging']")
        assert (prod, staging) == ("1.3.2", "1.4.0-candidate.1")
        rows = page.locator("#models tbody tr").count()
        assert rows == 3
        assert requested
        assert all(u.startswith(server.url) for u in requested), requested  # local assets only


def test_dashboard_asks_for_a_token_when_reads_need_one(browser_page: Page, tmp_path: Path) -> None:
    page = browser_page
    with LiveServer(create_app(Settings(home=tmp_path))) as server:
        page.goto(server.url + "/")
        page.wait_for_function("document.getElementById('status').textContent.length > 0")
        assert "needs an API token" in page.inner_text("#status")
