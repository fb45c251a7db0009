"""Permissions as code: the role groups and their Django, Wagtail page and collection permissions.

``manage.py setup_roles`` applies this; it is idempotent and leaves nothing else changed.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from cms.groups.models import Community
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
# Wagtail checks document permissions on its base Document model (auth_model of its permission policy),
# whichever document model is in use.
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
        # Attendance thresholds and cut-off (Wagtail admin: Settings → Attendance).
        "attendance.change_attendancesettings",
    ],
    Role.RUO_STAFF: [ADMIN_ACCESS],
    Role.SCHOOL_DIRECTOR: [],
    Role.SCHOOL_DEPUTY: [],
    Role.SITE_ADMIN: [ADMIN_ACCESS, *ACCOUNT_MANAGEMENT],
}

# DON administrators approve the city's moderation workflow, which publishes: they need the same page rights.
CITY_PAGE_ROLES = {Role.DON_EDITOR, Role.DON_ADMIN}
CITY_COLLECTION_ROLES = {Role.DON_EDITOR}


def _permissions(names: list[str]) -> list[Permission]:
    perms = []
    for name in names:
        app_label, codename = name.split(".")
        perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return perms


def _collection(name: str, **audience) -> Collection:
    from cms.library.models import CollectionAudience

    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=name).first() or root.add_child(name=name)
    CollectionAudience.objects.update_or_create(collection=collection, defaults=audience)
    return collection


def city_collection() -> Collection:
    """Documents every signed-in user of the city may read."""
    return _collection("Місто", level="city")


def district_collection(district: District) -> Collection:
    """Documents of one district: its office, its schools and the department read them."""
    return _collection(f"{district.name} район", level="district", district=district)


def community_collection(community) -> Collection:
    """Documents shared within one community: its member schools and people, and the department."""
    return _collection(f"Спільнота: {community.name}", level="community", community=community)


def _district_section(district: District):
    from cms.pages.models import DistrictSectionPage

    return DistrictSectionPage.objects.filter(district=district).first()


def _experience_workflow(district: District, reviewers: Group) -> None:
    """Articles of a district's schools are approved by that district's office before they are published."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    from cms.pages.models import ExperienceDistrictPage

    folder = ExperienceDistrictPage.objects.filter(district=district).first()
    if folder is None:
        return
    name = f"Модерація статей: {district.name} район"
    task, _created = GroupApprovalTask.objects.get_or_create(name=name)
    task.groups.set([reviewers])
    workflow, _created = Workflow.objects.get_or_create(name=name)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=folder, defaults={"workflow": workflow})
    # Approving the last task publishes the article, which needs publish permission on the folder.
    _grant_pages(reviewers, folder, ["wagtailcore.change_page", "wagtailcore.publish_page"])


def _grant_pages(group: Group, page: Page, names: list[str]) -> None:
    wanted = _permissions(names)
    for perm in wanted:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perm)


def _grant_collection(group: Group, collection: Collection, names: list[str]) -> None:
    for perm in _permissions(names):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)


ROOT_COLLECTION_NAME = "Департамент (службові)"
DEFAULT_WORKFLOW_NAME = "Затвердження модераторами"


WAGTAIL_DEFAULT_GROUPS = ["Moderators", "Editors"]


def _adopt_wagtail_defaults(root_collection: Collection) -> None:
    """Wagtail's first migrations name the root collection and the default workflow in English and create
    "Moderators" and "Editors" groups with rights over the whole tree. The portal's roles replace those
    groups (removed while nobody is in them), and the department's administrators approve the default
    moderation workflow that DON editors submit city pages to."""
    from wagtail.models import GroupApprovalTask, Workflow

    if root_collection.name != ROOT_COLLECTION_NAME:
        root_collection.name = ROOT_COLLECTION_NAME
        root_collection.save(update_fields=["name"])
    Workflow.objects.filter(name="Moderators approval").update(name=DEFAULT_WORKFLOW_NAME)
    GroupApprovalTask.objects.filter(name="Moderators approval").update(name=DEFAULT_WORKFLOW_NAME)
    Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS, user__isnull=True).delete()
    approvers = Group.objects.get(name=ROLE_GROUP_NAMES[Role.DON_ADMIN])
    for task in GroupApprovalTask.objects.filter(name=DEFAULT_WORKFLOW_NAME):
        task.groups.set([approvers])


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
    _adopt_wagtail_defaults(root_collection)
    city = city_collection()
    for community in Community.objects.filter(kind=Community.Kind.THEMATIC):
        community_collection(community)
    for role in CITY_COLLECTION_ROLES:
        _grant_collection(Group.objects.get(name=ROLE_GROUP_NAMES[role]), city, DOCUMENT_EDITING)
    for district in District.objects.all():
        group, _created = Group.objects.get_or_create(name=district_group_name(district))
        _grant_collection(group, district_collection(district), DOCUMENT_EDITING)
        section = _district_section(district)
        if section is not None:
            _grant_pages(group, section, PAGE_EDITING)
        _experience_workflow(district, group)
        groups.append(group)
    return groups
