"""End to end in Chromium: a page signed in as the department opens the live attendance stream with the
browser's own EventSource (through the site's CSP) and receives a school's submission as it is saved.

Run by .ci/run: ``python -m pytest -m browser tests/browser`` (the default addopts deselect this marker).
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser

from cms.attendance.services import ClassReport, submit_attendance, today
from tests.conftest import build_world, sign_in

from .conftest import TIMEOUT_MS, PageProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN_STREAM = """() => new Promise((resolve, reject) => {
  window.liveEvents = [];
  const source = new EventSource("/live/attendance/");
  source.addEventListener("attendance", (message) => window.liveEvents.push(JSON.parse(message.data)));
  source.addEventListener("open", () => resolve(true));
  source.addEventListener("error", () => reject(new Error("the stream failed to open")));
})"""


def test_a_department_page_receives_a_submission_live(chromium: Browser, asgi_live_server, page_problems):
    world = build_world()
    cookie = sign_in(Client(), world.users["don"]).cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(base_url=asgi_live_server.url, locale="uk-UA", timezone_id="Europe/Kyiv")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": asgi_live_server.url}])
    page = context.new_page()
    problems: PageProblems = page_problems
    page.on("response", problems.on_response)
    page.on("console", problems.on_console)
    try:
        page.goto("/cabinet/")
        assert page.evaluate(OPEN_STREAM) is True

        submit_attendance(
            school=world.school_a,
            date=today(),
            reports=[ClassReport(class_name="5-А", enrolled=28, present=25, absent_illness=3)],
            user=world.users["school_a"],
            source="form",
        )
        page.wait_for_function("window.liveEvents.length > 0")
        (event,) = page.evaluate("window.liveEvents")
    finally:
        context.close()
    assert event["date"] == today().isoformat()
    assert (event["school"]["id"], event["school"]["present"], event["school"]["absent_illness"]) == (
        world.school_a.pk,
        25,
        3,
    )
    assert event["city"]["present"] == 25
    assert not problems.server_errors, problems.server_errors
    assert not problems.console_errors, problems.console_errors
