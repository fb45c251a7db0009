"""Accessibility of the search pages in Chromium: axe-core (bundled by axe-playwright-python) checks each page
as the users who see it, at a desktop width and on a 375 px wide phone, against WCAG 2.1 A/AA. A violation of
impact "serious" or "critical" fails the test; on the phone the page body must not scroll sideways.
"""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.conftest import World, build_world, publish_regulation

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

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


@pytest.fixture
def open_page(open_in_viewport, search_world: World):
    """Opens a path as one of the world's users (``"school_a"``, ``"own_ruo"`` …) in the viewport under test
    (the shared ``viewport`` fixture: desktop and phone)."""
    return lambda actor, path: open_in_viewport(search_world.users[actor], path)


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
    page = open_page("don", f"/search/?q={QUERY}")  # the log is the city's editors' (``search_log``)
    expect(page.locator("main [data-result]").first).to_be_visible()
    for query in (NOTHING, SOURCE_URL):  # something nobody wrote; an act's address pasted into the box
        page.goto(f"/search/?{urlencode({'q': query})}")
        expect(page.locator("main p[role=status]")).to_be_visible()
    page.goto("/search/log/")
    expect(page.locator("#unanswered-title + ul li", has_text=NOTHING)).to_be_visible()
    expect(page.locator("#popular-title + ul li", has_text=SOURCE_URL.lower())).to_be_visible()
    assert_accessible(page, "query log")
