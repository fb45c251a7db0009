"""Writes on accounts: roles, unit accounts, sessions. Called by views, admin and commands alike."""

import secrets
import string
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from cms.org.models import District, School

from .models import User, UserSession
from .roles import ROLE_GROUP_NAMES, Role, district_group_name

PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def generate_initial_password(length: int = 16) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def _role_groups(role: str, district: District | None) -> list[Group]:
    groups = [Group.objects.get(name=ROLE_GROUP_NAMES[role])]
    if role == Role.RUO_STAFF and district is not None:
        groups.append(Group.objects.get(name=district_group_name(district)))
    return groups


@transaction.atomic
def assign_role(
    *,
    user: User,
    role: str,
    district: District | None = None,
    school: School | None = None,
    actor: User | None = None,
) -> User:
    """Give ``user`` a role in a unit, replacing its role groups; validated and audit-logged."""
    previous = {"role": user.role, "district": user.district_id, "school": user.school_id}
    user.__dict__.pop("_ecab_scope", None)
    user.role = role
    user.district = district
    user.school = school
    user.is_staff = False
    user.is_superuser = False
    user.full_clean(exclude=["password"])
    user.save()
    role_group_names = set(ROLE_GROUP_NAMES.values())
    kept = [g for g in user.groups.all() if g.name not in role_group_names and not g.name.startswith("РУО: ")]
    user.groups.set(kept + _role_groups(role, district))
    log(
        instance=user,
        action="accounts.role_change",
        user=actor,
        data={
            "previous": previous,
            "role": role,
            "district": user.district_id,
            "school": user.school_id,
        },
    )
    return user


@dataclass(frozen=True)
class IssuedAccount:
    username: str
    password: str
    unit: str
    created: bool


def unit_username_for_school(school: School) -> str:
    return f"school-{school.edebo_code}"


def unit_username_for_district(district: District) -> str:
    return f"ruo-{district.slug}"


DEPARTMENT_USERNAME = "don"


def _issue(
    issued: list[IssuedAccount], username: str, *, role: str, unit: str, reset: bool, actor, district=None, school=None
) -> None:
    user = User.objects.filter(username=username).first()
    if user is not None and not reset:
        return
    created = user is None
    if created:
        user = User(username=username, is_unit_account=True)
    password = generate_initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.is_active = True
    user.save()
    assign_role(user=user, role=role, district=district, school=school, actor=actor)
    issued.append(IssuedAccount(username=username, password=password, unit=unit, created=created))


def issue_unit_accounts(*, reset: bool = False, actor: User | None = None) -> list[IssuedAccount]:
    """Create (or with ``reset`` re-key) the unit accounts of the department, every district office and
    every working school. Returns the new credentials; the caller hands them out and never logs them."""
    issued: list[IssuedAccount] = []
    with transaction.atomic():
        department = _("Department of Education and Science")
        _issue(issued, DEPARTMENT_USERNAME, role=Role.DON_ADMIN, unit=department, reset=reset, actor=actor)
        for district in District.objects.all():
            username = unit_username_for_district(district)
            _issue(
                issued, username, role=Role.RUO_STAFF, unit=str(district), district=district, reset=reset, actor=actor
            )
        for school in School.objects.working():
            username = unit_username_for_school(school)
            _issue(
                issued, username, role=Role.SCHOOL_DIRECTOR, unit=school.name, school=school, reset=reset, actor=actor
            )
    return issued


def end_all_sessions(user: User) -> int:
    """Delete every server-side session of ``user``; returns how many were ended."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    if settings.SESSION_ENGINE.endswith(".db"):
        Session.objects.filter(session_key__in=keys).delete()
    return len(keys)
