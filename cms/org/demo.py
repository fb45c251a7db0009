"""Demo content for the embedded default: the real registry, roles and a user of each role."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cms.accounts.models import User
from cms.accounts.permissions import setup_roles
from cms.accounts.roles import Role
from cms.accounts.services import assign_role
from cms.attendance import history
from cms.attendance.classes import import_classes
from cms.groups.models import Community
from cms.groups.services import add_members, sync_district_communities
from cms.pages.regulations_import import import_regulations
from cms.pages.tree import ensure_page_tree

from .importers import import_districts, import_schools
from .models import District, School

SCHOOLS_FILE = "schools/kyiv_schools_edebo_2023-08-02.csv"
DISTRICTS_FILE = "districts/kyiv_districts_slim.geojson"
CLASSES_FILE = "schools/kyiv_schools_mof_zzso_2020.csv"
# Attendance history for the dashboards: the last school days before today (today is left for the demo
# school to submit and watch it appear).
HISTORY_DAYS = 10
HISTORY_SEED = 2026


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    district_slug: str = ""
    school_code: str = ""


# Schools are real working schools of the registry, chosen by their ЄДЕБО codes.
DEMO_SCHOOL_CODE = "148438"  # Гімназія № 236, Голосіївський

DEMO_USERS = [
    DemoUser("demo-don", Role.DON_EDITOR, "Олена", "Коваленко"),
    DemoUser("demo-analyst", Role.DON_ANALYST, "Тарас", "Мельник"),
    DemoUser("demo-don-admin", Role.DON_ADMIN, "Ірина", "Шевчук"),
    DemoUser("demo-ruo", Role.RUO_STAFF, "Андрій", "Бондаренко", district_slug="holosiivskyi"),
    DemoUser("demo-ruo-2", Role.RUO_STAFF, "Наталія", "Ткаченко", district_slug="obolonskyi"),
    DemoUser("demo-school", Role.SCHOOL_DIRECTOR, "Марія", "Кравченко", school_code=DEMO_SCHOOL_CODE),
    DemoUser("demo-deputy", Role.SCHOOL_DEPUTY, "Олег", "Савченко", school_code=DEMO_SCHOOL_CODE),
    DemoUser("demo-school-2", Role.SCHOOL_DIRECTOR, "Світлана", "Поліщук", school_code="obolonskyi"),
    DemoUser("demo-admin", Role.SITE_ADMIN, "Дмитро", "Олійник"),
]


def _demo_school(code: str) -> School:
    if code.isdigit():
        return School.objects.working().get(edebo_code=code)
    return School.objects.working().filter(district__slug=code).order_by("edebo_code").first()


def load_demo_history(today: dt.date | None = None) -> history.Result:
    """Generated attendance of every working school for the last ``HISTORY_DAYS`` school days before
    ``today``: only the days that have none yet, so a second ``load_demo`` adds nothing and the next day's
    adds one day."""
    today = today or timezone.localdate()
    days = history.last_school_days(HISTORY_DAYS, today - dt.timedelta(days=1))
    return history.generate(days, seed=HISTORY_SEED, missing_only=True)


@transaction.atomic
def load_demo(password: str) -> dict[str, int]:
    data = settings.SHARED_DATA_DIR
    import_districts(data / DISTRICTS_FILE)
    report = import_schools(data / SCHOOLS_FILE)
    sync_district_communities()
    import_classes(data / CLASSES_FILE)
    ensure_page_tree()
    setup_roles()
    import_regulations(data / "laws")
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(username=spec.username)
        if created:
            user.set_password(password)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@example.invalid"
        user.save()
        district = District.objects.get(slug=spec.district_slug) if spec.district_slug else None
        school = _demo_school(spec.school_code) if spec.school_code else None
        if (user.role, user.district_id, user.school_id) != (
            spec.role,
            getattr(district, "pk", None),
            getattr(school, "pk", None),
        ):
            assign_role(user=user, role=spec.role, district=district, school=school)
    load_demo_history()
    stem, _created = Community.objects.get_or_create(
        name="Мережа STEM-ліцеїв", defaults={"kind": Community.Kind.THEMATIC, "description": "Обмін досвідом STEM."}
    )
    add_members(
        community=stem,
        schools=[_demo_school(DEMO_SCHOOL_CODE), _demo_school("obolonskyi")],
        actor=User.objects.get(username="demo-don-admin"),
    )
    return {
        "schools": School.objects.count(),
        "working": School.objects.working().count(),
        "errors": len(report.errors),
    }
