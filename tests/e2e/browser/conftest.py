"""A real Chromium (Debian's, never a downloaded one) over the real server, at 360×740.

Without /usr/bin/chromium the tests skip with the reason, except under CI=true where a
missing browser fails the run (`make browser`, a step of `make test`, installs it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Response, sync_playwright

from tests.e2e.server import serving
from yagona.app.api import create_app
from yagona.app.bootstrap import Container
from yagona.platform.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


# Package scope, not session: while Playwright's sync driver runs, its event loop is the
# thread's running loop, and every later test that calls asyncio.run() would fail.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = f"no {CHROMIUM}: `make browser` (apt-get install chromium) installs Debian's Chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "yagona.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A phone: 360×740, touch, Uzbek first (the product's default language)."""
    phone = browser.new_context(
        base_url=base_url,
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="uz-UZ",
    )
    yield phone
    phone.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab that fails the test on any console error — a CSP violation, a failed script."""
    tab = context.new_page()
    errors: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        # A page answered 404 or 403 on purpose is logged as a failed load: the statuses of
        # what a page loads are checked below instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def loaded(response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            errors.append(f"{response.status} {response.url}")

    tab.on("console", watch)
    tab.on("response", loaded)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    assert not errors, f"the browser reported errors: {errors}"
