"""Accessibility of the search pages in Chromium: axe-core (bundled by axe-playwright-python) checks each page
as the users who see it, at a desktop width and on a 375 px wide phone, against WCAG 2.1 A/AA. A violation of
impact "serious" or "critical" fails the test; on the phone the page body must not scroll sideways.
"""

import re
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.conftest import World, build_world, publish_regulation

from .conftest import DESKTOP, PHONE, PageProblems, open_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"desktop": DESKTOP, "mobile": PHONE}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()

QUERY = "зарахування"
# Acts' texts cite their official source: a long unbroken address that must wrap in a snippet on a phone.
SOURCE_URL = "https://zakon.rada.gov.ua/laws/show/z0564-18#Text"
ACT_TEXT = (
    f"Порядок зарахування учнів ({SOURCE_URL}) визначає, як заклад загальної середньої освіти зараховує "
    "дітей на підставі заяви батьків."
)
# With the world's own act about enrolment, more acts than a results page lists (10): a second page.
MORE_ACTS = 11
# The one title the suggestions narrow to when "Порядок ве" is typed.
OTHER_TITLE = "Порядок ведення ділової документації"
NOTHING = "ґзщфйц"


@pytest.fixture
def search_world(transactional_db) -> World:
    """The test world with enough acts about enrolment to fill two pages of results, and one act that is not."""
    world = build_world()
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, OTHER_TITLE, kind="order", number="12")
    for number in range(1, MORE_ACTS + 1):
        publish_regulation(
            index,
            f"Порядок зарахування до закладів освіти, редакція {number}",
            kind="order",
            number=f"{300 + number}",
            text=ACT_TEXT,
            issuer="Міністерство освіти і науки",
            document_date=f"2020-0{1 + number % 9}-15",
        )
    return world


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> dict[str, int]:
    return VIEWPORTS[request.param]


@pytest.fixture
def open_page(chromium: Browser, live_server, page_problems: PageProblems, search_world: World, viewport):
    """Opens a path as one of the world's users (``"school_a"``, ``"own_ruo"`` …) in the viewport under test;
    at the end, closes the pages and fails on any server error or browser console error."""
    opened: list[Page] = []

    def open_one(actor: str, path: str) -> Page:
        page = open_as(chromium, live_server, search_world.users[actor], page_problems, path, viewport=viewport)
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


def assert_accessible(page: Page, what: str) -> None:
    """axe-core finds no serious or critical WCAG 2.1 A/AA violation on the page as it is now, and the page
    body does not scroll sideways."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{what}: {len(blocking)} accessibility violations\n" + "\n".join(map(_describe, blocking))
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{what}: the page scrolls sideways ({scroll_width} px > {inner_width} px)"


def test_results_page_is_accessible(open_page):
    page = open_page("school_a", f"/search/?q={QUERY}")
    expect(page.locator("main [data-result]")).to_have_count(10)
    expect(page.locator("main [data-result] .snippet mark").first).to_be_visible()
    expect(page.locator("main [data-result] .snippet", has_text=SOURCE_URL).first).to_be_visible()
    expect(page.locator("select[name=kind]")).to_be_visible()
    assert_accessible(page, "results, first page")
    page.locator("nav.pagination a[rel=next]").click()
    expect(page.locator("nav.pagination a[rel=prev]")).to_be_visible()
    assert_accessible(page, "results, second page")


def test_nothing_found_page_is_accessible(open_page):
    page = open_page("school_a", f"/search/?q={NOTHING}")
    expect(page.locator("#nothing-title")).to_be_visible()
    assert_accessible(page, "nothing found")


def test_title_suggestions_are_accessible_while_the_query_changes(open_page):
    page = open_page("school_a", f"/search/?q={QUERY}")
    box = page.get_by_role("combobox", name="Пошук")
    suggestions = page.locator("#search-suggestions")  # not the filters' <select> options
    box.fill("")
    box.press_sequentially("Поря")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option")).to_have_count(8)
    expect(box).to_have_attribute("aria-expanded", "true")
    for _ in range(3):
        box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "search-suggestion-2")
    assert_accessible(page, "results with the title suggestions open, the third one chosen")
    # Typing on replaces the suggestions: the chosen one is gone, so nothing is chosen until an arrow key.
    box.press_sequentially("док ве")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option", name=OTHER_TITLE)).to_be_visible()
    assert_accessible(page, "results with the title suggestions narrowed to one")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    box.press_sequentially("ґ")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert_accessible(page, "results with no title suggestions left")


def test_query_log_is_accessible(open_page):
    page = open_page("own_ruo", f"/search/?q={QUERY}")
    expect(page.locator("main [data-result]").first).to_be_visible()
    for query in (NOTHING, SOURCE_URL):  # something nobody wrote; an act's address pasted into the box
        page.goto(f"/search/?{urlencode({'q': query})}")
        expect(page.locator("main p[role=status]")).to_be_visible()
    page.goto("/search/log/")
    expect(page.locator("#unanswered-title + ul li", has_text=NOTHING)).to_be_visible()
    expect(page.locator("#popular-title + ul li", has_text=SOURCE_URL.lower())).to_be_visible()
    assert_accessible(page, "query log")
