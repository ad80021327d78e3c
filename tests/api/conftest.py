"""Fixtures shared by the HTTP and dashboard tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests._pg import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Page

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
