"""The tools each role sees in the navigation: one list, filtered by the same capabilities the views check."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cms.accounts.roles import has_capability
from cms.org.scope import scope_of


@dataclass(frozen=True)
class NavItem:
    label: str
    key: str
    capability: str | None
    url_for: Callable[[object], str | None]

    def url(self, user) -> str | None:
        return self.url_for(user)


def _named(url_name: str):
    return lambda user: reverse(url_name)


def _page(slug: str):
    """A section of the page tree, served under /pages/ (the home page is the site root)."""
    return lambda user: f"/pages/{slug}/"


def _my_district(user) -> str | None:
    from cms.org.models import District

    district_id = scope_of(user).district_id
    if district_id is None:
        return None
    return f"/pages/{District.objects.values_list('slug', flat=True).get(pk=district_id)}/"


NAV_ITEMS = [
    NavItem(_("Dashboard"), "home", None, _named("dashboard:home")),
    NavItem(_("My school"), "my_school", "school_profile", _named("org:my_school")),
    NavItem(_("Attendance"), "attendance", "attendance", _named("attendance:home")),
    NavItem(_("Search"), "search", "library", _named("search:results")),
    NavItem(_("Normative base"), "regulations", "library", _page("normatyvna-baza")),
    NavItem(_("Announcements"), "announcements", "library", _page("oholoshennia")),
    NavItem(_("My district"), "district", "library", _my_district),
    NavItem(_("Document library"), "library", "library", _named("library:document_list")),
    NavItem(_("Reports"), "reports", "library", _page("zvity")),
    NavItem(_("Monitoring"), "studies", "library", _page("monitorynh")),
    NavItem(_("Experience"), "experience", "library", _page("obmin-dosvidom")),
    NavItem(_("Archive"), "archive", "library", _page("arkhiv")),
    NavItem(_("Schools"), "schools", "schools_directory", _named("org:school_list")),
    NavItem(_("Communities"), "communities", "communities", _named("communities:list")),
    NavItem(_("Due for review"), "review", "review_list", _named("library:review_due")),
    NavItem(_("What people search"), "search_log", "search_log", _named("search:query_log")),
    NavItem(_("Audit log"), "audit", "audit_log", _named("audit:log")),
    NavItem(_("Administration"), "admin", "wagtail_admin", _named("wagtailadmin_home")),
]


@dataclass(frozen=True)
class ResolvedNavItem:
    label: str
    key: str
    url: str


def items_for(user) -> list[ResolvedNavItem]:
    items = []
    for item in NAV_ITEMS:
        if item.capability is not None and not has_capability(user, item.capability):
            continue
        url = item.url(user)
        if url:
            items.append(ResolvedNavItem(item.label, item.key, url))
    return items
