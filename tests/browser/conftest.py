"""Fixtures for the end-to-end tests: the app served by pytest-django's live server, driven by Chromium.

Playwright's sync API runs its own event loop in the main thread, so Django would refuse ORM calls from
the test code (SynchronousOnlyOperation) without DJANGO_ALLOW_ASYNC_UNSAFE. The live server thread has
no event loop and is not affected.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, expect, sync_playwright

from tests.asgi_server import ThreadedUvicorn

# Django reads this when an ORM call is made, so setting it before the tests run is enough.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("ECAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000
DESKTOP = {"width": 1280, "height": 900}
# A small phone held upright (the width of an iPhone SE or mini): the narrowest the portal is laid out for.
PHONE = {"width": 375, "height": 740}
VIEWPORTS = {"desktop": DESKTOP, "mobile": PHONE}
# The narrowest width WCAG 2.1 asks content to reflow to without scrolling sideways (1.4.10).
REFLOW_WIDTH = 320
# What the accessibility checks hold pages to: WCAG 2.1 A and AA; a violation of these impacts fails a test.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian packages chromium and chromium-driver")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What went wrong while the page was used: server errors and browser console errors (CSP etc.)."""

    server_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    # Known problems a test chooses to tolerate (each one named, with the reason, where it is added).
    tolerated: list[re.Pattern] = field(default_factory=list)

    def on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def on_console(self, message: ConsoleMessage) -> None:
        # A 403/404 answer we asked for is reported as "Failed to load resource"; that is expected.
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        if not any(pattern.search(message.text) for pattern in self.tolerated):
            self.console_errors.append(message.text)


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def browser_page(chromium: Browser, live_server, page_problems: PageProblems) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server, failing the test on any 5xx or console error."""
    page = new_context(chromium, live_server, DESKTOP).new_page()
    problems = page_problems
    page.on("response", problems.on_response)
    page.on("console", problems.on_console)
    yield page
    page.context.close()
    assert not problems.server_errors, f"server errors: {problems.server_errors}"
    assert not problems.console_errors, f"browser console errors: {problems.console_errors}"


@pytest.fixture
def asgi_live_server(transactional_db) -> Iterator[ThreadedUvicorn]:
    """The ASGI application as `make run` serves it (pages, static files and the live event stream in one
    process, so events reach the stream through the in-process broker), on uvicorn in a background thread at
    a free 127.0.0.1 port (``.url``), against the test database; stopped at the end of the test.

    Like ``live_server`` it answers from another thread, so the test commits (transactional_db).
    """
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from cms.asgi import PortalASGIHandler
    from cms.attendance import live

    live.reset_broker()
    with ThreadedUvicorn(ASGIStaticFilesHandler(PortalASGIHandler())) as server:
        yield server
    live.reset_broker()


def new_context(chromium: Browser, server, viewport: dict[str, int]) -> BrowserContext:
    """A browser context (no cookies) on ``server``, a window of ``viewport``'s size.

    On the WSGI live server the endless attendance event stream would hold one of its threads and keep it
    from shutting down, so a page that opens it gets no stream there (live.js then says it is offline); the
    ASGI server (``asgi_live_server``) serves the stream.
    """
    context = chromium.new_context(base_url=server.url, locale="uk-UA", timezone_id="Europe/Kyiv", viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    if not isinstance(server, ThreadedUvicorn):
        context.route(f"**{settings.LIVE_EVENTS_URL}**", lambda route: route.abort())
    return context


def open_as(
    chromium: Browser, server, user, problems: PageProblems, path: str, *, viewport: dict[str, int] = DESKTOP
) -> Page:
    """``path`` on ``server`` in a browser context of its own (a window of ``viewport``'s size), signed in as
    ``user`` (second factor passed), or signed out when ``user`` is None."""
    from django.test import Client

    from tests.conftest import sign_in

    context = new_context(chromium, server, viewport)
    if user is not None:
        cookie = sign_in(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url}])
    page = context.new_page()
    page.on("response", problems.on_response)
    page.on("console", problems.on_console)
    page.goto(path)
    return page


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> dict[str, int]:
    return VIEWPORTS[request.param]


@pytest.fixture
def open_in_viewport(chromium: Browser, live_server, page_problems: PageProblems, viewport):
    """Opens a path on the live server as a user (None: signed out) in the viewport under test; at the end,
    closes the pages and fails on any server error or browser console error."""
    opened: list[Page] = []

    def open_one(user, path: str) -> Page:
        page = open_as(chromium, live_server, user, page_problems, path, viewport=viewport)
        opened.append(page)
        return page

    yield open_one
    for page in opened:
        page.context.close()
    assert not page_problems.server_errors, page_problems.server_errors
    assert not page_problems.console_errors, page_problems.console_errors


def _describe(violation: dict) -> str:
    targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}"


def _assert_no_sideways_scroll(page: Page, what: str) -> None:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{what}: the page scrolls sideways ({scroll_width} px > {inner_width} px)"


def assert_accessible(page: Page, what: str) -> None:
    """axe-core finds no serious or critical WCAG 2.1 A/AA violation on the page as it is now, and the page
    body does not scroll sideways (wide tables scroll inside their own wrapper)."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{what}: {len(blocking)} accessibility violations\n" + "\n".join(map(_describe, blocking))
    _assert_no_sideways_scroll(page, what)


def assert_reflows(page: Page, what: str) -> None:
    """At WCAG's reflow width (320 CSS px, success criterion 1.4.10) the page body does not scroll sideways
    either; the window is resized without a reload and set back afterwards."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        _assert_no_sideways_scroll(page, f"{what} at {REFLOW_WIDTH} px")
    finally:
        page.set_viewport_size(size)


def watching(page: Page) -> None:
    """The page's stream is open; a marker tells later whether the page was reloaded."""
    expect(page.locator('[data-live-connected="true"]')).to_be_attached()
    page.evaluate("window.notReloaded = true")


@pytest.fixture
def demo(transactional_db, settings) -> str:
    """The real registry and the demo accounts in the test database; returns the demo password.

    The live server runs in another thread, so the data must be committed (transactional_db), and it is
    flushed after each test: each test loads it again (about two seconds).
    """
    from cms.org.demo import load_demo

    report = load_demo(settings.DEMO_PASSWORD)
    assert report["working"] > 500, report
    return settings.DEMO_PASSWORD


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR
