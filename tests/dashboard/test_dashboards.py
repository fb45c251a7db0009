import pytest
from django.urls import reverse

CONTENT = {"search", "regulations", "announcements", "library", "reports", "studies", "experience", "archive"}
NAV = {
    "school_a": {"home", "my_school", "attendance", "district", "communities", *CONTENT},
    "own_ruo": {"home", "attendance", "district", "schools", "communities", "review", "admin", *CONTENT},
    "don": {"home", "attendance", "schools", "communities", "review", "search_log", "admin", *CONTENT},
    "site_admin": {"home", "schools", "audit", "admin"},
}
DASHBOARD = {"school_a": "school", "own_ruo": "district", "don": "city", "site_admin": "site_admin"}


def _nav_keys(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-nav="([a-z_]+)"', html))


@pytest.mark.parametrize("actor", list(NAV))
def test_each_role_lands_on_its_own_dashboard_with_its_own_tools(world, client_for, actor):
    html = client_for(actor).get(reverse("dashboard:home")).content.decode()
    assert f'data-dashboard="{DASHBOARD[actor]}"' in html
    assert _nav_keys(html) == NAV[actor]


def test_district_dashboard_shows_its_own_schools_only(world, client_for):
    html = client_for("own_ruo").get(reverse("dashboard:home")).content.decode()
    assert "Гімназія № 236" in html and "Ліцей № 241" in html
    assert "Ліцей № 143" not in html


def test_school_dashboard_names_its_unit(world, client_for):
    html = client_for("school_a").get(reverse("dashboard:home")).content.decode()
    assert world.school_a.edebo_code in html and "Ліцей № 241" not in html


@pytest.mark.parametrize("actor", list(NAV))
def test_dashboard_query_count_is_bounded(world, client_for, actor, django_assert_max_num_queries):
    client = client_for(actor)
    client.get(reverse("dashboard:home"))
    with django_assert_max_num_queries(12):
        client.get(reverse("dashboard:home"))


def test_school_list_query_count_does_not_grow_with_schools(world, client_for, django_assert_max_num_queries):
    from tests.factories import SchoolFactory

    client = client_for("don")
    client.get(reverse("org:school_list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("org:school_list"))
    SchoolFactory.create_batch(30, district=world.district)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("org:school_list"))


def test_school_list_filters(world, client_for):
    client = client_for("don")
    html = client.get(reverse("org:school_list"), {"district": world.other_district.pk}).content.decode()
    assert "Ліцей № 143" in html and "Гімназія № 236" not in html
    html = client.get(reverse("org:school_list"), {"q": world.school_b.edebo_code}).content.decode()
    assert "Ліцей № 241" in html and "Ліцей № 143" not in html
    # a district office cannot filter its way into another district
    html = client_for("own_ruo").get(reverse("org:school_list"), {"district": world.other_district.pk}).content
    assert "Ліцей № 143" not in html.decode()


def test_api_lists_only_the_scope(world, client_for):
    data = client_for("own_ruo").get(reverse("api:school_list")).json()
    assert {row["short_name"] for row in data["results"]} == {"Гімназія № 236", "Ліцей № 241"}
    me = client_for("school_a").get(reverse("api:me")).json()
    assert me == {
        "username": "dir-a",
        "full_name": world.users["school_a"].get_full_name(),
        "role": "school_director",
        "level": "school",
        "district": world.district.pk,
        "school": world.school_a.pk,
    }


def test_api_errors_are_json(world, client):
    response = client.get(reverse("api:school_list"))
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_api_token_authentication(world):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.users["school_c"])
    response = Client().get(reverse("api:school_list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert [row["short_name"] for row in response.json()["results"]] == ["Ліцей № 143"]


def test_api_list_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    client = client_for("don")
    client.get(reverse("api:school_list"))
    with django_assert_max_num_queries(10):
        client.get(reverse("api:school_list"))
