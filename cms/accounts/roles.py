"""The portal's roles: who a user is, at which level of the organisation, and which group grants it.

A role is stored on the user; Django groups (and so Wagtail page and collection permissions) are derived
from it by ``cms.accounts.services.assign_role`` and created by ``manage.py setup_roles``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.org.models import Level


class Role(models.TextChoices):
    DON_EDITOR = "don_editor", _("DON editor")
    DON_ANALYST = "don_analyst", _("DON analyst")
    DON_ADMIN = "don_admin", _("DON administrator")
    RUO_STAFF = "ruo_staff", _("District office staff")
    SCHOOL_DIRECTOR = "school_director", _("School director")
    SCHOOL_DEPUTY = "school_deputy", _("Deputy director")
    SITE_ADMIN = "site_admin", _("Site administrator")


ROLE_LEVEL: dict[str, str | None] = {
    Role.DON_EDITOR: Level.CITY,
    Role.DON_ANALYST: Level.CITY,
    Role.DON_ADMIN: Level.CITY,
    Role.RUO_STAFF: Level.DISTRICT,
    Role.SCHOOL_DIRECTOR: Level.SCHOOL,
    Role.SCHOOL_DEPUTY: Level.SCHOOL,
    # A site administrator configures the portal; it belongs to no organisation unit.
    Role.SITE_ADMIN: None,
}

# Stable names of the role groups (data shown in the Wagtail admin, hence Ukrainian).
ROLE_GROUP_NAMES: dict[str, str] = {
    Role.DON_EDITOR: "ДОН: редактори",
    Role.DON_ANALYST: "ДОН: аналітики",
    Role.DON_ADMIN: "ДОН: адміністратори",
    Role.RUO_STAFF: "РУО: працівники",
    Role.SCHOOL_DIRECTOR: "Заклади: директори",
    Role.SCHOOL_DEPUTY: "Заклади: заступники",
    Role.SITE_ADMIN: "Адміністратори порталу",
}

# Per-district groups hold the page and collection permissions of one district office.
DISTRICT_GROUP_PREFIX = "РУО: "


def district_group_name(district) -> str:
    return f"{DISTRICT_GROUP_PREFIX}{district.name} район"


ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.DON_EDITOR: _(
        "Sees the whole city. Publishes regulations and announcements in the city tree, edits the city "
        "document collections, sends circulars to all schools or chosen districts and groups."
    ),
    Role.DON_ANALYST: _("Sees the whole city read-only: dashboards, reports and results of every district and school."),
    Role.DON_ADMIN: _(
        "Sees the whole city. Reads the audit log, creates thematic communities and manages their members."
    ),
    Role.RUO_STAFF: _(
        "Sees its own district's schools and what is addressed to the district. Publishes in the district "
        "section and the district collection, reviews its schools' reports, moderates their articles."
    ),
    Role.SCHOOL_DIRECTOR: _(
        "Sees its own school and what is addressed to it or its communities. Submits attendance and reports, "
        "answers surveys, acknowledges circulars."
    ),
    Role.SCHOOL_DEPUTY: _("Same scope as the director of the same school; cannot manage the school's accounts."),
    Role.SITE_ADMIN: _("Configures the portal and manages accounts and roles. Holds no school or district role."),
}

# Every role that belongs to a unit of the organisation, i.e. all but the site administrator.
UNIT_ROLES = {
    Role.DON_EDITOR,
    Role.DON_ANALYST,
    Role.DON_ADMIN,
    Role.RUO_STAFF,
    Role.SCHOOL_DIRECTOR,
    Role.SCHOOL_DEPUTY,
}

# Portal tools per role (navigation and server-side access checks use the same map).
CAPABILITIES: dict[str, set[str]] = {
    "schools_directory": {Role.DON_EDITOR, Role.DON_ANALYST, Role.DON_ADMIN, Role.RUO_STAFF, Role.SITE_ADMIN},
    "communities": UNIT_ROLES,
    "manage_communities": {Role.DON_EDITOR, Role.DON_ADMIN},
    "audit_log": {Role.DON_ADMIN, Role.SITE_ADMIN},
    "wagtail_admin": {Role.DON_EDITOR, Role.DON_ADMIN, Role.RUO_STAFF, Role.SITE_ADMIN},
    "school_profile": {Role.SCHOOL_DIRECTOR, Role.SCHOOL_DEPUTY},
    "library": UNIT_ROLES,
    "write_articles": {Role.SCHOOL_DIRECTOR, Role.SCHOOL_DEPUTY},
    "review_list": {Role.DON_EDITOR, Role.DON_ADMIN, Role.RUO_STAFF},
    # What everyone in the city searched for: query texts may name what another district or school reads
    # (a title typed by a school) and the "nothing found" counts are each searcher's scope's, so only the
    # city's editors, whose scope is the whole city, read it.
    "search_log": {Role.DON_EDITOR, Role.DON_ADMIN},
    "attendance": UNIT_ROLES,
    "submit_attendance": {Role.SCHOOL_DIRECTOR, Role.SCHOOL_DEPUTY},
    "attendance_alert_mail": {Role.DON_ADMIN, Role.DON_ANALYST, Role.RUO_STAFF},
}


def has_capability(user, capability: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    role = Role.SITE_ADMIN if user.is_superuser else user.role
    return role in CAPABILITIES[capability]
