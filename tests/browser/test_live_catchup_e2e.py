"""End to end in Chromium: a dashboard whose live stream is cut shows, once the browser has reconnected by
itself, what was submitted while it was cut, without a reload: with the id of the last event it received
(Last-Event-ID), and, before it received any, with the moment the page was rendered (``?since=``).

The cut is made on the server: while it lasts, every stream ends as soon as it opens and sends nothing (the
browser keeps reconnecting every ``stream.RETRY_MILLISECONDS``), so a submission meanwhile can only reach
the page through the catch-up. Run by .ci/run with the browser tests (in-process broker) and again through
Redis pub/sub (``-m "browser and redis"``).
"""

import os
import threading
import time

import pytest
from playwright.sync_api import Browser, expect

from cms.attendance import live, stream
from tests.conftest import build_world

from .conftest import PageProblems, open_as, watching

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BACK_WITHIN_MS = 8000  # the browser's retry (2 s) and the catch-up, with room for a busy machine


@pytest.fixture
def cut(monkeypatch) -> threading.Event:
    """While set, streams end at once and send nothing; the open one ends at its next heartbeat."""
    cutting = threading.Event()
    still_valid = stream.SessionWatch.still_valid

    async def valid_unless_cut(self) -> bool:
        return not cutting.is_set() and await still_valid(self)

    monkeypatch.setattr(stream.SessionWatch, "still_valid", valid_unless_cut)
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.2)
    return cutting


def use_redis_if(broker: str, settings) -> None:
    if broker == "redis":
        settings.LIVE_REDIS_URL = os.environ.get("REDIS_URL") or pytest.fail("the Redis variant needs REDIS_URL")


@pytest.mark.parametrize("broker", ["in-process", pytest.param("redis", marks=pytest.mark.redis)])
def test_what_was_submitted_while_the_stream_was_cut_appears_after_it_reconnects(
    chromium: Browser, asgi_live_server, page_problems: PageProblems, settings, cut, broker
):
    use_redis_if(broker, settings)
    world = build_world()
    district = world.district.pk
    don = open_as(chromium, asgi_live_server, world.users["don"], page_problems, "/attendance/")
    try:
        watching(don)
        city_present = don.locator('[data-live="city:present"]').first
        district_present = don.locator(f'[data-live="district:{district}:present"]').first
        not_reported_count = don.locator("#not-reported-title [data-not-reported-count]")
        waiting = int(not_reported_count.text_content())

        # Received live: the page now has the id of an event to resume from.
        submit(world, "school_b", world.school_b, "1-А", 30, ill=2)
        expect(city_present).to_have_text("28")

        cut.set()
        expect(don.locator('[data-live-connected="false"]')).to_be_attached()
        submit(world, "school_a", world.school_a, "5-А", 28, ill=4)  # 24 present
        time.sleep(stream.RETRY_MILLISECONDS / 1000 + 0.5)  # reconnected at least once, still cut
        expect(city_present).to_have_text("28", timeout=100)
        expect(don.locator(f'[data-not-reported="{world.school_a.pk}"]')).to_have_count(1, timeout=100)

        cut.clear()
        expect(city_present).to_have_text("52", timeout=BACK_WITHIN_MS)
        expect(district_present).to_have_text("52")
        expect(don.locator(f'[data-not-reported="{world.school_a.pk}"]')).to_have_count(0)
        expect(not_reported_count).to_have_text(str(waiting - 2))
        expect(don.locator('[data-live-connected="true"]')).to_be_attached()
        assert don.evaluate("window.notReloaded") is True
    finally:
        don.context.close()
    assert not page_problems.server_errors, page_problems.server_errors
    assert not page_problems.console_errors, page_problems.console_errors


def test_a_submission_between_the_page_and_its_first_stream_appears(
    chromium: Browser, asgi_live_server, page_problems: PageProblems, cut
):
    """The stream is cut before the page loads, so the page has received no event when the submission is
    saved: it catches up from the moment it was rendered (data-live-since)."""
    world = build_world()
    district = world.district.pk
    cut.set()
    ruo = open_as(chromium, asgi_live_server, world.users["own_ruo"], page_problems, "/attendance/")
    try:
        district_present = ruo.locator(f'[data-live="district:{district}:present"]').first
        school_present = ruo.locator(f'[data-live="school:{world.school_a.pk}:present"]').first
        expect(district_present).to_have_text("—")
        ruo.evaluate("window.notReloaded = true")
        submit(world, "school_a", world.school_a, "1-А", 25, ill=3)  # 22 present
        cut.clear()
        expect(district_present).to_have_text("22", timeout=BACK_WITHIN_MS)
        expect(school_present).to_have_text("22")
        assert ruo.evaluate("window.notReloaded") is True
    finally:
        ruo.context.close()
    assert not page_problems.server_errors, page_problems.server_errors
    assert not page_problems.console_errors, page_problems.console_errors


def submit(world, actor: str, school, class_name: str, enrolled: int, *, ill: int) -> None:
    from tests.attendance.helpers import report
    from tests.attendance.helpers import submit as submit_as

    submit_as(world, actor, school, [report(class_name, enrolled, ill=ill)])
