"""Permissions as code: the role groups and their Django, Wagtail page and collection permissions.

``manage.py setup_roles`` applies this; it is idempotent and leaves nothing else changed.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from cms.org.models import District

from .roles import ROLE_GROUP_NAMES, Role, district_group_name

ADMIN_ACCESS = "wagtailadmin.access_admin"
PAGE_EDITING = [
    "wagtailcore.add_page",
    "wagtailcore.change_page",
    "wagtailcore.publish_page",
    "wagtailcore.lock_page",
    "wagtailcore.unlock_page",
]
DOCUMENT_EDITING = [
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
]
# Managing users or permissions in Wagtail means being able to promote oneself: only site administrators.
ACCOUNT_MANAGEMENT = [
    "accounts.add_user",
    "accounts.change_user",
    "accounts.delete_user",
    "accounts.view_user",
    "auth.add_group",
    "auth.change_group",
    "auth.delete_group",
    "auth.view_group",
]
SELF_PROMOTION_PERMISSIONS = {"accounts.add_user", "accounts.change_user", "auth.add_group", "auth.change_group"}

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DON_EDITOR: [ADMIN_ACCESS],
    Role.DON_ANALYST: [],
    Role.DON_ADMIN: [
        ADMIN_ACCESS,
        "communities.add_community",
        "communities.change_community",
        "communities.add_membership",
        "communities.delete_membership",
    ],
    Role.RUO_STAFF: [ADMIN_ACCESS],
    Role.SCHOOL_DIRECTOR: [],
    Role.SCHOOL_DEPUTY: [],
    Role.SITE_ADMIN: [ADMIN_ACCESS, *ACCOUNT_MANAGEMENT],
}

CITY_PAGE_ROLES = {Role.DON_EDITOR}
CITY_COLLECTION_ROLES = {Role.DON_EDITOR}


def _permissions(names: list[str]) -> list[Permission]:
    perms = []
    for name in names:
        app_label, codename = name.split(".")
        perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return perms


def district_collection(district: District) -> Collection:
    root = Collection.get_first_root_node()
    name = f"{district.name} район"
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


def _grant_pages(group: Group, page: Page, names: list[str]) -> None:
    wanted = _permissions(names)
    for perm in wanted:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perm)


def _grant_collection(group: Group, collection: Collection, names: list[str]) -> None:
    for perm in _permissions(names):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)


@transaction.atomic
def setup_roles() -> list[Group]:
    groups = []
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role, name in ROLE_GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(ROLE_PERMISSIONS[role]))
        if role in CITY_PAGE_ROLES:
            _grant_pages(group, root_page, PAGE_EDITING)
        if role in CITY_COLLECTION_ROLES:
            _grant_collection(group, root_collection, DOCUMENT_EDITING)
        groups.append(group)
    for district in District.objects.all():
        group, _created = Group.objects.get_or_create(name=district_group_name(district))
        _grant_collection(group, district_collection(district), DOCUMENT_EDITING)
        groups.append(group)
    return groups
