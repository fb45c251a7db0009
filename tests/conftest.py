from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.models import signals
from django.test import Client
from django.utils.text import slugify
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Collection

from cms.accounts.models import User
from cms.accounts.permissions import city_collection, community_collection, district_collection, setup_roles
from cms.accounts.roles import Role
from cms.attendance.models import SchoolClass
from cms.groups.models import Community
from cms.groups.services import sync_district_communities
from cms.library.models import LibraryDocument
from cms.org.models import District, School
from cms.pages.models import DistrictSectionPage, RegulationAttachment, RegulationIndexPage, RegulationPage
from cms.pages.tree import city_regulation_index, ensure_page_tree
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
    content: "Content"


@dataclass
class Content:
    """Pages and documents of every scope: the city's, district A's, district C's, community C's."""

    city_regulation: RegulationPage
    district_a_regulation: RegulationPage
    district_c_regulation: RegulationPage
    city_document: LibraryDocument
    district_a_document: LibraryDocument
    district_c_document: LibraryDocument
    community_c_document: LibraryDocument
    department_document: LibraryDocument  # in a collection without an audience


def make_document(collection, title: str, *, name: str = "nakaz.pdf", data: bytes = b"%PDF-1.4\n%test\n", **fields):
    return LibraryDocument.objects.create(
        title=title, collection=collection, file=ContentFile(data, name=name), **fields
    )


def publish_regulation(parent, title: str, **fields) -> RegulationPage:
    page = RegulationPage(title=title, slug=slugify(title, allow_unicode=True), **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _regulation_index(district=None) -> RegulationIndexPage:
    if district is None:
        return city_regulation_index()
    return RegulationIndexPage.objects.child_of(DistrictSectionPage.objects.get(district=district)).get()


def _content(district, other, thematic_c) -> Content:
    city_document = make_document(city_collection(), "Наказ ДОН № 367", kind="order", number="367")
    city_regulation = publish_regulation(
        _regulation_index(),
        "Про зарахування учнів до закладів освіти",
        kind="order",
        number="367",
        issuer="Департамент освіти і науки",
    )
    city_regulation.attachments.add(RegulationAttachment(document=city_document))
    city_regulation.save_revision().publish()
    root = Collection.get_first_root_node()
    return Content(
        city_regulation=city_regulation,
        district_a_regulation=publish_regulation(
            _regulation_index(district), "Розпорядження РУО Голосіївського району", kind="directive", number="15-р"
        ),
        district_c_regulation=publish_regulation(
            _regulation_index(other), "Розпорядження РУО Оболонського району", kind="directive", number="27-р"
        ),
        city_document=city_document,
        district_a_document=make_document(district_collection(district), "Лист РУО Голосіївського району"),
        district_c_document=make_document(district_collection(other), "Лист РУО Оболонського району"),
        community_c_document=make_document(community_collection(thematic_c), "Методичка природничої мережі"),
        department_document=make_document(root.add_child(name="Службові"), "Службова записка ДОН"),
    )


def build_world() -> World:
    district = DistrictFactory(name="Голосіївський")
    other = DistrictFactory(name="Оболонський")
    school_a = SchoolFactory(district=district, short_name="Гімназія № 236")
    school_b = SchoolFactory(district=district, short_name="Ліцей № 241")
    school_c = SchoolFactory(district=other, short_name="Ліцей № 143")
    sync_district_communities()
    ensure_page_tree()
    setup_roles()
    for school, classes in (
        (school_a, [("1-А", 1, 25), ("5-А", 5, 28), ("5-Б", 5, 27)]),
        (school_b, [("1-А", 1, 30)]),
        (school_c, [("5-А", 5, 26)]),
    ):
        SchoolClass.objects.bulk_create(SchoolClass(school=school, name=n, grade=g, enrolled=e) for n, g, e in classes)
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
        content=_content(district, other, thematic_c),
    )


def _refetch(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def refreshed(world: World) -> World:
    """Fresh copies of the world's objects, so a test that changes one in memory cannot leak into the next."""
    return World(
        **{
            name: _refetch(getattr(world, name))
            for name in (
                "district",
                "other_district",
                "school_a",
                "school_b",
                "school_c",
                "community_a",
                "community_c",
                "thematic_c",
            )
        },
        users={actor: _refetch(user) for actor, user in world.users.items()},
        content=Content(**{name: _refetch(getattr(world.content, name)) for name in Content.__dataclass_fields__}),
    )


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The world is built once per test module inside a transaction that is rolled back at the end; each
    test runs in a savepoint inside it (pytest-django's ``db``), so tests still cannot see each other's writes."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        built = build_world()
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(_module_world, db) -> World:
    return refreshed(_module_world)


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


MODEL_SIGNALS = (
    signals.pre_save,
    signals.post_save,
    signals.m2m_changed,
    signals.pre_delete,
    signals.post_delete,
)


@pytest.fixture(scope="session", autouse=True)
def _quiet_serialized_rollback() -> Iterator[None]:
    """Let serialized_rollback restore the migrations' data without the application's model signals.

    A transactional test flushes every table afterwards; serialized_rollback reloads what the migrations
    created (Wagtail's locale, root page, site, collection, groups, and the portal's own pages) before the
    next test. That reload saves rows one by one in no particular order, and the application's audit
    receivers (cms.accounts.signals) react to it as if they were real changes: they read related rows not
    reloaded yet and fail. Restoring a snapshot is no change to audit, so its receivers are muted for it.
    """
    original = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize_quietly(self, data):
        saved = {signal: signal.receivers for signal in MODEL_SIGNALS}
        try:
            for signal in MODEL_SIGNALS:
                signal.receivers = []
                signal.sender_receivers_cache.clear()
            return original(self, data)
        finally:
            for signal, receivers in saved.items():
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseCreation, "deserialize_db_from_string", deserialize_quietly)
        yield
