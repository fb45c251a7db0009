import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.test import Client
from django.urls import reverse

from cms.accounts.models import UserSession
from cms.groups.models import Community
from cms.org.models import District, School
from cms.org.scope import editable, get_visible_or_404, scope_of, visible


def _names(qs):
    return set(qs.values_list("short_name", flat=True))


def test_school_sees_itself_only(world):
    user = world.users["school_a"]
    assert _names(visible(user, School)) == {"Гімназія № 236"}
    assert list(visible(user, District)) == [world.district]


def test_district_office_sees_its_district(world):
    assert _names(visible(world.users["own_ruo"], School)) == {"Гімназія № 236", "Ліцей № 241"}
    assert _names(visible(world.users["other_ruo"], School)) == {"Ліцей № 143"}


def test_department_sees_the_city(world):
    assert visible(world.users["don"], School).count() == 3
    assert visible(world.users["don"], District).count() == 2


def test_anonymous_and_inactive_users_see_nothing(world):
    assert not visible(AnonymousUser(), School).exists()
    user = world.users["don"]
    user.is_active = False
    assert scope_of(user).level is None or not user.is_active
    assert not visible(user, School).exists()


def test_out_of_scope_object_is_a_404(world):
    with pytest.raises(Http404):
        get_visible_or_404(world.users["school_a"], School, pk=world.school_c.pk)
    with pytest.raises(Http404):
        get_visible_or_404(world.users["school_a"], School, pk="not-a-number")
    assert get_visible_or_404(world.users["school_a"], School, pk=world.school_a.pk) == world.school_a


def test_nobody_edits_the_registry_in_the_portal(world):
    for actor in world.users:
        assert not editable(world.users[actor], School).exists()


def test_communities_follow_membership(world):
    assert set(visible(world.users["school_a"], Community)) == {world.community_a}
    assert set(visible(world.users["school_c"], Community)) == {world.community_c, world.thematic_c}
    # the district office sees its district's community and the thematic ones its schools are in
    assert set(visible(world.users["other_ruo"], Community)) == {world.community_c, world.thematic_c}
    assert set(visible(world.users["own_ruo"], Community)) == {world.community_a}
    assert visible(world.users["don"], Community).count() == 3
    assert not visible(world.users["site_admin"], Community).exists()


def test_only_thematic_communities_are_editable_and_only_by_the_department(world):
    assert set(editable(world.users["don"], Community)) == {world.thematic_c}
    for actor in ("school_a", "own_ruo", "site_admin"):
        assert not editable(world.users[actor], Community).exists()


def test_a_model_without_a_rule_is_refused(world):
    with pytest.raises(ImproperlyConfigured):
        visible(world.users["don"], UserSession)


def test_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    from cms.accounts.models import User

    user = User.objects.get(pk=world.users["school_a"].pk)
    with django_assert_num_queries(1):  # the school, for its district
        first = scope_of(user)
        assert scope_of(user) is first
    assert first.school_id == world.school_a.pk and first.district_id == world.district.pk


def test_case_insensitive_filters_understand_ukrainian(world):
    from cms.org.models import School

    assert School.objects.filter(short_name__icontains="гімназія").get() == world.school_a
    assert School.objects.filter(short_name__icontains="ГІМНАЗІЯ № 2").get() == world.school_a
    assert not School.objects.filter(short_name__icontains="гімназія%").exists()
    assert School.objects.filter(short_name__istartswith="ліцей").count() == 2


def test_subtree_holds_the_pages_a_path_prefix_does(world):
    from wagtail.models import Page

    from cms.org.scope import subtree

    for page in Page.objects.all():
        by_range = set(Page.objects.filter(subtree(page.path)).values_list("pk", flat=True))
        by_prefix = set(Page.objects.filter(path__startswith=page.path).values_list("pk", flat=True))
        assert by_range == by_prefix, page.path


def test_rule_data_is_read_once_inside_read_once_and_afresh_after(world, django_assert_num_queries):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from cms.accounts.roles import ROLE_GROUP_NAMES, Role
    from cms.library.models import LibraryDocument
    from cms.org.scope import read_once
    from cms.pages.models import AnnouncementPage, RegulationPage, ReportPage

    scope = scope_of(world.users["school_a"])
    city = world.content.city_regulation
    # District sections, view restrictions; readable collection paths, their ids: once each in the block.
    with django_assert_num_queries(4), read_once():
        for model in (RegulationPage, AnnouncementPage, ReportPage, LibraryDocument, RegulationPage):
            visible(scope, model)
    with read_once():
        assert city in visible(scope, RegulationPage)
    restriction = PageViewRestriction.objects.create(page=city, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=ROLE_GROUP_NAMES[Role.RUO_STAFF])])
    with read_once():  # a new block reads the restriction made after the last one
        assert city not in visible(scope, RegulationPage)
        with read_once():  # nested: the outer block's data
            assert city not in visible(scope, RegulationPage)
    # Outside a block every call reads afresh: sections, restrictions, those the user's groups pass.
    with django_assert_num_queries(2 * 3):
        visible(scope, RegulationPage)
        visible(scope, AnnouncementPage)


def test_view_restrictions_are_read_in_two_statements_however_many(world, django_assert_num_queries):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from cms.accounts.roles import ROLE_GROUP_NAMES, Role
    from cms.pages.models import RegulationPage

    ruo_staff = Group.objects.get(name=ROLE_GROUP_NAMES[Role.RUO_STAFF])
    pages = [world.content.city_regulation, world.content.district_a_regulation, world.content.district_c_regulation]
    for page in pages:
        restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set([ruo_staff])
    for actor, sees in (("school_a", set()), ("own_ruo", {pages[0].pk, pages[1].pk}), ("don", set())):
        scope = scope_of(world.users[actor])
        # District sections (not for the city), the restrictions, those the user's groups pass; the pages.
        with django_assert_num_queries((1 if scope.district_id else 0) + 2 + 1):
            found = set(
                visible(scope, RegulationPage).filter(pk__in=[p.pk for p in pages]).values_list("pk", flat=True)
            )
        assert found == sees, actor


def test_documents_of_collections_under_a_readable_one_are_readable(world):
    from cms.accounts.permissions import district_collection
    from cms.library.models import LibraryDocument
    from tests.conftest import make_document

    own = district_collection(world.school_a.district).add_child(name="Накази 2026")
    deep = own.add_child(name="Вересень")
    other = district_collection(world.school_c.district).add_child(name="Накази 2026")
    readable = {make_document(own, "Наказ РУО").pk, make_document(deep, "Наказ РУО про вересень").pk}
    hidden = make_document(other, "Наказ іншого РУО").pk
    for actor in ("school_a", "own_ruo"):
        found = set(visible(world.users[actor], LibraryDocument).values_list("pk", flat=True))
        assert readable <= found and hidden not in found, actor
    for actor in ("school_c", "other_ruo"):
        found = set(visible(world.users[actor], LibraryDocument).values_list("pk", flat=True))
        assert hidden in found and not readable & found, actor


def test_a_password_restriction_hides_a_page_and_a_sign_in_restriction_does_not(world):
    from wagtail.models import PageViewRestriction

    from cms.pages.models import RegulationPage

    by_password, by_sign_in = world.content.city_regulation, world.content.district_a_regulation
    PageViewRestriction.objects.create(
        page=by_password, restriction_type=PageViewRestriction.PASSWORD, password="Kyiv-2026"
    )
    PageViewRestriction.objects.create(page=by_sign_in, restriction_type=PageViewRestriction.LOGIN)
    for actor in ("school_a", "own_ruo", "don"):
        found = set(visible(world.users[actor], RegulationPage).values_list("pk", flat=True))
        assert by_password.pk not in found, actor
        assert by_sign_in.pk in found, actor


@pytest.mark.parametrize(
    ("role", "unit", "key"), [("SCHOOL_DIRECTOR", "school_a", "school"), ("RUO_STAFF", "district", "district")]
)
def test_a_units_account_without_its_unit_reads_nothing(world, role, unit, key):
    """A school's or a district office's account whose unit is gone from it (written around the account form,
    which refuses it) acts for no unit. Compared with its missing key, the rules matched what has no unit: the
    accounts of the department, the communities whose members are accounts, the schools the city manages."""
    from cms.accounts.roles import Role
    from cms.groups.models import Community, Membership
    from cms.library.models import LibraryDocument
    from cms.pages.models import RegulationPage
    from tests.conftest import sign_in
    from tests.factories import make_user

    Membership.objects.create(community=world.thematic_c, user=world.users["own_ruo"])
    user = make_user(getattr(Role, role), **{key: getattr(world, unit)}, username="no-unit")
    type(user).objects.filter(pk=user.pk).update(**{key: None})
    user = type(user).objects.get(pk=user.pk)
    for model in (LibraryDocument, RegulationPage, Community, School, District, type(user)):
        assert not visible(user, model).exists(), model
    assert scope_of(user).level is None
    # Its home page says it has no role (a school's dashboard read its school: a server error).
    response = sign_in(Client(), user).get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert "dashboard/no_role.html" in [template.name for template in response.templates]
