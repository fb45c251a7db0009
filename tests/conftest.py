from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.accounts.models import User
from cms.accounts.permissions import setup_roles
from cms.accounts.roles import Role
from cms.groups.models import Community
from cms.groups.services import sync_district_communities
from cms.org.models import District, School
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, SchoolFactory, make_user

ACTORS = ["anonymous", "school_a", "school_b", "school_c", "own_ruo", "other_ruo", "don", "site_admin"]


@dataclass
class World:
    """Two districts; schools A and B in the first, C in the second; a user of every kind."""

    district: District
    other_district: District
    school_a: School
    school_b: School
    school_c: School
    users: dict[str, User]
    community_a: Community  # the first district's community
    community_c: Community  # the second district's community
    thematic_c: Community  # a thematic community with school C only


@pytest.fixture
def world(db) -> World:
    district = DistrictFactory(name="Голосіївський")
    other = DistrictFactory(name="Оболонський")
    school_a = SchoolFactory(district=district, short_name="Гімназія № 236")
    school_b = SchoolFactory(district=district, short_name="Ліцей № 241")
    school_c = SchoolFactory(district=other, short_name="Ліцей № 143")
    setup_roles()
    sync_district_communities()
    users = {
        "school_a": make_user(Role.SCHOOL_DIRECTOR, school=school_a, username="dir-a"),
        "school_b": make_user(Role.SCHOOL_DIRECTOR, school=school_b, username="dir-b"),
        "school_c": make_user(Role.SCHOOL_DIRECTOR, school=school_c, username="dir-c"),
        "own_ruo": make_user(Role.RUO_STAFF, district=district, username="ruo-a"),
        "other_ruo": make_user(Role.RUO_STAFF, district=other, username="ruo-c"),
        "don": make_user(Role.DON_EDITOR, username="don-editor"),
        "site_admin": make_user(Role.SITE_ADMIN, username="it-admin"),
    }
    thematic_c = CommunityFactory(name="Мережа природничих ліцеїв")
    MembershipFactory(community=thematic_c, school=school_c)
    return World(
        district=district,
        other_district=other,
        school_a=school_a,
        school_b=school_b,
        school_c=school_c,
        users=users,
        community_a=Community.objects.get(district=district),
        community_c=Community.objects.get(district=other),
        thematic_c=thematic_c,
    )


def sign_in(client: Client, user: User) -> Client:
    """Sign in with the second factor passed, as a real session would after the TOTP step."""
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(world):
    def make(actor: str) -> Client:
        client = Client()
        if actor != "anonymous":
            sign_in(client, world.users[actor])
        return client

    return make
