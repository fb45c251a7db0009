"""Accessibility of the portal's main pages in Chromium: each page the navigation leads to, opened as a user who
may see it, at a desktop width and on a 375 px wide phone. axe-core checks it against WCAG 2.1 A/AA (a serious
or critical violation fails), the page body must not scroll sideways (on the phone, nor at WCAG's reflow width
of 320 px), and the page must answer without a server error or a browser console error. The search pages
have their own module (test_search_a11y_e2e.py).

One data fixture for the module: the test world (two districts, three schools with classes, acts, documents
and communities of every scope) in Kyiv's real ten districts with their boundaries, and an announcement, a
report, a study, an experience article and a day of attendance added, so the lists, the dashboards and the
district maps show real content.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from cms.attendance import district_map
from cms.attendance.models import SchoolClass
from cms.org.importers import import_districts
from cms.pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    ExperienceArticlePage,
    ExperienceDistrictPage,
    HomePage,
    ReportIndexPage,
    ReportPage,
    StudyIndexPage,
    StudyPage,
)
from tests.attendance.helpers import PLAIN, report, submit
from tests.conftest import World, build_world

from .conftest import PHONE, assert_accessible, assert_reflows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# An address pasted into a text, long and unbroken: it must wrap rather than widen a phone's page.
SOURCE_URL = "https://zakon.rada.gov.ua/laws/show/z0564-18#Text"
DISTRICTS = Path(settings.SHARED_DATA_DIR) / "districts" / "kyiv_districts_slim.geojson"


@dataclass(frozen=True)
class PageCase:
    name: str
    actor: str | None  # one of the world's users, or None: signed out
    path: Callable[[World], str]
    status: int = 200


def _class_attendance(school, name: str) -> str:
    return reverse("attendance:class", args=[school.pk, SchoolClass.objects.get(school=school, name=name).pk])


def _section(slug: str) -> Callable[[World], str]:
    return lambda world: f"/pages/{slug}/"


PAGES = [
    PageCase("start-page-login", None, lambda world: reverse("accounts:login")),
    # The directors' pages.
    PageCase("school-dashboard", "school_a", lambda world: reverse("dashboard:home")),
    PageCase("school-profile", "school_a", lambda world: reverse("org:my_school")),
    PageCase("school-attendance-form", "school_a", lambda world: reverse("attendance:submit")),
    PageCase("school-attendance-dashboard", "school_a", lambda world: reverse("attendance:home")),
    PageCase("school-attendance-upload", "school_a", lambda world: reverse("attendance:upload")),
    PageCase("school-attendance-api-key", "school_a", lambda world: reverse("attendance:api_key")),
    PageCase("password-change", "school_a", lambda world: reverse("accounts:password_change")),
    PageCase("normative-base", "school_a", _section("normatyvna-baza")),
    PageCase("act", "school_a", lambda world: world.content.city_regulation.url),
    PageCase("document-library", "school_a", lambda world: reverse("library:document_list")),
    PageCase("announcements", "school_a", _section("oholoshennia")),
    PageCase("announcement", "school_a", lambda world: AnnouncementPage.objects.get().url),
    PageCase("district-section", "school_a", lambda world: f"/pages/{world.district.slug}/"),
    PageCase("district-normative-base", "school_a", lambda world: world.content.district_a_regulation.get_parent().url),
    PageCase("district-experience", "school_a", lambda world: ExperienceArticlePage.objects.get().get_parent().url),
    PageCase("experience-article", "school_a", lambda world: ExperienceArticlePage.objects.get().url),
    PageCase("communities", "school_a", lambda world: reverse("communities:list")),
    PageCase("community", "school_a", lambda world: reverse("communities:detail", args=[world.community_a.pk])),
    PageCase("experience-write", "school_a", lambda world: reverse("experience:write")),
    PageCase("experience-mine", "school_a", lambda world: reverse("experience:mine")),
    PageCase("not-found", "school_a", lambda world: "/pages/nemaie-takoi-storinky/", status=404),
    PageCase("forbidden", "school_a", lambda world: reverse("audit:log"), status=403),
    # The district office's pages.
    PageCase("district-dashboard", "own_ruo", lambda world: reverse("dashboard:home")),
    PageCase("district-attendance-and-map", "own_ruo", lambda world: reverse("attendance:home")),
    PageCase("class-attendance", "own_ruo", lambda world: _class_attendance(world.school_a, "5-А")),
    PageCase("schools", "own_ruo", lambda world: reverse("org:school_list")),
    PageCase("school", "own_ruo", lambda world: reverse("org:school_detail", args=[world.school_a.pk])),
    PageCase("due-for-review", "own_ruo", lambda world: reverse("library:review_due")),
    # The department's pages.
    PageCase("city-dashboard", "don", lambda world: reverse("dashboard:home")),
    PageCase("new-community", "don", lambda world: reverse("communities:create")),
    PageCase("city-attendance-and-map", "don", lambda world: reverse("attendance:home")),
    PageCase("reports", "don", _section("zvity")),
    PageCase("report", "don", lambda world: ReportPage.objects.get().url),
    PageCase("monitoring", "don", _section("monitorynh")),
    PageCase("study", "don", lambda world: StudyPage.objects.get().url),
    PageCase("experience", "don", _section("obmin-dosvidom")),
    PageCase("archive", "don", _section("arkhiv")),
    # The administrators' page.
    PageCase("audit-log", "site_admin", lambda world: reverse("audit:log")),
]


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def portal_world(transactional_db) -> Iterator[World]:
    """The test world in the real districts, with an announcement, a report, a monitoring study, an article of
    school A's experience and today's attendance of school A.

    The maps' outlines are cached per process: cleared before and after, so no other test sees these."""
    district_map.clear_cache()
    import_districts(DISTRICTS)
    world = build_world()
    home = HomePage.objects.get()
    body = f"<p>Порядок зарахування учнів визначено наказом МОН ({SOURCE_URL}).</p>"
    _publish(
        AnnouncementIndexPage.objects.child_of(home).get(),
        AnnouncementPage(title="Про зарахування до перших класів", slug="zarakhuvannia", body=body),
    )
    _publish(
        ReportIndexPage.objects.child_of(home).get(),
        ReportPage(title="Звіт про харчування учнів", slug="kharchuvannia", year=2025, body=body),
    )
    _publish(
        StudyIndexPage.objects.child_of(home).get(),
        StudyPage(title="Моніторинг якості читання у 4 класах", slug="chytannia", year=2025, body=body),
    )
    _publish(
        ExperienceDistrictPage.objects.get(district=world.district),
        ExperienceArticlePage(
            title="Як ми організували навчання в укритті", slug="ukryttia", author_school=world.school_a, body=body
        ),
    )
    reports = [report(name, enrolled, ill=2 if name == "5-А" else 0) for name, enrolled in PLAIN.items()]
    submit(world, "school_a", world.school_a, reports)
    yield world
    district_map.clear_cache()


@pytest.mark.parametrize("case", PAGES, ids=[case.name for case in PAGES])
def test_page_is_accessible(open_in_viewport, viewport, portal_world: World, case: PageCase):
    user = portal_world.users[case.actor] if case.actor else None
    page = open_in_viewport(user, case.path(portal_world))
    status = page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
    assert status == case.status, f"{case.name}: answered {status} at {page.url}"
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page, case.name)
    if viewport == PHONE:
        assert_reflows(page, case.name)
