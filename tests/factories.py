"""One factory per model, with realistic Ukrainian data."""

import factory
from django.contrib.auth.hashers import make_password

from cms.accounts.models import User
from cms.accounts.roles import Role
from cms.groups.models import Community, Membership
from cms.org.models import District, School

PASSWORD = "Київ-тест-пароль-2026"
_HASHED = make_password(PASSWORD, hasher="md5")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    name = factory.Iterator(["Голосіївський", "Оболонський", "Печерський", "Дарницький"])
    name_en = factory.LazyAttribute(
        lambda o: {
            "Голосіївський": "Holosiivskyi",
            "Оболонський": "Obolonskyi",
            "Печерський": "Pecherskyi",
            "Дарницький": "Darnytskyi",
        }[o.name]
    )
    slug = factory.LazyAttribute(lambda o: o.name_en.lower())
    katottg = factory.Sequence(lambda n: f"UA8000000000{n:07d}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    edebo_code = factory.Sequence(lambda n: str(140000 + n))
    edrpou = factory.Sequence(lambda n: str(22000000 + n))
    name = factory.Sequence(lambda n: f"Ліцей № {n + 1} міста Києва")
    short_name = factory.Sequence(lambda n: f"Ліцей № {n + 1}")
    kind = "ліцей"
    ownership = "Комунальна"
    address = factory.Sequence(lambda n: f"вулиця Хрещатик, {n + 1}")
    status = School.Status.WORKING
    is_active = True
    district = factory.SubFactory(DistrictFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    first_name = "Оксана"
    last_name = factory.Sequence(lambda n: f"Петренко-{n}")
    password = _HASHED
    role = ""


def make_user(role: str, *, district=None, school=None, **kwargs) -> User:
    """A user with a role, its groups assigned the way the portal assigns them."""
    from cms.accounts.services import assign_role

    user = UserFactory(**kwargs)
    return assign_role(user=user, role=role, district=district, school=school)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Мережа шкіл № {n}")
    kind = Community.Kind.THEMATIC


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)


__all__ = ["PASSWORD", "Role", "make_user"]
