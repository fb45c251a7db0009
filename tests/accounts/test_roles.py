import csv
import io
import stat

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, ModelLogEntry

from cms.accounts.models import User
from cms.accounts.permissions import SELF_PROMOTION_PERMISSIONS
from cms.accounts.roles import ROLE_DESCRIPTIONS, ROLE_GROUP_NAMES, Role, district_group_name
from cms.accounts.services import assign_role
from tests.factories import SchoolFactory, UserFactory


def _perm_names(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_setup_roles_is_idempotent(world):
    counts = (Group.objects.count(), GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count())
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    call_command("setup_roles", stdout=out)
    assert counts == (
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
    )
    assert "Груп ролей налаштовано" in out.getvalue()


def test_every_role_has_a_group_and_a_description(world):
    for role in Role:
        assert Group.objects.filter(name=ROLE_GROUP_NAMES[role]).exists()
        assert str(ROLE_DESCRIPTIONS[role])


@pytest.mark.parametrize(
    "role",
    [Role.SCHOOL_DIRECTOR, Role.SCHOOL_DEPUTY, Role.RUO_STAFF, Role.DON_EDITOR, Role.DON_ANALYST, Role.DON_ADMIN],
)
def test_only_site_admins_can_manage_users_or_permissions(world, role):
    group = Group.objects.get(name=ROLE_GROUP_NAMES[role])
    assert not _perm_names(group) & SELF_PROMOTION_PERMISSIONS
    site_admins = Group.objects.get(name=ROLE_GROUP_NAMES[Role.SITE_ADMIN])
    assert _perm_names(site_admins) >= SELF_PROMOTION_PERMISSIONS


def test_district_groups_hold_no_account_permissions(world):
    for group in Group.objects.filter(name__startswith="РУО: "):
        assert not _perm_names(group) & SELF_PROMOTION_PERMISSIONS


def test_school_and_district_users_never_get_user_management(world):
    for actor in ("school_a", "own_ruo", "don"):
        user = world.users[actor]
        assert not user.has_perm("accounts.change_user")
        assert not user.has_perm("accounts.add_user")
        assert not user.has_perm("auth.change_group")
        assert not user.is_superuser
    assert world.users["site_admin"].has_perm("accounts.change_user")


def test_department_editors_edit_the_city_tree_and_collections(world):
    editors = Group.objects.get(name=ROLE_GROUP_NAMES[Role.DON_EDITOR])
    page_perms = set(GroupPagePermission.objects.filter(group=editors).values_list("permission__codename", flat=True))
    assert {"add_page", "change_page", "publish_page", "lock_page"} <= page_perms
    root = Collection.get_first_root_node()
    assert GroupCollectionPermission.objects.filter(group=editors, collection=root).exists()


def test_each_district_office_edits_only_its_own_collection(world):
    group = Group.objects.get(name=district_group_name(world.district))
    collections = {p.collection.name for p in GroupCollectionPermission.objects.filter(group=group)}
    assert collections == {"Голосіївський район"}
    assert world.users["own_ruo"].groups.filter(pk=group.pk).exists()
    assert not world.users["other_ruo"].groups.filter(pk=group.pk).exists()


def test_assign_role_validates_the_unit(world):
    user = UserFactory()
    with pytest.raises(ValidationError):
        assign_role(user=user, role=Role.SCHOOL_DIRECTOR)
    with pytest.raises(ValidationError):
        assign_role(user=user, role=Role.RUO_STAFF, school=world.school_a)
    with pytest.raises(ValidationError):
        assign_role(user=user, role=Role.DON_EDITOR, district=world.district)
    user.refresh_from_db()
    assert user.role == "" and not user.groups.exists()


def test_role_change_replaces_groups_and_is_audited(world):
    user = world.users["own_ruo"]
    assign_role(user=user, role=Role.SCHOOL_DIRECTOR, school=world.school_b, actor=world.users["site_admin"])
    names = set(user.groups.values_list("name", flat=True))
    assert names == {ROLE_GROUP_NAMES[Role.SCHOOL_DIRECTOR]}
    entry = ModelLogEntry.objects.filter(action="accounts.role_change", object_id=str(user.pk)).latest("timestamp")
    assert entry.user == world.users["site_admin"]
    assert entry.data["previous"]["role"] == Role.RUO_STAFF and entry.data["role"] == Role.SCHOOL_DIRECTOR


def test_group_and_permission_changes_are_audited(world):
    user = world.users["school_a"]
    extra = Group.objects.create(name="Робоча група")
    user.groups.add(extra)
    assert ModelLogEntry.objects.filter(action="accounts.groups_change", object_id=str(user.pk)).exists()
    from django.contrib.auth.models import Permission

    extra.permissions.add(Permission.objects.get(codename="view_school"))
    assert ModelLogEntry.objects.filter(action="accounts.permissions_change", object_id=str(extra.pk)).exists()


def test_create_accounts_issues_unit_logins_and_keeps_passwords_out_of_output(world, tmp_path):
    SchoolFactory(district=world.district, status="ліквідовано", is_active=False)
    output = tmp_path / "accounts.csv"
    out = io.StringIO()
    call_command("create_accounts", "--output", str(output), stdout=out)
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    logins = {row["login"] for row in rows}
    assert {"don", "ruo-holosiivskyi", "ruo-obolonskyi", f"school-{world.school_a.edebo_code}"} <= logins
    assert len(rows) == 1 + 2 + 3  # the department, two districts, three working schools
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    for row in rows:
        assert row["initial_password"] not in out.getvalue()
        user = User.objects.get(username=row["login"])
        assert user.must_change_password and user.is_unit_account
        assert user.check_password(row["initial_password"])
    school_account = User.objects.get(username=f"school-{world.school_a.edebo_code}")
    assert school_account.school == world.school_a and school_account.role == Role.SCHOOL_DIRECTOR
    # idempotent: a second run creates nothing and does not change passwords
    second = tmp_path / "second.csv"
    call_command("create_accounts", "--output", str(second), stdout=io.StringIO())
    assert len(list(csv.DictReader(second.open(encoding="utf-8")))) == 0
    assert school_account.check_password(
        next(r for r in rows if r["login"] == school_account.username)["initial_password"]
    )


def test_create_accounts_refuses_to_overwrite_a_file(world, tmp_path):
    output = tmp_path / "accounts.csv"
    output.write_text("keep me")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_accounts", "--output", str(output), stdout=io.StringIO())
    assert output.read_text() == "keep me"
    assert not User.objects.filter(username="don").exists()


def test_collections_and_workflow_are_named_in_ukrainian(world):
    from wagtail.models import Workflow

    from cms.accounts.permissions import DEFAULT_WORKFLOW_NAME, ROOT_COLLECTION_NAME

    assert Collection.get_first_root_node().name == ROOT_COLLECTION_NAME
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert Workflow.objects.filter(name=DEFAULT_WORKFLOW_NAME).exists()
