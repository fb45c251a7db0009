"""Wagtail's own searches of one page type count only what the user may see, on every backend.

Wagtail narrows a page type's queryset by ``pk__in`` a scoped queryset of pages (its API v2 pages endpoint
with ``type=``, its admin's page listings): a filter on the type's pointer key (``page_ptr_id``), which
Wagtail's search backends leave out of an engine's query. The results, read again from the database, were
right; the count was the engine's, of every page of the type, out of the user's scope and unpublished ones.
"""

import re

from django.urls import reverse
from wagtail.permissions import page_permission_policy
from wagtail.search.backends import get_search_backend

from cms.pages.admin import NO_PAGE, explorable_subtrees
from cms.pages.models import RegulationPage
from tests.search.conftest import refresh_indexes

PAGES_API = "wagtailapi:pages:listing"
# A word of district C's act alone (the corpus fixture's text of it).
OTHER_DISTRICTS_WORD = "Оболонського"


def _api_total(client, **params) -> tuple[int, list[str]]:
    body = client.get(reverse(PAGES_API), params).json()
    return body["meta"]["total_count"], [item["title"] for item in body["items"]]


def test_the_pages_api_counts_a_page_type_inside_the_scope(world, backend_name, client_for):
    school = client_for("school_a")
    typed = {"search": OTHER_DISTRICTS_WORD, "type": "pages.RegulationPage"}
    assert _api_total(school, **typed) == (0, [])
    assert _api_total(school, search=OTHER_DISTRICTS_WORD) == (0, [])
    # The district's own office and the city find it, counted once.
    assert _api_total(client_for("other_ruo"), **typed) == (1, [world.content.district_c_regulation.title])
    assert _api_total(client_for("don"), **typed)[0] == 1


def test_the_pages_api_counts_no_unpublished_page_of_a_type(world, backend_name, client_for):
    index = world.content.city_regulation.get_parent().specific
    draft = RegulationPage(title="Проєкт наказу про виноградники", slug="proekt", live=False, text="Виноградники.")
    index.add_child(instance=draft)  # saved, never published: indexed as a draft
    refresh_indexes()
    for actor in ("school_a", "don"):
        assert _api_total(client_for(actor), search="виноградники", type="pages.RegulationPage") == (0, [])


def _listed(client, query: str) -> str:
    """The admin's regulations listing searched for ``query``: the text of its results."""
    response = client.get(reverse("regulations:index"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.index('id="listing-results"') :]).split())


def test_the_admin_regulations_listing_counts_only_the_offices_own(world, backend_name, client_for):
    title = world.content.district_c_regulation.title
    own = _listed(client_for("own_ruo"), OTHER_DISTRICTS_WORD)
    assert title not in own
    assert not re.search(r"\b1\s*-\s*1\b", own), own  # no "1-1 of 1" for a row it does not list
    assert title in _listed(client_for("other_ruo"), OTHER_DISTRICTS_WORD)


def test_the_explorable_subtrees_are_the_acts_wagtail_lets_each_user_explore(world, corpus):
    """The admin listing's filter (ranges of paths) holds the acts Wagtail's own ``explorable_instances`` does,
    for every account: a change to Wagtail's rule or to the roles' permissions shows here."""
    index = world.content.city_regulation.get_parent().specific
    index.add_child(instance=RegulationPage(title="Проєкт", slug="proekt", live=False))  # drafts are listed too
    acts = RegulationPage.objects.all()
    for actor, user in world.users.items():
        wagtails = set(acts.filter(pk__in=page_permission_policy.explorable_instances(user).values("pk")))
        assert set(acts.filter(explorable_subtrees(user))) == wagtails, actor
    assert acts.filter(explorable_subtrees(world.users["own_ruo"])).count() < acts.count()


def test_a_page_bulk_action_on_all_of_a_search_lists_its_pages_of_the_scope(world, backend_name, client_for):
    """A bulk action on "all" of an admin search's results: Wagtail searched the pages' keys, which OpenSearch's
    backend read as pages (a 500); the pages out of the user's scope are not listed."""
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
    response = client_for("don").get(url, {"id": "all", "q": "зарахування"})
    assert response.status_code == 200
    assert world.content.city_regulation.title in response.content.decode()
    # District A's office: the search finds district C's act alone, which it may not see.
    assert client_for("own_ruo").get(url, {"id": "all", "q": OTHER_DISTRICTS_WORD}).status_code == 404


def test_no_page_is_no_page_to_every_backend(world, backend_name):
    """The filter of a user who may explore nothing: on a page type's key (``pk__in=[]``) OpenSearch's query
    would leave it out and count every act."""
    backend = get_search_backend("default")
    assert backend.search("зарахування", RegulationPage.objects.all()).count() > 0
    assert backend.search("зарахування", RegulationPage.objects.filter(NO_PAGE)).count() == 0
    assert (
        backend.search(
            "зарахування", RegulationPage.objects.filter(explorable_subtrees(world.users["school_a"]))
        ).count()
        == 0
    )
