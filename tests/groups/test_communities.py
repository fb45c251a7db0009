from django.urls import reverse
from wagtail.models import ModelLogEntry

from cms.groups.models import Community, Membership


def test_every_working_school_is_in_its_district_community(world):
    members = set(world.community_a.memberships.values_list("school__short_name", flat=True))
    assert members == {"Гімназія № 236", "Ліцей № 241"}
    assert all(m.automatic for m in world.community_a.memberships.all())


def test_department_creates_a_thematic_community_and_adds_members(world, client_for):
    client = client_for("don")
    response = client.post(reverse("communities:create"), {"name": "Інклюзивна освіта", "description": "Досвід"})
    community = Community.objects.get(name="Інклюзивна освіта")
    assert response["Location"] == reverse("communities:add_members", args=[community.pk])
    response = client.post(
        reverse("communities:add_members", args=[community.pk]),
        {"schools": [world.school_a.pk, world.school_c.pk], "users": [world.users["own_ruo"].pk]},
    )
    assert response.status_code == 302
    assert community.memberships.count() == 3
    # a repeated submission does not duplicate members
    client.post(reverse("communities:add_members", args=[community.pk]), {"schools": [world.school_a.pk]})
    assert community.memberships.count() == 3
    assert ModelLogEntry.objects.filter(action="communities.members_change", object_id=str(community.pk)).exists()
    # now school A sees it, school B does not
    assert client_for("school_a").get(reverse("communities:detail", args=[community.pk])).status_code == 200
    assert client_for("school_b").get(reverse("communities:detail", args=[community.pk])).status_code == 404


def test_empty_or_duplicate_input_gets_a_clear_message(world, client_for):
    client = client_for("don")
    response = client.post(reverse("communities:create"), {"name": world.thematic_c.name})
    assert "вже існує" in response.content.decode()
    response = client.post(reverse("communities:add_members", args=[world.thematic_c.pk]), {})
    assert "Виберіть принаймні один заклад або особу" in response.content.decode()
    assert world.thematic_c.memberships.count() == 1


def test_district_community_members_cannot_be_removed_by_hand(world, client_for):
    membership = world.community_a.memberships.first()
    response = client_for("don").post(reverse("communities:remove_member", args=[world.community_a.pk, membership.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_thematic_member_removal(world, client_for):
    membership = world.thematic_c.memberships.get()
    response = client_for("don").post(reverse("communities:remove_member", args=[world.thematic_c.pk, membership.pk]))
    assert response.status_code == 302
    assert not world.thematic_c.memberships.exists()


def test_add_members_offers_only_visible_people(world, client_for):
    html = client_for("don").get(reverse("communities:add_members", args=[world.thematic_c.pk])).content.decode()
    assert "Гімназія № 236" in html


def test_community_list_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    client = client_for("school_c")
    client.get(reverse("communities:list"))
    with django_assert_max_num_queries(10):
        client.get(reverse("communities:list"))


def test_member_counts_are_whole_for_every_viewer(world, client_for):
    from tests.factories import MembershipFactory

    MembershipFactory(community=world.thematic_c, school=world.school_a)
    for actor in ("school_a", "school_c", "don"):
        html = client_for(actor).get(reverse("communities:list")).content.decode()
        assert "Мережа природничих ліцеїв</a> — Тематична спільнота, 2 учасники" in html, actor
