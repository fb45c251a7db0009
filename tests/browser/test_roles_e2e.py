"""End to end in Chromium: each demo role signs in through the real forms (with the real second-factor page
where its role requires one), lands on its own dashboard, sees its own tools and not another role's, and
gets a 404 (or 403 for a tool of another role) when it opens a page outside its scope.

Run by .ci/run: ``python -m pytest -m browser tests/browser`` (the default addopts deselect this marker).
"""

import base64
import re
from dataclasses import dataclass

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from cms.accounts.models import User
from cms.accounts.permissions import setup_roles
from cms.accounts.roles import Role
from cms.accounts.services import assign_role
from cms.groups.models import Community
from cms.org.models import School

# The live server answers from another thread, so the tests commit (transaction=True); the tables are flushed
# after each test, and serialized_rollback restores what the migrations created (see the conftest).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONTENT_NAV = {"search", "regulations", "announcements", "library", "reports", "studies", "experience", "archive"}
ALL_NAV = {
    "home",
    "my_school",
    "attendance",
    "district",
    "schools",
    "communities",
    "review",
    "search_log",
    "audit",
    "admin",
    *CONTENT_NAV,
}
# A followed skip link leaves "#main" on the URL, and a redirect keeps it.
DASHBOARD_URL = re.compile(r"/cabinet/(#main)?$")
TWO_FACTOR_URL = re.compile(r"/two-factor/(#main)?$")
THROTTLE_AFTER_FAILURE_MS = 1_500


@dataclass(frozen=True)
class RoleCase:
    username: str
    dashboard: str
    nav: frozenset[str]
    # How the second factor is passed: "" (not required), "verify" (a confirmed device exists, type its
    # code) or "enrol" (walk the enrolment page: read the key it shows, type the code).
    two_factor: str

    @property
    def hidden_nav(self) -> set[str]:
        return ALL_NAV - self.nav


ROLES = [
    RoleCase(
        "demo-don",
        "city",
        frozenset({"home", "attendance", "schools", "communities", "review", "search_log", "admin", *CONTENT_NAV}),
        "verify",
    ),
    RoleCase(
        "demo-ruo",
        "district",
        frozenset({"home", "attendance", "district", "schools", "communities", "review", "admin", *CONTENT_NAV}),
        "verify",
    ),
    RoleCase(
        "demo-school",
        "school",
        frozenset({"home", "my_school", "attendance", "district", "communities", *CONTENT_NAV}),
        "",
    ),
    RoleCase(
        "demo-school-2",
        "school",
        frozenset({"home", "my_school", "attendance", "district", "communities", *CONTENT_NAV}),
        "",
    ),
    RoleCase("demo-admin", "site_admin", frozenset({"home", "schools", "audit", "admin"}), "enrol"),
]


def _code(bin_key: bytes) -> str:
    return f"{totp(bin_key):06d}"


def confirmed_device(username: str) -> TOTPDevice:
    return TOTPDevice.objects.create(user=User.objects.get(username=username), name="Authenticator", confirmed=True)


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/'] button[type=submit]")


def pass_two_factor(page: Page, case: RoleCase, device: TOTPDevice | None) -> None:
    expect(page).to_have_url(TWO_FACTOR_URL)
    if case.two_factor == "enrol":
        secret = page.locator("[data-secret]")
        expect(secret).to_be_visible()
        bin_key = base64.b32decode(secret.inner_text().strip())
    else:
        expect(page.locator("[data-secret]")).to_have_count(0)
        bin_key = device.bin_key
    # A wrong code first: the page must say so and keep the user at this step.
    page.fill("input[name=token]", "000000" if _code(bin_key) != "000000" else "111111")
    page.click("main form:not([action]) button[type=submit]")
    expect(page).to_have_url(TWO_FACTOR_URL)
    expect(page.locator(".has-error input[name=token]")).to_have_count(1)
    # django-otp throttles the device for a second after a failure; a person takes longer than that anyway.
    page.wait_for_timeout(THROTTLE_AFTER_FAILURE_MS)
    page.fill("input[name=token]", _code(bin_key))
    page.click("main form:not([action]) button[type=submit]")


def nav_keys(page: Page) -> set[str]:
    return set(page.locator("nav.main-nav [data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)"))


def scope_checks(username: str) -> list[tuple[str, int]]:
    """Pages for this user and the status they must answer: 404 outside its scope (ids do not leak),
    403 for a tool of another role, 200 for what its scope does include."""
    school_236 = School.objects.get(edebo_code="148438")  # demo-school's, in Голосіївський
    obolonskyi_school = School.objects.working().filter(district__slug="obolonskyi").order_by("edebo_code").first()
    holosiivskyi_other = (
        School.objects.filter(district__slug="holosiivskyi").exclude(pk=school_236.pk).order_by("pk").first()
    )
    holosiivskyi_community = Community.objects.get(district__slug="holosiivskyi")
    obolonskyi_community = Community.objects.get(district__slug="obolonskyi")
    return {
        # The department sees the whole city: only other roles' tools are closed to it.
        "demo-don": [
            (f"/org/schools/{obolonskyi_school.pk}/", 200),
            (f"/communities/{obolonskyi_community.pk}/", 200),
            ("/audit/", 403),
            ("/org/my-school/", 403),
        ],
        "demo-ruo": [
            (f"/org/schools/{holosiivskyi_other.pk}/", 200),
            (f"/org/schools/{obolonskyi_school.pk}/", 404),
            (f"/communities/{obolonskyi_community.pk}/", 404),
            ("/audit/", 403),
        ],
        "demo-school": [
            (f"/org/schools/{school_236.pk}/", 200),
            (f"/org/schools/{obolonskyi_school.pk}/", 404),
            (f"/org/schools/{holosiivskyi_other.pk}/", 404),
            (f"/communities/{obolonskyi_community.pk}/", 404),
            ("/org/schools/", 403),
            ("/audit/", 403),
        ],
        "demo-school-2": [
            (f"/org/schools/{obolonskyi_school.pk}/", 200),
            (f"/org/schools/{school_236.pk}/", 404),
            (f"/communities/{holosiivskyi_community.pk}/", 404),
        ],
        # A site administrator reads the directory but no unit's content.
        "demo-admin": [
            (f"/org/schools/{obolonskyi_school.pk}/", 200),
            (f"/communities/{holosiivskyi_community.pk}/", 404),
            ("/org/my-school/", 403),
        ],
    }[username]


@pytest.mark.parametrize("case", ROLES, ids=[case.username for case in ROLES])
def test_role_signs_in_to_its_own_dashboard_and_scope(
    browser_page: Page, page_problems, demo: str, screenshots_dir, case: RoleCase
):
    page = browser_page
    device = confirmed_device(case.username) if case.two_factor == "verify" else None
    checks = scope_checks(case.username)
    member_counts = {f"/communities/{c.pk}/": f"({c.memberships.count()})" for c in Community.objects.all()}

    sign_in(page, case.username, demo)
    if case.two_factor:
        pass_two_factor(page, case, device)

    expect(page).to_have_url(DASHBOARD_URL)
    heading = page.locator("main h1[data-dashboard]")
    expect(heading).to_have_attribute("data-dashboard", case.dashboard)
    expect(page.locator("nav.main-nav [data-nav=home]")).to_have_attribute("aria-current", "page")
    seen = nav_keys(page)
    # Its own tools are all there; none of another role's. (Tools added later may appear beside them.)
    assert case.nav <= seen, f"{case.username} misses nav items {sorted(case.nav - seen)}"
    assert not seen & case.hidden_nav, f"{case.username} sees other roles' nav items {sorted(seen & case.hidden_nav)}"
    for key in case.hidden_nav:
        expect(page.locator(f"[data-nav={key}]")).to_have_count(0)
    # Its communities, each with its whole member count (not only the members in this user's scope).
    shown = page.locator("#communities-title ~ ul li").evaluate_all(
        "items => items.map(li => [li.querySelector('a').getAttribute('href'), li.querySelector('.muted').textContent])"
    )
    assert shown or case.dashboard == "site_admin", f"{case.username} sees no communities"
    assert dict(shown) == {href: member_counts[href] for href, _count in shown}
    page.screenshot(path=str(screenshots_dir / f"{case.username}-dashboard.png"), full_page=True)

    for url, status in checks:
        response = page.goto(url)
        assert response is not None and response.status == status, f"{case.username} {url}: {response.status}"
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("main h1[data-dashboard]")).to_have_count(0)

    # Its own tools do open from the navigation (and the second factor is not asked again in this session).
    for key in sorted(case.nav):
        page.goto("/cabinet/")
        with page.expect_navigation() as navigation:
            page.click(f"nav.main-nav [data-nav={key}]")
        assert navigation.value.status == 200, f"{case.username} nav {key}: {navigation.value.status} {page.url}"
        assert not TWO_FACTOR_URL.search(page.url), f"{case.username} was sent back to the second factor"


def _focused(page: Page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',"
        " cls: e.className || ''}; }"
    )


def _tab_to(page: Page, name: str, limit: int = 10) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page)["name"] == name:
            return
    pytest.fail(f"Tab never reached the field {name!r}; focus is on {_focused(page)}")


def _skip_to_main(page: Page) -> None:
    """Reach the skip link by keyboard from where focus is (the page, or an autofocused field), follow it."""
    key = "Tab" if _focused(page)["tag"] == "body" else "Shift+Tab"
    for _ in range(5):
        page.keyboard.press(key)
        if "skip-link" in _focused(page)["cls"]:
            break
    else:
        pytest.fail(f"{key} never reached the skip link; focus is on {_focused(page)}")
    expect(page.locator(".skip-link")).to_be_in_viewport()  # shown when focused
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main", f"the skip link moved focus to {_focused(page)}"


@pytest.mark.parametrize("username", ["demo-school", "demo-ruo"])
def test_keyboard_only_sign_in(browser_page: Page, demo: str, username: str):
    """No mouse: reach and follow the skip link, Tab into the form, type, Enter (and the same for 2FA)."""
    page = browser_page
    device = confirmed_device(username) if username == "demo-ruo" else None
    page.goto("/")
    # Focus starts on the page itself or on the login field (Django's login form autofocuses it).
    assert _focused(page)["tag"] == "body" or _focused(page)["name"] == "username", _focused(page)

    _skip_to_main(page)
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "username", f"after the skip link Tab reaches {_focused(page)}"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "password", f"after the login Tab reaches {_focused(page)}"
    page.keyboard.type(demo)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    if device is not None:
        expect(page).to_have_url(TWO_FACTOR_URL)
        _skip_to_main(page)
        _tab_to(page, "token")
        page.keyboard.type(_code(device.bin_key))
        with page.expect_navigation():
            page.keyboard.press("Enter")

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.locator("main h1[data-dashboard]")).to_be_visible()


def test_wagtail_admin_loads_nothing_from_other_hosts(browser_page: Page, page_problems, settings):
    page = browser_page
    setup_roles()  # one editor is enough here: no need for the whole demo registry
    # Wagtail asks Gravatar for the avatar of any user with an e-mail address.
    editor = User.objects.create_user("don-editor", email="don-editor@example.invalid", password=settings.DEMO_PASSWORD)
    assign_role(user=editor, role=Role.DON_EDITOR)
    device = confirmed_device("don-editor")
    sign_in(page, "don-editor", settings.DEMO_PASSWORD)
    page.fill("input[name=token]", _code(device.bin_key))
    page.click("main form:not([action]) button[type=submit]")
    page.wait_for_url(DASHBOARD_URL)
    response = page.goto("/admin/")
    if response is None or response.status != 200:
        pytest.fail(f"the Wagtail admin answered {response and response.status}")
    external = page.evaluate(
        "() => Array.from(document.querySelectorAll('img[src], script[src], link[href]'))"
        ".map(e => e.src || e.href).filter(u => /^https?:/.test(u) && new URL(u).origin !== location.origin)"
    )
    assert external == []
