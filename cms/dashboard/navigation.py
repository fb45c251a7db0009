"""The tools each role sees in the navigation: one list, filtered by the same capabilities the views check."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cms.accounts.roles import has_capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str | None
    key: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS = [
    NavItem(_("Dashboard"), "dashboard:home", None, "home"),
    NavItem(_("My school"), "org:my_school", "school_profile", "my_school"),
    NavItem(_("Schools"), "org:school_list", "schools_directory", "schools"),
    NavItem(_("Communities"), "communities:list", "communities", "communities"),
    NavItem(_("Audit log"), "audit:log", "audit_log", "audit"),
    NavItem(_("Administration"), "wagtailadmin_home", "wagtail_admin", "admin"),
]


def items_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.capability is None or has_capability(user, item.capability)]
