"""The search box's title suggestions in a real browser: a combobox used with the keyboard."""

import pytest
from playwright.sync_api import Page, expect

from .test_roles_e2e import DASHBOARD_URL, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Про повну загальну середню освіту"


def test_title_suggestions_are_chosen_with_the_keyboard(browser_page: Page, demo: str):
    page = browser_page
    sign_in(page, "demo-school", demo)
    expect(page).to_have_url(DASHBOARD_URL)
    page.click("nav.main-nav [data-nav=search]")
    box = page.get_by_role("combobox", name="Пошук")
    box.press_sequentially("Про повну")
    suggestion = page.get_by_role("option", name=TITLE, exact=True)
    expect(suggestion).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("[data-suggestions-status]")).to_contain_text("Підказ")
    for _ in range(page.get_by_role("option").count()):
        box.press("ArrowDown")
        if suggestion.get_attribute("aria-selected") == "true":
            break
    expect(box).to_have_attribute("aria-activedescendant", suggestion.get_attribute("id"))
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("[data-suggestions-status]")).to_have_text("")
    box.press("ArrowDown")  # opens the suggestions again
    expect(suggestion).to_be_visible()
    for _ in range(page.get_by_role("option").count()):
        if suggestion.get_attribute("aria-selected") == "true":
            break
        box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator("main h1")).to_have_text(TITLE)
