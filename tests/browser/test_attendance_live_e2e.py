"""End to end in Chromium, on the ASGI application as `make run` serves it: a director submits the day with the
web form, and the department's city dashboard and the district office's dashboard, open in other browsers,
show the new numbers within a second, without a reload; another district's office sees nothing change.

Run by .ci/run: with the in-process broker in the browser stage (``-m "browser and not redis"``), and through
Redis pub/sub on a real redis-server in the Redis stage (``-m "browser and redis"`` with ``REDIS_URL``; that
variant fails without one).
"""

import os
import time

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import build_world

from .conftest import PageProblems, open_as, watching

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LIVE_WITHIN_MS = 1000


@pytest.mark.parametrize("broker", ["in-process", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_form_submission_appears_live_on_the_city_and_district_dashboards(
    chromium: Browser, asgi_live_server, page_problems: PageProblems, settings, broker
):
    if broker == "redis":
        settings.LIVE_REDIS_URL = os.environ.get("REDIS_URL") or pytest.fail("the Redis variant needs REDIS_URL")
    world = build_world()
    district, other = world.district.pk, world.other_district.pk
    don = open_as(chromium, asgi_live_server, world.users["don"], page_problems, "/attendance/")
    ruo = open_as(chromium, asgi_live_server, world.users["own_ruo"], page_problems, "/attendance/")
    other_ruo = open_as(chromium, asgi_live_server, world.users["other_ruo"], page_problems, "/attendance/")
    school = open_as(chromium, asgi_live_server, world.users["school_a"], page_problems, "/attendance/submit/")
    try:
        assert ruo.url.endswith(f"/attendance/district/{world.district.slug}/")
        for page in (don, ruo, other_ruo):
            watching(page)
        expect(don.locator(f'[data-not-reported="{world.school_a.pk}"]')).to_have_count(1)
        city_present = don.locator('[data-live="city:present"]').first
        district_present_on_don = don.locator(f'[data-live="district:{district}:present"]').first
        district_present_on_ruo = ruo.locator(f'[data-live="district:{district}:present"]').first
        other_before = other_ruo.locator(f'[data-live="district:{other}:present"]').first.text_content()
        not_reported_count = don.locator("#not-reported-title [data-not-reported-count]")
        waiting = int(not_reported_count.text_content())

        # The form is pre-filled (everyone present); the director types the exceptions of class 5-А.
        row = school.locator('fieldset[data-class="5-А"]')
        row.get_by_label("Присутні").fill("24")
        row.get_by_label("Хворіють").fill("4")
        school.get_by_role("button", name="Зберегти відвідуваність").click()
        expect(school.get_by_text("Відвідуваність за")).to_be_visible()
        saved_at = time.monotonic()

        # 1-А 25 + 5-А 24 + 5-Б 27 present.
        expect(city_present).to_have_text("76", timeout=LIVE_WITHIN_MS)
        expect(district_present_on_don).to_have_text("76", timeout=LIVE_WITHIN_MS)
        expect(district_present_on_ruo).to_have_text("76", timeout=LIVE_WITHIN_MS)
        expect(don.locator(f'[data-not-reported="{world.school_a.pk}"]')).to_have_count(0, timeout=LIVE_WITHIN_MS)
        expect(not_reported_count).to_have_text(str(waiting - 1), timeout=LIVE_WITHIN_MS)
        elapsed_ms = (time.monotonic() - saved_at) * 1000
        assert elapsed_ms < LIVE_WITHIN_MS, f"shown {elapsed_ms:.0f} ms after the save"
        expect(ruo.locator(f'[data-live="district:{district}:absent_illness"]').first).to_have_text("4")

        for page in (don, ruo, other_ruo):
            assert page.evaluate("window.notReloaded") is True
        assert other_ruo.locator(f'[data-live="district:{other}:present"]').first.text_content() == other_before
    finally:
        for page in (don, ruo, other_ruo, school):
            page.context.close()
    assert not page_problems.server_errors, page_problems.server_errors
    assert not page_problems.console_errors, page_problems.console_errors
