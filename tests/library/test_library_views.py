"""The library in the portal and the API: scoped listings, filters, the serving view, bounded queries."""

import re

from django.test import Client
from django.urls import reverse

from tests.conftest import make_document


def _titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


def test_each_user_lists_only_documents_in_scope(world, client_for):
    content = world.content
    expected = {
        "school_a": {content.city_document.title, content.district_a_document.title},
        "own_ruo": {content.city_document.title, content.district_a_document.title},
        "school_c": {
            content.city_document.title,
            content.district_c_document.title,
            content.community_c_document.title,
        },
        "other_ruo": {
            content.city_document.title,
            content.district_c_document.title,
            content.community_c_document.title,
        },
        "site_admin": set(),
    }
    for actor, titles in expected.items():
        assert _titles(client_for(actor).get(reverse("api:document_list"))) == titles, actor
    assert len(_titles(client_for("don").get(reverse("api:document_list")))) == 5
    html = client_for("school_a").get(reverse("library:document_list")).content.decode()
    assert content.district_a_document.title in html and content.district_c_document.title not in html
    assert content.department_document.title not in html


def test_filters_cannot_widen_the_scope(world, client_for):
    content = world.content
    client = client_for("school_a")
    response = client.get(reverse("api:document_list"), {"district": world.other_district.pk})
    assert _titles(response) == set()
    response = client.get(reverse("api:document_list"), {"collection": content.district_c_document.collection_id})
    assert response.status_code == 400 and "collection" in response.json()["detail"]
    html = client.get(reverse("library:document_list")).content.decode()
    assert content.district_c_document.collection.name not in html  # not even offered as a filter choice


def test_document_filters_and_sorting(world, client_for):
    from wagtail.models import Collection

    client = client_for("don")
    city = world.content.city_document.collection
    make_document(
        city, "Лист МОН про оцінювання", kind="letter", number="1/9-100", issuer="МОН", document_date="2023-05-02"
    )
    make_document(city, "Наказ про атестацію", kind="order", number="88", issuer="ДОН", document_date="2024-01-15")
    assert _titles(client.get(reverse("api:document_list"), {"kind": "letter"})) == {"Лист МОН про оцінювання"}
    assert _titles(client.get(reverse("api:document_list"), {"year": 2024})) == {"Наказ про атестацію"}
    assert _titles(client.get(reverse("api:document_list"), {"issuer": "мон"})) == {"Лист МОН про оцінювання"}
    assert "Лист РУО Голосіївського району" in _titles(
        client.get(reverse("api:document_list"), {"district": world.district.pk})
    )
    ordered = client.get(reverse("api:document_list"), {"order": "-date"}).json()["results"]
    dated = [row["title"] for row in ordered if row["document_date"]]
    assert dated == ["Наказ про атестацію", "Лист МОН про оцінювання"]
    assert Collection.objects.filter(pk=city.pk).exists()
    bad = client.get(reverse("api:document_list"), {"order": "drop table"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"


def test_district_and_issuer_filters_read_as_the_scope_and_the_search_do(world, client_for):
    """A district's documents include those of its collection's sub-collections (which inherit its audience),
    and an issuer's apostrophe is read alike however it is typed."""
    district_collection = world.content.district_a_document.collection
    orders = district_collection.add_child(name="Накази 2025")
    make_document(orders, "Наказ РУО про канікули", kind="order", number="12", issuer="Міністерство охорони здоров’я")
    client = client_for("don")
    by_district = _titles(client.get(reverse("api:document_list"), {"district": world.district.pk}))
    assert {"Лист РУО Голосіївського району", "Наказ РУО про канікули"} <= by_district
    for typed in ("здоров’я", "здоров'я", "ЗДОРОВʼЯ", "здоров`я"):
        assert _titles(client.get(reverse("api:document_list"), {"issuer": typed})) == {"Наказ РУО про канікули"}


def test_document_listing_query_count_is_bounded(world, client_for, django_assert_max_num_queries):
    client = client_for("school_c")
    client.get(reverse("library:document_list"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("library:document_list"))
    for n in range(15):
        make_document(world.content.city_document.collection, f"Додатковий документ {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("library:document_list"))
    client.get(reverse("api:document_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("api:document_list"))


def test_documents_are_served_as_attachments_through_the_view(world, client_for):
    document = world.content.city_document
    response = client_for("school_b").get(document.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_text_and_markup_are_never_served_inline(world, client_for):
    document = make_document(world.content.city_document.collection, "Нотатка", name="note.txt", data=b"hello")
    response = client_for("don").get(document.url)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert "sandbox" in response["Content-Security-Policy"]


def test_wrong_filename_is_a_404(world, client_for):
    document = world.content.city_document
    url = reverse("wagtaildocs_serve", args=[document.pk, "other.pdf"])
    assert client_for("don").get(url).status_code == 404


def test_media_folder_is_never_served_directly(world, client_for):
    document = world.content.city_document
    for client in (Client(), client_for("don")):
        response = client.get("/media/" + document.file.name)
        assert response.status_code in (302, 404)
        assert b"%PDF" not in response.content


def test_wagtail_api_documents_are_scoped(world, client_for):
    data = client_for("school_a").get(reverse("wagtailapi:documents:listing")).json()
    titles = {item["title"] for item in data["items"]}
    assert titles == {world.content.city_document.title, world.content.district_a_document.title}
    assert data["meta"]["total_count"] == 2
    detail = client_for("school_a").get(
        reverse("wagtailapi:documents:detail", args=[world.content.district_c_document.pk])
    )
    assert detail.status_code == 404


def test_a_restricted_document_cannot_be_found_by_its_file_hash(world, client_for):
    document = world.content.district_c_document
    document._set_document_file_metadata()
    document.save()
    assert document.file_hash
    client = client_for("school_a")
    for url in (reverse("api:document_list"), reverse("wagtailapi:documents:listing")):
        response = client.get(url, {"file_hash": document.file_hash})
        assert response.status_code == 400 or document.title not in response.content.decode()
    response = client.get(reverse("library:document_list"), {"q": document.file_hash})
    assert document.title not in response.content.decode()
    # the serving view sends no validators derived from the file hash for another scope's document
    response = client.get(document.url, HTTP_IF_NONE_MATCH=document.file_hash)
    assert response.status_code == 404


def test_wagtail_api_search_stays_in_scope(world, client_for):
    client = client_for("school_a")
    documents = client.get(reverse("wagtailapi:documents:listing"), {"search": "Лист"})
    assert documents.status_code == 200
    titles = {item["title"] for item in documents.json()["items"]}
    assert world.content.district_a_document.title in titles
    assert world.content.district_c_document.title not in titles
    pages = client.get(reverse("wagtailapi:pages:listing"), {"search": "Розпорядження"}).json()
    assert {item["title"] for item in pages["items"]} == {world.content.district_a_regulation.title}


def test_every_thematic_community_has_its_collection(world):
    from cms.accounts.permissions import setup_roles
    from cms.library.models import CollectionAudience
    from tests.factories import CommunityFactory

    community = CommunityFactory(name="Інклюзивні класи")
    setup_roles()
    assert CollectionAudience.objects.get(community=community).collection.name == "Спільнота: Інклюзивні класи"


def test_admin_document_listing_filters_and_permissions(world, client_for):
    from cms.library.models import LibraryDocument

    LibraryDocument.objects.filter(pk=world.content.city_document.pk).update(kind="order", status="repealed")
    don = client_for("don")
    html = don.get(reverse("library_documents:index"), {"kind": "order"}).content.decode()
    assert world.content.city_document.title in html and world.content.district_a_document.title not in html
    html = don.get(reverse("library_documents:index"), {"status": "repealed"}).content.decode()
    assert world.content.city_document.title in html
    # a district office lists only the documents it may edit: its own district's
    html = client_for("own_ruo").get(reverse("library_documents:index")).content.decode()
    assert world.content.district_a_document.title in html
    assert world.content.district_c_document.title not in html and world.content.city_document.title not in html
    # and its collection filter names the collections of those documents only (it named every collection)
    collections = re.search(r'<select name="collection".*?</select>', html, re.S).group()
    assert world.content.district_a_document.collection.name in collections
    for other in (world.content.district_c_document, world.content.department_document, world.content.city_document):
        assert other.collection.name not in collections, other.collection.name
    assert client_for("school_a").get(reverse("library_documents:index")).status_code == 302


def test_page_locking_is_available_to_department_editors(world):
    page = world.content.city_regulation
    assert page.permissions_for_user(world.users["don"]).can_lock()
    assert not page.permissions_for_user(world.users["own_ruo"]).can_lock()
    regulation_a = world.content.district_a_regulation
    assert regulation_a.permissions_for_user(world.users["own_ruo"]).can_lock()
