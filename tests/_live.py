"""Fixtures shared by the HTTP and dashboard tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from tests._pg import LiveServer, migrated_db_url, unavailable  # noqa: F401 - fixture

from polaris.access.service import TokenService
from polaris.app import create_app
from polaris.core.actors import Actor, Role
from polaris.settings import Settings
from polaris.store.session import Database

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Actor("root", Role.ADMIN)
ROLES = ("viewer", "developer", "approver", "admin")

#: Debian's Chromium, driven by Playwright; no test downloads a browser of its own.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page() -> Iterator[Page]:
    """A page in headless Chromium (skips, or fails under POLARIS_REQUIRE_SERVICES, without it)."""
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        unavailable("chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install playwright)")
        raise
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        yield page
        browser.close()


def make_tokens(db_url: str) -> dict[str, str]:
    """One API token per role, created directly in the store."""
    db = Database(db_url, pool_size=1)
    svc = TokenService(db)
    tokens = {r: str(svc.create(f"{r}-user", r, actor=ROOT)[0]) for r in ROLES}
    db.dispose()
    return tokens


class LiveApi:
    """A running ``polaris serve`` app on loopback, with one token per role."""

    def __init__(self, url: str, tokens: dict[str, str], settings: Settings) -> None:
        self.url = url
        self.tokens = tokens
        self.settings = settings

    @property
    def home(self) -> Path:
        """The server's data directory."""
        assert self.settings.home is not None
        return self.settings.home

    @property
    def db_url(self) -> str:
        """The server's database."""
        return self.settings.resolved_database_url

    @property
    def artifacts(self) -> Path:
        """Where the server stores artifact blobs."""
        return Path(self.settings.resolved_artifact_location)

    def client(self, role: str | None = "admin") -> httpx.Client:
        """A client with the token of ``role`` (``None``: no token)."""
        headers = {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def api(migrated_db_url: str, tmp_path: Path) -> Iterator[LiveApi]:  # noqa: F811 - fixture
    """The server over a migrated SQLite and PostgreSQL database."""
    tokens = make_tokens(migrated_db_url)
    settings = Settings(home=tmp_path, database_url=migrated_db_url, db_pool_size=10)
    with LiveServer(create_app(settings)) as server:
        yield LiveApi(server.url, tokens, settings)
