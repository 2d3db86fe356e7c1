"""Playwright driving Debian's chromium (never a downloaded browser), for the browser tests."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP localhost 127.0.0.1",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def require_chromium() -> None:
    """CI installs chromium and sets OG_REQUIRE_BROWSER=1, so there a missing browser fails the run."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("OG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed on this machine (apt-get install chromium)")


@contextmanager
def chromium_page(*, locale: str = "en-US", width: int = 1280, height: int = 860):
    from playwright.sync_api import sync_playwright

    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
            yield context.new_page()
        finally:
            browser.close()
