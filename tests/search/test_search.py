"""The search capability, as one conformance suite run against every configured backend: the database
(SQLite here, PostgreSQL in CI) and, when OPENSEARCH_URL is set (CI starts a real node), OpenSearch."""

import logging
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.search.backends import get_search_backend

from cms.accounts.permissions import city_collection
from cms.pages.models import RegulationPage
from search import services
from search.analysis import FIELD_BREAK
from search.models import QueryLogEntry
from search.results import SNIPPET_FIRST_READ
from search.services import SearchFilters, SearchUnavailable, run_search
from tests.conftest import make_document, publish_regulation
from tests.search.conftest import refresh_indexes
from tests.search.test_search_cost import FILLER


def _titles(outcome) -> list[str]:
    return [hit.title for hit in outcome.hits]


def test_inflected_query_finds_the_base_form(world, backend_name, corpus):
    outcome = run_search(world.users["school_a"], "наказу про зарахування")
    assert "Порядок зарахування до закладів освіти" in _titles(outcome)


def test_word_forms_match_both_ways(world, backend_name):
    for query in ("заклад", "закладів", "закладами", "учень", "учнями"):
        assert "Порядок зарахування до закладів освіти" in _titles(run_search(world.users["don"], query)), query


def test_title_match_ranks_first(world, backend_name):
    assert _titles(run_search(world.users["school_a"], "про освіту"))[0] == "Про освіту"


def test_exact_document_number_ranks_first(world, backend_name):
    assert _titles(run_search(world.users["school_a"], "2145-VIII"))[0] == "Про освіту"
    assert (
        _titles(run_search(world.users["school_a"], "№ 805"))[0] == "Положення про атестацію педагогічних працівників"
    )


def test_quoted_phrase_must_appear(world, backend_name):
    titles = _titles(run_search(world.users["don"], "«педагогічних працівників»"))
    assert titles == ["Положення про атестацію педагогічних працівників"]


def test_no_autocomplete_matches_the_field_break(world, backend_name):
    """The word between two fields' texts is no prefix of anything an autocomplete finds, typed as it is (Wagtail's
    admin page search and choosers complete the text as typed, without the portal's analysis)."""
    backend = get_search_backend("default")
    assert list(backend.autocomplete("367", RegulationPage))
    for typed in (FIELD_BREAK, FIELD_BREAK[:2]):
        assert list(backend.autocomplete(typed, RegulationPage)) == []


@pytest.mark.parametrize(
    ("fields", "across", "within"),
    [
        # The issuer's last word and the summary's first: two fields whose lemmas are one indexed text.
        (
            {"issuer": "Міністерство освіти і науки України", "summary": "Ліцензування приватних закладів."},
            "«України ліцензування»",
            "«науки України»",
        ),
        # The title's last word and the issuer's first.
        ({"issuer": "Департамент освіти", "summary": "Про меню."}, "«харчування департамент»", "«департамент освіти»"),
        # The issuer's last word and the subjects' first, as written: two fields of the index's one body text.
        ({"issuer": "Київська міська рада", "subjects": "харчування"}, "«рада харчування»", "«міська рада»"),
    ],
)
def test_a_quoted_phrase_does_not_run_from_one_field_into_the_next(world, backend_name, fields, across, within):
    """A quoted phrase is words in a row within one field: the last word of one field and the first of the
    next are not a phrase, though the index joins the fields into one text."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист про харчування", kind="letter", **fields)
    refresh_indexes()
    user = world.users["don"]
    assert "Лист про харчування" in _titles(run_search(user, within))
    assert "Лист про харчування" in _titles(run_search(user, across.strip("«»")))  # the words, not the phrase
    assert "Лист про харчування" not in _titles(run_search(user, across))


def test_results_never_leave_the_scope(world, backend_name):
    outcome = run_search(world.users["school_a"], "зарахування")
    titles = _titles(outcome)
    assert "Розпорядження РУО Оболонського району" not in titles
    assert "Лист про зарахування (Оболонь)" not in titles
    assert outcome.total == len(titles)  # the count betrays nothing either
    other = _titles(run_search(world.users["school_c"], "зарахування"))
    assert "Розпорядження РУО Оболонського району" in other and "Лист про зарахування (Оболонь)" in other


def test_filters_and_date_sort(world, backend_name):
    user = world.users["don"]
    assert _titles(run_search(user, "освіти", filters=SearchFilters(kind="law"))) == ["Про освіту"]
    assert _titles(run_search(user, "освіти", filters=SearchFilters(year=2018))) == [
        "Порядок зарахування до закладів освіти"
    ]
    amended = run_search(user, "атестація", filters=SearchFilters(status="amended"))
    assert _titles(amended) == ["Положення про атестацію педагогічних працівників"]
    by_issuer = run_search(user, "освіти", filters=SearchFilters(issuer="Верховна Рада України"))
    assert _titles(by_issuer) == ["Про освіту"]
    in_district = _titles(run_search(user, "зарахування", filters=SearchFilters(district_id=world.other_district.pk)))
    assert set(in_district) == {"Розпорядження РУО Оболонського району", "Лист про зарахування (Оболонь)"}
    dated = run_search(user, "освіти", order="date")
    dates = [hit.date for hit in dated.hits if hit.date]
    assert dates == sorted(dates, reverse=True)


def test_snippet_highlights_the_matching_words(world, backend_name):
    hit = next(
        h for h in run_search(world.users["school_a"], "зарахування учнів").hits if h.title.startswith("Порядок")
    )
    assert "<mark>зарахування</mark>" in hit.snippet and "<mark>учнів</mark>" in hit.snippet
    assert "<script" not in hit.snippet


def test_a_result_found_by_its_subjects_or_issuer_shows_them_marked(world, backend_name):
    """A result whose text holds none of the query's words shows the subjects or the issuer it was found by, after
    their label and marked, not the start of its text; one whose text holds them shows the passage, one found by
    its title alone the start of its text."""
    index = world.content.city_regulation.get_parent().specific
    text = "Навчальний рік у закладах загальної середньої освіти починається першого вересня."
    by_subjects = publish_regulation(index, "Лист щодо навчального року", kind="letter", subjects="інклюзія", text=text)
    by_text = publish_regulation(
        index, "Лист щодо асистентів", kind="letter", subjects="інклюзія", text="Інклюзія потребує асистентів."
    )
    by_title = publish_regulation(index, "Лист щодо інклюзії", kind="letter", text=text)
    document = make_document(city_collection(), "Лист щодо ремонту", issuer="Управління освіти Подільської РДА")
    type(document).objects.filter(pk=document.pk).update(extracted_text="Ремонт їдальні завершено.")
    document.refresh_from_db()
    get_search_backend("default").add(document)
    refresh_indexes()
    user = world.users["don"]

    snippets = {hit.title: str(hit.snippet) for hit in run_search(user, "інклюзії").hits}
    assert snippets[by_subjects.title] == "Теми: <mark>інклюзія</mark>"
    assert snippets[by_text.title] == "<mark>Інклюзія</mark> потребує асистентів."
    assert snippets[by_title.title] == text and "<mark>" not in snippets[by_title.title]
    hit = next(hit for hit in run_search(user, "подільського").hits if hit.title == document.title)
    assert hit.snippet == "Орган, що видав: Управління освіти <mark>Подільської</mark> РДА"


def test_an_act_found_by_its_number_shows_it_marked(world, backend_name, corpus):
    """An act found by the number the query names, which its text does not hold, shows the number marked."""
    user = world.users["school_a"]
    for query, title, number in [("№ 805", "Положення про атестацію", "805"), ("2145-VIII", "Про освіту", "2145-VIII")]:
        hit = run_search(user, query).hits[0]
        law = next(law for law in corpus.values() if law.title == hit.title)
        assert law.title.startswith(title) and number not in law.text
        assert hit.snippet == f"Номер: <mark>{number}</mark>"


def test_pagination(world, backend_name):
    first = run_search(world.users["don"], "освіти", per_page=1, page=1)
    second = run_search(world.users["don"], "освіти", per_page=1, page=2)
    assert first.total >= 2 and first.num_pages == first.total
    assert _titles(first) != _titles(second)


def test_counting_stops_at_the_cap(world, backend_name, monkeypatch, client_for):
    monkeypatch.setattr("search.engine.MATCH_CAP", 1)
    outcome = run_search(world.users["don"], "освіти")
    assert outcome.total == 1 and outcome.total_is_lower_bound and outcome.hits
    assert not run_search(world.users["don"], "атестація").total_is_lower_bound
    data = client_for("don").get(reverse("api:search"), {"q": "освіти"}).json()
    assert data["count"] == 1 and data["count_is_lower_bound"]


def test_nothing_found(world, backend_name):
    assert run_search(world.users["don"], "квантова хромодинаміка").total == 0


#: The engines' backends (OpenSearch, Elasticsearch) pointed at a port where nothing listens.
UNREACHABLE_ENGINES = [
    {"BACKEND": backend, "URLS": ["http://127.0.0.1:9"], "TIMEOUT": 1}
    for backend in ("search.backends", "search.backends.PortalElasticsearchBackend")
]
ENGINE_IDS = ["opensearch", "elasticsearch"]


@pytest.mark.parametrize("unreachable", UNREACHABLE_ENGINES, ids=ENGINE_IDS)
def test_engine_unreachable_falls_back_to_the_database(world, corpus, settings, unreachable):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": unreachable,
        "fallback": {"BACKEND": "wagtail.search.backends.database"},
    }
    outcome = run_search(world.users["school_a"], "наказу про зарахування")
    assert outcome.fallback and "Порядок зарахування до закладів освіти" in _titles(outcome)


@pytest.mark.parametrize("unreachable", UNREACHABLE_ENGINES, ids=ENGINE_IDS)
def test_no_backend_at_all_is_reported(world, corpus, settings, unreachable):
    settings.WAGTAILSEARCH_BACKENDS = {"default": unreachable}
    with pytest.raises(SearchUnavailable):
        run_search(world.users["school_a"], "освіта")


def test_results_page_and_api(world, corpus, client_for):
    client = client_for("school_a")
    html = client.get(reverse("search:results"), {"q": "наказу про зарахування", "kind": "order"}).content.decode()
    assert "Порядок зарахування до закладів освіти" in html and "<mark>" in html
    data = client.get(reverse("api:search"), {"q": "наказу про зарахування"}).json()
    assert {"title", "url", "kind", "number", "date", "snippet"} <= set(data["results"][0])
    assert data["count"] == len(data["results"])
    assert all("Оболон" not in row["title"] for row in data["results"])
    bad = client.get(reverse("api:search"), {"q": "освіта", "year": "abc"})
    assert bad.status_code == 400 and "year" in bad.json()["detail"]
    empty = client.get(reverse("api:search"))
    assert empty.status_code == 400 and empty.json()["detail"]["q"] == ["Введіть, що шукати."]
    nothing = client.get(reverse("search:results"), {"q": "квантова хромодинаміка"}).content.decode()
    assert "Нічого не знайдено" in nothing


@pytest.mark.parametrize("text", ['"про"', "«і та»", '"про" "і"'])
def test_a_quoted_phrase_of_stop_words_finds_nothing_without_an_error(world, backend_name, client_for, text):
    client = client_for("don")
    page = client.get(reverse("search:results"), {"q": text})
    assert page.status_code == 200 and "Нічого не знайдено" in page.content.decode()
    api = client.get(reverse("api:search"), {"q": text})
    assert api.status_code == 200 and (api.json()["count"], api.json()["results"]) == (0, [])


def test_rich_text_is_searched_and_shown_as_its_text(world, backend_name, client_for):
    """A rich text as Wagtail's editor stores it: entities («&amp;», a no-break space) and blocks. Its lemmas are
    those of its text (a list item's last word not glued to the next one's first), and its snippet shows the
    text, escaped once (it showed «&amp;amp;» and «&amp;nbsp;»: the entities as text)."""
    from cms.pages.models import HomePage, ReportIndexPage, ReportPage

    reports = ReportIndexPage.objects.child_of(HomePage.objects.get()).get()
    page = ReportPage(
        title="Звіт про харчування",
        slug="zvit-pro-kharchuvannia",
        year=2025,
        body="<p>Харчування учнів &amp; вчителів, 5&nbsp;клас</p><ul><li>сніданки</li><li>обіди</li></ul>",
    )
    reports.add_child(instance=page)
    page.save_revision().publish()
    backend = get_search_backend("default")
    backend.add(page)
    backend.get_index_for_model(ReportPage).refresh()

    html = client_for("don").get(reverse("search:results"), {"q": "харчування вчителів"}).content.decode()
    snippet = html[html.index('<p class="snippet">') :].split("</p>", 1)[0]
    assert "учнів &amp; <mark>вчителів</mark>, 5\xa0клас" in snippet
    assert "&amp;amp;" not in html and "&amp;nbsp;" not in html
    found = run_search(world.users["don"], "обід", log=False)  # «обіди», the list's last item
    assert [hit.title for hit in found.hits] == ["Звіт про харчування"]
    assert "5\xa0клас сніданки <mark>обіди</mark>" in found.hits[0].snippet


def test_a_document_tagged_in_bulk_is_found_by_its_tag(
    world, backend_name, client_for, django_capture_on_commit_callbacks
):
    """The admin's bulk «Tag» action adds tags without saving the document: it is indexed again all the same
    (a search for the tag found nothing until ``update_index``)."""
    from cms.library.models import LibraryDocument

    document = world.content.city_document  # in the city collection: every user reads it
    assert document.title not in _titles(run_search(world.users["school_a"], "оздоровлення"))
    url = reverse("wagtail_bulk_action", args=["library", "librarydocument", "add_tags"]) + f"?id={document.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("don").post(url, {"tags": "оздоровлення"}).status_code == 302
    assert list(LibraryDocument.objects.get(pk=document.pk).tags.names()) == ["оздоровлення"]
    refresh_indexes()
    assert _titles(run_search(world.users["school_a"], "оздоровлення")) == [document.title]
    api = client_for("school_a").get(reverse("api:search"), {"q": "оздоровлення"}).json()
    assert [row["title"] for row in api["results"]] == [document.title]


@pytest.mark.parametrize("action", ["add_tags", "add_to_collection"])
def test_documents_changed_in_bulk_are_indexed_again_in_one_write(
    action, world, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    """The admin's bulk «Tag» adds the tags document by document (a signal for each), bulk «Add to collection»
    moves them with one UPDATE: once committed, the documents are read and written in chunks, the same
    statements for 5 documents as for 25, one bulk write per backend."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    writes: list[int] = []
    backend_class = type(get_search_backend("default"))
    original = backend_class.add_bulk

    def spy(self, model, objects):
        writes.append(len(objects))
        return original(self, model, objects)

    monkeypatch.setattr(backend_class, "add_bulk", spy)
    collection = world.content.city_document.collection
    url = reverse("wagtail_bulk_action", args=["library", "librarydocument", action])
    data = {"tags": "оздоровлення"} if action == "add_tags" else {"collection": collection.pk}
    statements = []
    for count in (5, 25):
        documents = [make_document(world.content.district_a_document.collection, f"Лист {i}") for i in range(count)]
        with django_capture_on_commit_callbacks() as callbacks:
            response = client_for("don").post(url + "?" + "&".join(f"id={d.pk}" for d in documents), data)
        assert response.status_code == 302
        writes.clear()
        with CaptureQueriesContext(connection) as queries:
            for callback in callbacks:
                callback()
        assert writes == [count]
        statements.append(len(queries.captured_queries))
    assert statements[0] == statements[1], statements


def test_a_failure_reading_documents_again_fails_no_committed_bulk_action(
    world, client_for, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Reading the documents to write them again fails in the reindex task after the bulk «Tag» is committed
    (the database gone away, or busy): the user is answered that it is done, which it is, and the failure is
    logged. Run in the commit callback before, it raised into the response (a 500 for a committed change)."""
    from django.db import OperationalError

    import search.indexing
    from cms.library.models import LibraryDocument

    def gone(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(search.indexing, "by_key_chunks", gone)
    document = world.content.city_document
    url = reverse("wagtail_bulk_action", args=["library", "librarydocument", "add_tags"]) + f"?id={document.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("don").post(url, {"tags": "оздоровлення"}).status_code == 302
    assert list(LibraryDocument.objects.get(pk=document.pk).tags.names()) == ["оздоровлення"]
    assert any("database is locked" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_a_task_queue_that_fails_fails_no_committed_bulk_action(
    world, client_for, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The reindex task cannot be queued after the bulk «Tag» is committed (the queue's database busy): the
    user is answered that it is done, which it is, and the failure is logged."""
    from django.db import OperationalError

    import search.tasks
    from cms.library.models import LibraryDocument

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(type(search.tasks.reindex_objects), "enqueue", busy)  # a frozen dataclass: its class
    document = world.content.city_document
    url = reverse("wagtail_bulk_action", args=["library", "librarydocument", "add_tags"]) + f"?id={document.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("don").post(url, {"tags": "оздоровлення"}).status_code == 302
    assert list(LibraryDocument.objects.get(pk=document.pk).tags.names()) == ["оздоровлення"]
    assert "Could not queue the reindex of 1 LibraryDocument" in caplog.text


def _in_scope_and_counted(outcome) -> list[str]:
    """The titles found, checked against the count: an engine's stale copy of what it filters on (a scope, a
    filter) is counted by the engine, and the results are then loaded from the database inside the scope, so a
    stale copy shows as a count of results that are not listed."""
    titles = _titles(outcome)
    assert outcome.total == len(titles), (outcome.total, titles)
    return titles


def test_documents_moved_to_another_collection_in_bulk_are_searched_in_it(
    world, backend_name, client_for, django_capture_on_commit_callbacks
):
    """The admin's bulk «Add to collection» moves documents with one UPDATE, without saving them. An engine
    filters the scope on the collection it stores: a district's letter moved to the city's collection was not
    found by the city's schools, and a letter moved out of their district was still counted for them."""
    from cms.library.models import LibraryDocument

    letter_c = LibraryDocument.objects.get(title="Лист про зарахування (Оболонь)")  # district C's
    letter_a = world.content.district_a_document  # «Лист РУО Голосіївського району»
    assert letter_c.title not in _in_scope_and_counted(run_search(world.users["school_a"], "зарахування"))
    assert letter_a.title in _in_scope_and_counted(run_search(world.users["school_a"], "голосіївського"))
    bulk = reverse("wagtail_bulk_action", args=["library", "librarydocument", "add_to_collection"])
    for document, collection in (
        (letter_c, world.content.city_document.collection),
        (letter_a, world.content.district_c_document.collection),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("don").post(f"{bulk}?id={document.pk}", {"collection": collection.pk})
        assert response.status_code == 302
        assert LibraryDocument.objects.get(pk=document.pk).collection_id == collection.pk
    refresh_indexes()
    assert letter_a.title not in _in_scope_and_counted(run_search(world.users["school_a"], "голосіївського"))
    assert letter_c.title in _in_scope_and_counted(run_search(world.users["school_a"], "зарахування"))
    in_district_c = SearchFilters(district_id=world.other_district.pk)
    assert _in_scope_and_counted(run_search(world.users["don"], "голосіївського", filters=in_district_c)) == [
        letter_a.title
    ]


def test_district_sections_reordered_in_the_admin_keep_their_pages_in_scope(
    world, backend_name, client_for, django_capture_on_commit_callbacks
):
    """Reordering pages in the admin (the explorer's drag and drop) moves a page with treebeard, which gives
    each later sibling, and every page under it, a new path with an UPDATE: only the moved page is saved. An
    engine filters the scope on the paths it stores: with district C's section moved before A's, the engine
    took A's pages for C's and C's for A's; a school of A found nothing of its district and counted C's."""
    from cms.pages.models import DistrictSectionPage

    section_a = DistrictSectionPage.objects.get(district=world.district)
    section_c = DistrictSectionPage.objects.get(district=world.other_district)
    home = section_a.get_parent()
    position = [page.pk for page in home.get_children()].index(section_a.pk)
    url = reverse("wagtailadmin_pages:set_page_position", args=[section_c.pk]) + f"?position={position}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("don").post(url).status_code == 200
    assert [page.pk for page in home.get_children()].index(section_c.pk) == position
    refresh_indexes()
    ours, theirs = world.content.district_a_regulation.title, world.content.district_c_regulation.title
    found_by_a = _in_scope_and_counted(run_search(world.users["school_a"], "розпорядження"))
    assert ours in found_by_a and theirs not in found_by_a
    found_by_c = _in_scope_and_counted(run_search(world.users["school_c"], "розпорядження"))
    assert theirs in found_by_c and ours not in found_by_c
    in_district_a = SearchFilters(district_id=world.district.pk)
    assert _in_scope_and_counted(run_search(world.users["don"], "розпорядження", filters=in_district_a)) == [ours]


def test_a_page_moved_with_its_subpages_is_searched_in_its_new_place(
    world, backend_name, django_capture_on_commit_callbacks
):
    """The admin's bulk «Move» (as the page's own move) saves the moved page; the pages under it get their new
    paths with an UPDATE. A district's index of acts moved to the city's pages stayed the district's in the
    engine: the other districts' schools did not find its acts."""
    from cms.pages.models import DistrictSectionPage, HomePage, RegulationIndexPage
    from tests.conftest import sign_in

    section_c = DistrictSectionPage.objects.get(district=world.other_district)
    folder = RegulationIndexPage(title="Накази про ротацію", slug="nakazy-pro-rotatsiiu", live=True)
    section_c.add_child(instance=folder)
    act = publish_regulation(folder, "Наказ про ротацію кадрів", kind="order", text="Ротація педагогічних кадрів.")
    refresh_indexes()
    assert _in_scope_and_counted(run_search(world.users["school_a"], "ротація")) == []
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "move"]) + f"?id={folder.pk}"
    with django_capture_on_commit_callbacks(execute=True):  # the department's editor: the whole city in scope
        response = sign_in(Client(), world.users["don"]).post(url, {"chooser": HomePage.objects.get().pk})
    assert response.status_code == 302
    assert RegulationIndexPage.objects.get(pk=folder.pk).get_parent().pk == HomePage.objects.get().pk
    refresh_indexes()
    assert _in_scope_and_counted(run_search(world.users["school_a"], "ротація")) == [act.title]
    in_district_c = SearchFilters(district_id=world.other_district.pk)
    assert _in_scope_and_counted(run_search(world.users["don"], "ротація", filters=in_district_c)) == []


def test_bulk_status_changes_and_unpublishing_reach_the_engines_filters(
    world, backend_name, client_for, django_capture_on_commit_callbacks
):
    """The portal's bulk «Change status» and Wagtail's bulk «Unpublish» save each page (a published revision,
    an unpublish): the engine's status and live filters follow them without anything more."""
    regulation = world.content.city_regulation  # «Про зарахування учнів до закладів освіти», in force
    pages = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "change_status"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("don").post(f"{pages}?id={regulation.pk}", {"status": "repealed"})
    assert response.status_code == 302
    refresh_indexes()
    repealed = SearchFilters(status="repealed")
    assert _in_scope_and_counted(run_search(world.users["don"], "зарахування", filters=repealed)) == [regulation.title]
    in_force = SearchFilters(status="in_force")
    assert regulation.title not in _in_scope_and_counted(
        run_search(world.users["don"], "зарахування", filters=in_force)
    )
    unpublish = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("don").post(f"{unpublish}?id={regulation.pk}", {}).status_code == 302
    refresh_indexes()
    assert regulation.title not in _in_scope_and_counted(run_search(world.users["school_a"], "зарахування"))


def test_a_collection_moved_under_another_needs_no_reindex_of_its_documents(world, backend_name):
    """Moving a collection (the admin's collection form: ``move(parent, "sorted-child")``) or changing its
    audience changes no document: the scope reads the collections' tree and audiences from the database at each
    search, and the engine filters on the collection ids it is given."""
    district_c = world.content.district_c_document.collection
    minutes = district_c.add_child(name="Протоколи нарад")
    document = make_document(minutes, "Протокол наради директорів", kind="other")
    refresh_indexes()
    assert _in_scope_and_counted(run_search(world.users["school_a"], "протокол")) == []
    minutes.move(world.content.city_document.collection, "sorted-child")
    assert _in_scope_and_counted(run_search(world.users["school_a"], "протокол")) == [document.title]
    in_district_c = SearchFilters(district_id=world.other_district.pk)
    assert _in_scope_and_counted(run_search(world.users["don"], "протокол", filters=in_district_c)) == []


def test_a_school_moved_to_another_district_searches_in_it_without_a_reindex(world, backend_name):
    """The registry import moves a school to another district with a bulk UPDATE of schools: nothing indexed
    names a school or a district (the scope reads the user's district from the database and filters the
    engine on sections' paths and collections' ids), so no entry goes stale."""
    from cms.accounts.models import User
    from cms.org.models import School

    School.objects.filter(pk=world.school_c.pk).update(district=world.district)
    user = User.objects.get(pk=world.users["school_c"].pk)  # a new request's user: its scope read afresh
    found = _in_scope_and_counted(run_search(user, "розпорядження"))
    assert world.content.district_a_regulation.title in found
    assert world.content.district_c_regulation.title not in found


def test_query_log_counts_queries_without_users(world, corpus, client_for):
    client = client_for("school_a")
    client.get(reverse("search:results"), {"q": "Наказу про зарахування"})
    client.get(reverse("search:results"), {"q": "наказу  про зарахування"})
    client.get(reverse("search:results"), {"q": "квантова хромодинаміка"})
    entry = QueryLogEntry.objects.get(query="наказу про зарахування")
    assert (entry.searches, entry.unanswered) == (2, 0) and entry.results > 0
    fields = {f.name for f in QueryLogEntry._meta.get_fields()}
    assert fields == {"id", "query", "day", "searches", "results", "unanswered"}
    html = client_for("don").get(reverse("search:query_log")).content.decode()
    assert 'квантова хромодинаміка <span class="muted">(без результатів: 1 із 1)' in html


def test_query_log_counts_each_search_that_found_nothing(world, corpus, client_for):
    """A query some found nothing for stays among the unanswered ones, whoever searched it last: its searches
    that found nothing are counted, not the last search's result count."""
    outside = "Оболонь"  # district C's act and document: school A's scope holds nothing of them
    client_for("school_a").get(reverse("search:results"), {"q": outside})
    client_for("don").get(reverse("search:results"), {"q": outside})
    entry = QueryLogEntry.objects.get(query=outside.lower())
    assert (entry.searches, entry.unanswered) == (2, 1) and entry.results > 0
    html = client_for("don").get(reverse("search:query_log")).content.decode()
    unanswered = html[html.index('id="unanswered-title"') : html.index('id="popular-title"')]
    assert f'{outside.lower()} <span class="muted">(без результатів: 1 із 2)' in unanswered


def test_query_log_is_the_citys_editors_own(world, corpus, client_for):
    """What a school of another district typed (here the title of its district's letter, which district A's
    office may not open) and whether it found anything are the city's to read: a district office is refused
    the log and is not offered it."""
    letter = "Лист про зарахування (Оболонь)"  # district C's document
    assert letter not in [hit.title for hit in run_search(world.users["own_ruo"], letter, log=False).hits]
    client_for("school_c").get(reverse("search:results"), {"q": letter})
    ruo = client_for("own_ruo")
    assert ruo.get(reverse("search:query_log")).status_code == 403
    assert reverse("search:query_log") not in ruo.get(reverse("dashboard:home")).content.decode()
    don = client_for("don")
    assert letter.lower() in don.get(reverse("search:query_log")).content.decode()
    assert reverse("search:query_log") in don.get(reverse("dashboard:home")).content.decode()


@pytest.mark.parametrize(
    "typed",
    [
        *['"Поряд', 'Поряд"', '"Поряд"', "Поряд\x00", "«Поряд»", "(Поряд)", "Поряд'", "-Поряд-", "'Поряд ---"],
        *["Поря\u0301д", "По\u00adряд", "\ufeffПоряд"],  # a stress mark, a soft hyphen, a byte-order mark
    ],
)
def test_autocomplete_leaves_out_quotes_and_control_characters(world, backend_name, client_for, typed):
    """A quote ended the engine's string early and a NUL was refused: a server error (500); on PostgreSQL a text
    of hyphens only too. Only the words typed are given to the engine, and the suggestions are theirs; a
    character the analysis drops inside a word (pasted with the word) split it in two."""
    response = client_for("school_a").get(reverse("search:autocomplete"), {"q": typed})
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Порядок зарахування до закладів освіти"]


def test_autocomplete_of_a_quote_cut_by_the_length_limit(world, backend_name, client_for):
    typed = '"' + "порядок " * 30 + '"'  # past 100 characters the closing quote is cut off
    response = client_for("school_a").get(reverse("search:autocomplete"), {"q": typed})
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Порядок зарахування до закладів освіти"]


@pytest.mark.parametrize("typed", ['""', '"""', "\x00\x00", "«»", "---", "' ’ -", "_-_", '"П', "«П»", "П-"])
def test_autocomplete_of_marks_only_suggests_nothing(world, backend_name, client_for, typed):
    response = client_for("school_a").get(reverse("search:autocomplete"), {"q": typed})
    assert response.status_code == 200 and response.json() == {"results": []}


def test_autocomplete_titles_in_scope(world, corpus, client_for):
    data = client_for("school_a").get(reverse("search:autocomplete"), {"q": "Поряд"}).json()
    assert [row["title"] for row in data["results"]] == ["Порядок зарахування до закладів освіти"]


def test_autocomplete_reads_keys_typed_with_the_english_layout_on(world, backend_name, client_for):
    """«Gjhzl» is «Поряд» typed with the English layout on: it suggests the titles «Поряд» does, in the user's
    scope; a Latin word that starts a title is suggested as typed."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Навчання в Moodle", kind="letter", text="Курси.")
    refresh_indexes()

    def suggested(actor, typed):
        rows = client_for(actor).get(reverse("search:autocomplete"), {"q": typed}).json()["results"]
        return [row["title"] for row in rows]

    assert (
        suggested("school_a", "Gjhzl") == suggested("school_a", "Поряд") == ["Порядок зарахування до закладів освіти"]
    )
    assert suggested("school_a", "Mood") == ["Навчання в Moodle"]  # not «Ьщщв»
    assert suggested("school_a", "Qqqq") == []
    # A double quote first: «Є» suggests nothing here, the quote mark what «Поряд» does.
    assert suggested("school_a", '"gjhzl') == ["Порядок зарахування до закладів освіти"]


def test_autocomplete_suggests_every_searched_type(world, backend_name, client_for):
    """Documents and announcements are suggested as acts are, within the scope, titles starting with the
    words first."""
    from cms.pages.models import AnnouncementIndexPage, AnnouncementPage, HomePage

    document = make_document(world.content.city_document.collection, "Лист щодо харчування учнів", kind="letter")
    announcements = AnnouncementIndexPage.objects.child_of(HomePage.objects.get()).get()
    news = AnnouncementPage(title="Оголошення: лист батькам", slug="lyst-batkam", body="<p>Лист</p>")
    announcements.add_child(instance=news)
    news.save_revision().publish()
    backend = get_search_backend("default")  # the backend under test
    for obj in (type(document).objects.get(pk=document.pk), news):
        backend.add(obj)
        backend.get_index_for_model(type(obj)).refresh()

    def suggested(actor):
        rows = client_for(actor).get(reverse("search:autocomplete"), {"q": "Лист"}).json()["results"]
        return [(row["title"], row["url"]) for row in rows]

    school = suggested("school_a")
    assert (document.title, document.url) in school and (news.title, news.url) == school[-1]
    assert "Лист про зарахування (Оболонь)" not in dict(school)  # district C's document
    assert all(title.startswith("Лист") for title, _url in school[:-1])  # titles starting with the word first
    city = [title for title, _url in suggested("don")]
    assert "Лист про зарахування (Оболонь)" in city and city[-1] == news.title


def test_misspelled_words_are_tolerated_where_the_engine_can(world, backend_name):
    """One slip is corrected on every backend (``search.spelling``); two are left to the engines' fuzzy
    matching, which the database backends do not have."""
    from search.services import supports_fuzzy

    outcome = run_search(world.users["don"], "атистація")
    assert "Положення про атестацію педагогічних працівників" in _titles(outcome)
    assert outcome.corrected == "атестація"
    outcome = run_search(world.users["don"], "отистація")
    if supports_fuzzy(get_search_backend("default")):  # the fixture made the backend under test the default
        assert "Положення про атестацію педагогічних працівників" in _titles(outcome)
    else:
        assert outcome.total == 0  # the database backends match exact lemmas only


def test_russian_layout_letters_are_read_as_ukrainian(world, backend_name):
    titles = _titles(run_search(world.users["don"], "педагогычних працывників"))
    assert titles[0] == "Положення про атестацію педагогічних працівників"


@pytest.mark.parametrize(
    ("query", "same_form", "other_form"),
    [
        ("іноземних мов", "Порядок вивчення іноземних мов у школах.", "Навчання іноземної мови у початковій школі."),
        ("приватні заклади", "Приватні заклади освіти подають звіти.", "Ліцензування приватних закладів освіти."),
        ("дитячий садок", "Дитячий садок працює з 7:00.", "Мережа дитячих садків району."),
        ("грунтується", "Оцінювання грунтується на критеріях.", "Оцінювання ґрунтується на критеріях."),
    ],
)
def test_a_word_with_two_likely_lemmas_finds_either(world, backend_name, query, same_form, other_form):
    """«мов» is the particle or «мова», «садка» is «садка» or «садок»: a text is indexed with both lemmas of
    such a word, and the query now asks for either («іноземних мов» found only the texts with the same form)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text=same_form)
    publish_regulation(index, "Лист Б", kind="letter", text=other_form)
    refresh_indexes()
    assert {"Лист А", "Лист Б"} <= set(_titles(run_search(world.users["don"], query)))


@pytest.mark.parametrize(
    ("query", "same_form", "other_form"),
    [
        ("іноземних мов", "Порядок вивчення іноземних мов у школах.", "Навчання іноземної мови у початковій школі."),
        ("приватні заклади", "Приватні заклади освіти подають звіти.", "Ліцензування приватних закладів освіти."),
        ("вільні місця", "Вільні місця у першому класі.", "Облік вільних місць у першому класі."),
        # The other way round: the query's words have one lemma each, the text's forms two.
        ("рівних прав", "Забезпечення рівних прав учнів.", "Рівні права учнів і вчителів."),
        ("вільних садків", "Облік вільних садків району.", "Вільні садки району."),
    ],
)
def test_a_quoted_phrase_with_a_word_of_two_lemmas_finds_its_own_text(
    world, backend_name, query, same_form, other_form
):
    """A quoted phrase is matched against the lemmas: the text copied from an act finds it, and so does the
    phrase in another form. A word with two equally likely lemmas is indexed with both, side by side
    («приватні заклади»: «приватній приватний заклад»), so the phrase of the first lemmas alone did not find
    the very text it was copied from."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text=same_form)
    publish_regulation(index, "Лист Б", kind="letter", text=other_form)
    first, second = query.split()
    publish_regulation(index, "Лист В", kind="letter", text=f"{second.capitalize()} та {first} у школі.")
    refresh_indexes()
    titles = set(_titles(run_search(world.users["don"], f"«{query}»")))
    assert titles == {"Лист А", "Лист Б"}


@pytest.mark.parametrize("query", ["«зарахування учнів до гімназії»", "«зарахування учнів» «до гімназії»"])
def test_a_query_of_quoted_phrases_only_asks_the_engine_once(world, backend_name, monkeypatch, query):
    """With every word inside quotes, "any of the words" is the phrases again: the same search, run twice
    when the phrases found nothing."""
    asked = []
    original = services.search_matches
    monkeypatch.setattr(
        services, "search_matches", lambda *args, **kwargs: asked.append(args[2]) or original(*args, **kwargs)
    )
    assert run_search(world.users["don"], query).total == 0
    assert len(asked) == 1


def test_a_query_of_several_parts_ranks_the_best_match_first(world, backend_name):
    """«садок» has two likely lemmas, so «дитячий садок» is an ``And`` of two parts; on SQLite, Wagtail's rank
    of it multiplied (1 + bm25) per part and put the best match last."""
    index = world.content.city_regulation.get_parent().specific
    for i in range(25):  # the words' rarity is what bm25 weighs
        publish_regulation(index, f"Наказ {i}", kind="order", text=f"Про режим роботи закладу № {i}.")
    filler = " ".join(["Розклад занять і чергування педагогічних працівників у закладі."] * 40)
    publish_regulation(index, "Лист А", kind="letter", text="Дитячий садок. Дитячий садок. Дитячий садок.")
    publish_regulation(index, "Лист Б", kind="letter", text=f"Дитячий садок. {filler}")
    refresh_indexes()
    assert _titles(run_search(world.users["don"], "дитячий садок"))[:2] == ["Лист А", "Лист Б"]


def test_the_apostrophe_typed_on_a_russian_layout_is_read_as_one(world, backend_name):
    """The key left of 1 types the apostrophe on a Ukrainian layout and «ё» on a Russian one."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Про методичні об'єднання вчителів", kind="letter", text="Засідання об'єднання.")
    publish_regulation(index, "Про підтримку сім'ї", kind="letter", text="Допомога сім’ям.")
    refresh_indexes()
    assert _titles(run_search(world.users["don"], "обёэднання"))[0] == "Про методичні об'єднання вчителів"
    assert _titles(run_search(world.users["don"], "сымЁя"))[0] == "Про підтримку сім'ї"


def test_a_law_is_found_by_its_official_number(world, backend_name):
    from search.services import number_forms

    assert number_forms("2145-VIII") == {"2145-VIII", "2145-viii", "2145-vііі", "2145-19"}
    assert {"2023/2024", "2023-2024", "2023–2024"} <= number_forms("2023/2024")  # a school year, however joined
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Про повну загальну середню освіту", kind="law", number="463-20")
    assert _titles(run_search(world.users["don"], "463-IX"))[0] == "Про повну загальну середню освіту"


def test_a_misspelt_word_is_searched_as_corrected_and_the_results_say_so(world, backend_name, client_for):
    """«охорона дитинсва» finds nothing with all its words as typed: the search asks for «охорона дитинства»,
    marks its words in the snippets, and the results page and the API name the query the results are for."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Про охорону дитинства", kind="law", text="Закон визначає охорону дитинства.")
    publish_regulation(index, "Про охорону праці", kind="law", text="Закон визначає охорону праці.")
    refresh_indexes()
    outcome = run_search(world.users["don"], "охорона дитинсва", log=False)
    assert _titles(outcome) == ["Про охорону дитинства"] and outcome.corrected == "охорона дитинства"
    assert "<mark>охорону</mark> <mark>дитинства</mark>" in outcome.hits[0].snippet
    client = client_for("don")
    _assert_said_searched_as(client, "охорона дитинсва", "охорона дитинства", ["Про охорону дитинства"])
    assert client.get(reverse("api:search"), {"q": "охорона дитинства"}).json()["corrected_query"] is None


def _assert_said_searched_as(client, typed: str, searched: str, titles: list[str]) -> None:
    """The results page and the API say the results of ``typed`` are those of ``searched``, which are
    ``titles``."""
    html = client.get(reverse("search:results"), {"q": typed}).content.decode()
    assert (
        f"За запитом «{typed}» нічого не знайдено. Показано результати за запитом «<strong>{searched}</strong>»."
    ) in html
    data = client.get(reverse("api:search"), {"q": typed}).json()
    assert data["corrected_query"] == searched
    assert [row["title"] for row in data["results"]] == titles


def test_a_real_word_typed_for_its_twin_is_searched_as_the_twin(world, backend_name, client_for):
    """«вишу» is a real word (a form of «виш»), one similar letter from «вищу»: «вишу освіту» finds nothing with
    its words, which the dictionary all knows, so the search asks for «вищу освіту» and says so (before the
    engines' fuzzy query, and before any of the words: both laws have «освіту»)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Про вищу освіту", kind="law", text="Закон регулює вищу освіту.")
    publish_regulation(index, "Лист про освіту", kind="letter", text="Лист про освіту.")
    refresh_indexes()
    outcome = run_search(world.users["don"], "вишу освіту", log=False)
    assert _titles(outcome) == ["Про вищу освіту"] and outcome.corrected == "вищу освіту"
    assert "<mark>вищу</mark> <mark>освіту</mark>" in outcome.hits[0].snippet
    data = client_for("don").get(reverse("api:search"), {"q": "Вишу освіту"}).json()
    assert data["corrected_query"] == "Вищу освіту"
    assert [row["title"] for row in data["results"]] == ["Про вищу освіту"]
    assert run_search(world.users["don"], "вищу освіту", log=False).corrected is None


def test_a_word_written_with_its_number_is_searched_apart_from_it(world, backend_name, client_for):
    """«ЗНО-2024» is one token, kept whole as a document number is, and the texts write «ЗНО» (or its full name)
    and the year apart. Finding nothing with it together, the search asks for «ЗНО 2024» and says so, as for a
    correction (or «ЗНО2024»); a text that writes «ЗНО-2024» is found as typed, with no notice; a quoted one only
    as typed."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text="Графік зовнішнього незалежного оцінювання у 2024 році.")
    publish_regulation(index, "Лист Б", kind="letter", text="Графік зовнішнього незалежного оцінювання у 2023 році.")
    publish_regulation(index, "Лист В", kind="letter", text="Графік відпусток на 2024 рік.")
    publish_regulation(index, "Лист Г", kind="letter", text="Результати ЗНО-2024 оприлюднено.")
    refresh_indexes()
    don = world.users["don"]
    outcome = run_search(don, "графік ЗНО-2024", log=False)
    assert _titles(outcome) == ["Лист А"] and outcome.corrected == "графік ЗНО 2024"
    snippet = outcome.hits[0].snippet
    assert "<mark>зовнішнього незалежного оцінювання</mark> у <mark>2024</mark>" in snippet
    outcome = run_search(don, "графік ЗНО2024", log=False)  # without the hyphen
    assert (_titles(outcome), outcome.corrected) == (["Лист А"], "графік ЗНО 2024")
    outcome = run_search(don, "ЗНО-2024", log=False)
    assert (_titles(outcome), outcome.corrected) == (["Лист Г"], None)
    outcome = run_search(don, "«графік ЗНО-2024»", log=False)
    assert (outcome.total, outcome.corrected) == (0, None)
    # Nothing with all the words apart either: any of them, apart or together.
    outcome = run_search(don, "ЗНО-2031", log=False)
    assert set(_titles(outcome)) == {"Лист А", "Лист Б", "Лист Г"} and outcome.corrected is None
    _assert_said_searched_as(client_for("don"), "Графік ЗНО-2024", "Графік ЗНО 2024", ["Лист А"])


def test_a_query_typed_with_the_english_layout_on_is_searched_as_the_ukrainian_letters(world, backend_name, client_for):
    """«yfrfp ghj pfhf[edfyyz …» is «наказ про зарахування …» typed with the English layout on: it finds nothing as
    typed, so the search asks for the Ukrainian letters on those keys and says so; an English word is left as
    typed; with a number, the abbreviation is also put apart from it («pyj-2024»: «зно 2024»)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Наказ про зарахування першокласників", kind="order", text="Зарахувати першокласників.")
    publish_regulation(index, "Лист про навчання в Moodle", kind="letter", text="Курси в Moodle.")
    publish_regulation(index, "Графік ЗНО", kind="letter", text="Зовнішнє незалежне оцінювання у 2024 році.")
    refresh_indexes()
    don = world.users["don"]
    outcome = run_search(don, "yfrfp ghj pfhf[edfyyz gthijrkfcybrsd", log=False)
    meant = "наказ про зарахування першокласників"
    assert (_titles(outcome), outcome.corrected) == (["Наказ про зарахування першокласників"], meant)
    assert outcome.hits[0].snippet == "Зарахувати <mark>першокласників</mark>."
    outcome = run_search(don, "Moodle", log=False)
    assert (_titles(outcome), outcome.corrected) == (["Лист про навчання в Moodle"], None)
    outcome = run_search(don, "pyj-2024", log=False)
    assert (_titles(outcome), outcome.corrected) == (["Графік ЗНО"], "зно 2024")
    _assert_said_searched_as(
        client_for("don"),
        "Pfhf[edfyyz gthijrkfcybrsd",
        "Зарахування першокласників",
        ["Наказ про зарахування першокласників"],
    )


@pytest.mark.parametrize("query", ["тількі", "навіьт", "«якоог»"])
def test_a_misspelt_stop_word_is_not_searched_as_corrected(world, backend_name, client_for, query):
    """«тількі» is one slip from «тільки», a stop word: corrected, the query asks for nothing. It is not asked
    (an engine query of no words failed the query compiler: the page answered with a server error)."""
    outcome = run_search(world.users["don"], query, log=False)
    assert (outcome.total, outcome.hits, outcome.corrected) == (0, [], None)
    html = client_for("don").get(reverse("search:results"), {"q": query}).content.decode()
    assert "нічого не знайдено" not in html and "0 результатів" in html


def test_a_word_the_dictionary_lacks_is_found_as_typed_when_a_text_has_it(world, backend_name):
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text="Наказ про зарахуваня учнів.")  # the typo in the text
    publish_regulation(index, "Лист Б", kind="letter", text="Наказ про зарахування учнів.")
    refresh_indexes()
    outcome = run_search(world.users["don"], "зарахуваня", log=False)
    assert (_titles(outcome), outcome.corrected) == (["Лист А"], None)


def test_a_corrected_query_is_searched_in_the_users_scope(world, corpus, backend_name, client_for):
    """«розпорядженя» corrected finds the Оболонь district's act for the city; a school of another district
    gets its own district's act (by any of the words, typed or corrected), never the Оболонь one. A correction
    is the dictionary's, the same for every user: it tells nothing of what the index holds."""
    city = run_search(world.users["don"], "розпорядженя оболонського", log=False)
    assert city.corrected == "розпорядження оболонського"
    assert _titles(city) == [world.content.district_c_regulation.title]
    school = run_search(world.users["school_a"], "розпорядженя оболонського", log=False)
    assert _titles(school) == [world.content.district_a_regulation.title] and school.total == 1
    assert school.corrected is None  # found by any of the words: not the corrected query's results
    data = client_for("school_a").get(reverse("api:search"), {"q": "розпорядженя оболонського"}).json()
    assert [row["title"] for row in data["results"]] == [world.content.district_a_regulation.title]


@pytest.mark.parametrize("query", ["ІІ етап олімпіади", "II етап олімпіади"])
def test_a_roman_numeral_typed_in_cyrillic_finds_the_latin_one(world, backend_name, query):
    """Stages, levels and convocations are numbered in Latin («II етап») and typed with the Cyrillic «І»
    («ІІ етап»): either finds both, and not another stage («ІІІ етап»)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text="Про проведення ІІ етапу олімпіади з математики.")
    publish_regulation(index, "Лист Б", kind="letter", text="Про проведення II етапу олімпіади з фізики.")
    publish_regulation(index, "Лист В", kind="letter", text="Про проведення ІІІ етапу олімпіади з хімії.")
    refresh_indexes()
    assert set(_titles(run_search(world.users["don"], query))) == {"Лист А", "Лист Б"}


@pytest.mark.parametrize("query", ["5-го класу", "5-й клас", "5 клас"])
def test_an_ordinal_finds_its_other_case_endings(world, backend_name, query):
    """«5-й клас», «5-го класу», «5-х класів» are indexed and asked for by the number: each finds the others,
    and not another class («6-го класу»)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text="Навчальний план для 5-го класу гімназії.")
    publish_regulation(index, "Лист Б", kind="letter", text="Підручники для учнів 5-х класів.")
    publish_regulation(index, "Лист В", kind="letter", text="Розклад уроків: 5-й клас.")
    publish_regulation(index, "Лист Г", kind="letter", text="Навчальний план для 6-го класу гімназії.")
    refresh_indexes()
    assert set(_titles(run_search(world.users["don"], query))) == {"Лист А", "Лист Б", "Лист В"}


@pytest.mark.parametrize("query", ["НМТ-2024", "«розклад НМТ-2024»", "«COVID-19 для дітей-сиріт»", "«1/9-100 класі»"])
def test_a_word_and_number_joined_by_a_hyphen_is_found(world, backend_name, query):
    """«НМТ-2024», «COVID-19»: PostgreSQL's parser reads a word and the number after its hyphen as «нмт» and
    «-2024», in the text and in a phrase alike, but a plain text's terms are split at the hyphen by Wagtail
    («нмт» and «2024»), which no text holds: the query found nothing, a quoted phrase with such a number neither
    (the phrase found it, the words ANDed to it did not, and with every word quoted there is no retry)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(
        index, "Лист А", kind="letter", text="Розклад НМТ-2024 у 1/9-100 класі, COVID-19 для дітей-сиріт."
    )
    publish_regulation(index, "Лист Б", kind="letter", text="Розклад НМТ 2023 для класу.")
    refresh_indexes()
    assert _titles(run_search(world.users["don"], query)) == ["Лист А"]


def test_a_word_is_found_as_a_part_of_a_hyphenated_word_and_marked_there(world, backend_name):
    """Every engine indexes a hyphenated word's parts as words of their own: «епідеміологічного» finds a text
    with «санітарно-епідеміологічної» only, and its snippet marks that word."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(
        index, "Лист А", kind="letter", text="Щеплення з дозволу державної санітарно-епідеміологічної служби."
    )
    publish_regulation(index, "Лист Б", kind="letter", text="Лист про епідемію грипу в закладах освіти.")
    refresh_indexes()
    outcome = run_search(world.users["don"], "епідеміологічного")
    assert _titles(outcome) == ["Лист А"]
    assert re.findall("<mark>(.*?)</mark>", outcome.hits[0].snippet) == ["санітарно-епідеміологічної"]


def test_a_word_written_with_a_stress_mark_or_a_soft_hyphen_is_found_and_marked(world, backend_name):
    """The analysis drops a stress mark, a soft hyphen and the like inside a word and composes a decomposed «й»
    («за́кладу», «музе́йного» with «й» as «и» and its breve, «енер­гозбереження»), so every engine finds the word;
    the snippet marks it too, shown without those characters, also past the start of a long text read first
    (before, the snippet split the word at the mark and showed the text's start, nothing marked)."""
    index = world.content.city_regulation.get_parent().specific
    before = FILLER * (SNIPPET_FIRST_READ // len(FILLER) + 1)  # the passage lies past the start read first
    publish_regulation(
        index, "Лист А", kind="letter", text=f"{before}Директор за\u0301кладу й музе\u0301и\u0306ного комплексу."
    )
    publish_regulation(index, "Лист Б", kind="letter", subjects="енер\u00adгозбереження", text="Ремонт завершено.")
    refresh_indexes()
    user = world.users["don"]
    for query, ending in [
        ("заклад", "Директор <mark>закладу</mark> й музейного комплексу."),
        ("музейний", "Директор закладу й <mark>музейного</mark> комплексу."),
    ]:
        hit = next(hit for hit in run_search(user, query).hits if hit.title == "Лист А")
        assert hit.snippet.endswith(ending) and hit.snippet.count("<mark>") == 1
    hit = next(hit for hit in run_search(user, "енергозбереження").hits if hit.title == "Лист Б")
    assert hit.snippet == "Теми: <mark>енергозбереження</mark>"


def test_an_academic_year_is_found_however_its_years_are_joined(world, backend_name):
    """A school year written with a slash, a hyphen or an en dash is found by any of them, on every engine, and
    marked as written (PostgreSQL found each only as typed, SQLite marked only the spelling typed); a range of
    years is not that year."""
    index = world.content.city_regulation.get_parent().specific
    written = {"Лист А": "2023/2024", "Лист Б": "2023-2024", "Лист В": "2023\u20132024"}
    for title, year in written.items():
        publish_regulation(index, title, kind="letter", text=f"План роботи на {year} навчальний рік.")
    publish_regulation(index, "Лист Г", kind="letter", text="План роботи на 2023-2025 роки.")
    refresh_indexes()
    for query in ["2023/2024", "2023-2024", "2023\u20132024", "2023-2024 навчальний рік"]:
        hits = {hit.title: hit for hit in run_search(world.users["don"], query).hits}
        assert set(written) <= set(hits) and "Лист Г" not in hits, query
        for title, year in written.items():
            assert f"<mark>{year}</mark>" in hits[title].snippet, (query, title)


def test_a_number_typed_with_letters_of_the_other_layout_is_found(world, backend_name):
    """«ВР» typed on a Latin layout (B, P) looks the same on the screen; «BP» on a Cyrillic one too."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Про відпустки", kind="law", number="504/96-ВР")
    publish_regulation(index, "Про захист інформації", kind="law", number="80/94-BP")
    for typed in ("504/96-ВР", "504/96-BP", "504/96-вр"):
        assert _titles(run_search(world.users["don"], typed))[0] == "Про відпустки"
    assert _titles(run_search(world.users["don"], "80/94-ВР"))[0] == "Про захист інформації"


def test_a_number_published_in_mixed_case_is_found_however_typed(world, backend_name):
    """The Constitution's number is «254к/96-ВР»: typed in lower, upper or its own case, it ranks first."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Конституція України", kind="law", number="254к/96-ВР", text="Основний Закон.")
    if hasattr(get_search_backend("default"), "es"):
        get_search_backend("default").get_index_for_model(RegulationPage).refresh()
    for typed in ("254к/96-ВР", "254к/96-вр", "254К/96-ВР", "№ 254к/96-вр"):
        outcome = run_search(world.users["don"], typed, log=False)
        assert _titles(outcome)[:1] == ["Конституція України"], typed


def test_a_title_made_of_the_query_words_ranks_before_amending_acts(world, backend_name):
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Про внесення змін до Закону України «Про освіту»", kind="law", number="1000-20")
    assert _titles(run_search(world.users["don"], "закон україни про освіту"))[0] == "Про освіту"


def test_newest_first_finds_a_law_by_its_official_number_too(world, backend_name):
    """«463-IX» is stored as «463-20»: ordered by relevance the exact number finds it, and ordered by date it
    must not vanish (nor be left out of the count)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(
        index, "Про повну загальну середню освіту", kind="law", number="463-20", document_date="2020-01-16"
    )
    for order in ("relevance", "date"):
        outcome = run_search(world.users["don"], "463-IX", order=order)
        assert _titles(outcome) == ["Про повну загальну середню освіту"], order
        assert outcome.total == 1, order
    dated = run_search(world.users["don"], "№ 367", order="date")
    dates = [hit.date or date.min for hit in dated.hits]  # undated ones last
    assert len(dates) == dated.total == 3 and dates == sorted(dates, reverse=True)


def test_a_page_beyond_the_last_shows_the_last_page(world, backend_name, client_for):
    client = client_for("don")
    total = run_search(world.users["don"], "освіти", log=False).total
    assert 0 < total <= 10
    html = client.get(reverse("search:results"), {"q": "освіти", "page": "50"}).content.decode()
    assert html.count("data-result") == total and "Нічого не знайдено" not in html
    outcome = run_search(world.users["don"], "освіти", per_page=2, page=99, log=False)
    assert outcome.page == outcome.num_pages == -(-total // 2) and outcome.hits


def test_an_invalid_page_number_on_the_results_page_shows_the_first_page(world, backend_name, client_for):
    client = client_for("don")
    for page in ("abc", "0", "-3", "99999999999"):
        html = client.get(reverse("search:results"), {"q": "освіти", "page": page}).content.decode()
        assert "data-result" in html, page


def test_a_new_search_from_a_later_page_starts_at_the_first(world, backend_name, client_for):
    """The search form must not carry the page number of the results shown into the next query."""
    html = client_for("don").get(reverse("search:results"), {"q": "освіти", "page": "2"}).content.decode()
    start = html.index('role="search"')
    form = html[start : html.index("</form>", start)]
    assert 'name="q"' in form
    assert 'name="page"' not in form


def test_api_page_beyond_the_last_is_an_error(world, backend_name, client_for):
    client = client_for("don")
    response = client.get(reverse("api:search"), {"q": "освіти", "page": "50"})
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert client.get(reverse("api:search"), {"q": "освіти", "page": "1"}).status_code == 200
    nothing = client.get(reverse("api:search"), {"q": "квантова хромодинаміка", "page": "1"})
    assert nothing.status_code == 200 and nothing.json()["num_pages"] == 1
    assert client.get(reverse("api:search"), {"q": "освіти", "page": "abc"}).status_code == 400


def test_the_report_kind_finds_report_documents_and_report_pages(world, backend_name):
    """«звіт» is both a kind of document and a page type: the filter offers it once and finds both."""
    from cms.pages.models import HomePage, ReportIndexPage, ReportPage
    from search.forms import SearchForm
    from search.services import SEARCHED_MODELS

    document = make_document(
        world.content.city_document.collection, "Звіт про харчування учнів", kind="report", issuer="ДОН"
    )
    type(document).objects.filter(pk=document.pk).update(extracted_text="Харчування учнів у закладах освіти.")
    reports = ReportIndexPage.objects.child_of(HomePage.objects.get()).get()
    page = ReportPage(
        title="Звіт про харчування за рік", slug="zvit-kharchuvannia", year=2025, body="<p>Харчування</p>"
    )
    reports.add_child(instance=page)
    page.save_revision().publish()
    backend = get_search_backend("default")  # the backend under test
    for obj in (type(document).objects.get(pk=document.pk), page):
        backend.add(obj)
    for model in SEARCHED_MODELS:
        backend.get_index_for_model(model).refresh()

    found = _titles(run_search(world.users["don"], "харчування", filters=SearchFilters(kind="report")))
    assert sorted(found) == ["Звіт про харчування за рік", "Звіт про харчування учнів"]
    by_issuer = run_search(world.users["don"], "харчування", filters=SearchFilters(kind="report", issuer="ДОН"))
    assert _titles(by_issuer) == ["Звіт про харчування учнів"]  # a page has no issuer: the filter excludes it
    assert run_search(world.users["don"], "харчування", filters=SearchFilters(kind="study", issuer="ДОН")).total == 0
    kinds = [value for value, _label in SearchForm(user=world.users["don"]).fields["kind"].choices]
    assert len(kinds) == len(set(kinds))


@pytest.mark.parametrize("unreachable", UNREACHABLE_ENGINES, ids=ENGINE_IDS)
def test_autocomplete_falls_back_to_the_database_when_the_engine_is_unreachable(
    world, corpus, client_for, settings, caplog, unreachable
):
    database = {"BACKEND": "wagtail.search.backends.database"}
    settings.WAGTAILSEARCH_BACKENDS = {"default": unreachable, "fallback": database}
    client = client_for("school_a")
    response = client.get(reverse("search:autocomplete"), {"q": "Поряд"})
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Порядок зарахування до закладів освіти"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="search.services"):
        response = client.get(reverse("search:autocomplete"), {"q": "Gjhzl"})  # «Поряд», the English layout on
    assert [row["title"] for row in response.json()["results"]] == ["Порядок зарахування до закладів освіти"]
    assert len([record for record in caplog.records if "default" in record.getMessage()]) == 1  # asked once
    settings.WAGTAILSEARCH_BACKENDS = {"default": unreachable}
    response = client.get(reverse("search:autocomplete"), {"q": "Поряд"})
    assert response.status_code == 200 and response.json() == {"results": []}  # the search box goes on working


def test_reading_further_pages_is_not_counted_as_another_search(world, backend_name, client_for):
    client = client_for("don")
    for page in ("1", "2"):
        client.get(reverse("search:results"), {"q": "зарахування", "page": page})
        client.get(reverse("api:search"), {"q": "освіти", "page": page})
    assert QueryLogEntry.objects.get(query="зарахування").searches == 1
    assert QueryLogEntry.objects.get(query="освіти").searches == 1


def test_the_issuer_filter_matches_part_of_the_name_in_any_case(world, backend_name):
    """As the library's issuer filter: «верховна рада» finds the acts of «Верховна Рада України»."""
    user = world.users["don"]
    for issuer in ("Верховна Рада України", "верховна рада", "РАДА"):
        assert _titles(run_search(user, "освіти", filters=SearchFilters(issuer=issuer))) == ["Про освіту"], issuer
    assert run_search(user, "освіти", filters=SearchFilters(issuer="Кабінет Міністрів")).total == 0


# --- which pages a move gives new paths, and which are indexed again ----------------------------------------


@pytest.fixture
def reindexed(monkeypatch):
    """The keys of the pages ``search.tasks`` hands to ``reindex`` (spied, then written as usual)."""
    import search.tasks

    seen: set[int] = set()
    original = search.tasks.reindex

    def spy(objects, *args, **kwargs):
        seen.update(objects.values_list("pk", flat=True))
        return original(objects, *args, **kwargs)

    monkeypatch.setattr(search.tasks, "reindex", spy)
    return seen


def _paths() -> dict[int, str]:
    from wagtail.models import Page

    return dict(Page.objects.values_list("pk", "path"))


@pytest.fixture
def tree(world):
    """Two folders under the home page: the first with five pages (the 2nd and 4th with pages under them), the
    second with two; each a regulation, so each is indexed as the portal's own type."""
    from cms.pages.models import HomePage, RegulationIndexPage

    home = HomePage.objects.get()
    pages = {}
    for folder, children in (("f", ["a", "b", "c", "d", "e"]), ("g", ["x", "y"])):
        pages[folder] = home.add_child(instance=RegulationIndexPage(title=f"Теки {folder}", slug=f"teka-{folder}"))
        for name in children:
            pages[name] = publish_regulation(pages[folder], f"Акт {name}", kind="order")
    for parent, name in (("b", "b1"), ("b", "b2"), ("d", "d1")):
        pages[name] = pages[parent].add_child(instance=RegulationPage(title=f"Акт {name}", slug=f"akt-{name}"))
    return pages


# (page to move, target, position), as Wagtail moves a page: the explorer's reorder (left, right, to the end of
# its parent: last-child), the move view and bulk move (last-child of another parent), the API (any position).
MOVES = {
    "reorder-left": ("d", "b", "left"),
    "reorder-right": ("b", "d", "right"),
    "reorder-right-to-next": ("b", "c", "right"),
    "reorder-to-end": ("b", "f", "last-child"),
    "reorder-first": ("d", "f", "first-child"),
    "last-child-elsewhere": ("b", "g", "last-child"),
    "first-child-elsewhere": ("b", "g", "first-child"),
    "first-child-of-a-leaf": ("d", "x", "first-child"),
    "left-of-its-parent": ("b1", "b", "left"),
    "right-of-its-parent": ("b1", "b", "right"),
    "under-a-later-sibling": ("b", "d", "first-child"),
    "under-an-earlier-sibling": ("d", "b", "last-child"),
    "left-elsewhere": ("d", "x", "left"),
    "folder-reorder": ("g", "f", "left"),
}


@pytest.mark.parametrize("move", MOVES)
def test_every_page_a_move_gives_a_new_path_is_indexed_again(
    move, world, tree, reindexed, django_capture_on_commit_callbacks
):
    """Treebeard gives new paths with UPDATEs (the moved page's tree, and siblings it shifts to make room):
    every page whose path changed is written to the index again, whatever the position, on any backend."""
    from wagtail.models import Page

    name, target, pos = MOVES[move]
    before = _paths()
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=tree[name].pk).move(Page.objects.get(pk=tree[target].pk), pos=pos)
    after = _paths()
    changed = {pk for pk, path in after.items() if before.get(pk) != path}
    assert tree[name].pk in changed
    assert changed <= reindexed, sorted(changed - reindexed)


def _engine_paths(backend, pks) -> dict[int, str | None]:
    """The path an engine stores for each page (None when it holds no entry); {} on a database backend, whose
    index stores no path (it filters on the pages' own table)."""
    from wagtail.models import Page

    if not hasattr(backend, "es"):
        return {}
    index = backend.get_index_for_model(Page)
    index.refresh()
    found = backend.es.mget(index=index.name, body={"ids": [str(pk) for pk in pks]})["docs"]
    return {int(doc["_id"]): doc["_source"]["path_filter"] if doc.get("found") else None for doc in found}


def test_the_engine_stores_the_paths_the_database_has_after_moves_in_one_transaction(
    world, backend_name, tree, django_capture_on_commit_callbacks
):
    """Several moves committed together (as bulk move does, or a reorder followed by a move): each move's
    pages are written again once committed, as they are then; the engine holds every page's path as the
    database does."""
    from django.db import transaction
    from wagtail.models import Page

    backend = get_search_backend("default")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for name, target, pos in (("d", "b", "left"), ("b", "f", "first-child"), ("c", "g", "first-child")):
            Page.objects.get(pk=tree[name].pk).move(Page.objects.get(pk=tree[target].pk), pos=pos)
    stored = dict(Page.objects.filter(pk__in=[page.pk for page in tree.values()]).values_list("pk", "path"))
    engine = _engine_paths(backend, stored)
    assert engine == stored or not engine


def test_a_bulk_move_writes_each_moved_page_to_the_index_once(
    world, tree, monkeypatch, django_capture_on_commit_callbacks
):
    """The admin's bulk «Move» moves the pages one by one, each after the last: each move's pages (its own
    tree, appended at the end of the destination) are also after every earlier move's page. Written again per
    move, the first page's tree was written once, the last one's once per page moved: work that grew with the
    square of the pages moved, all in the request on the immediate task backend. Each page is written once."""
    import search.tasks
    from tests.conftest import sign_in
    from tests.factories import UserFactory

    written: list[int] = []
    original = search.tasks.reindex

    def spy(objects, *args, **kwargs):
        written.extend(objects.values_list("pk", flat=True))
        return original(objects, *args, **kwargs)

    monkeypatch.setattr(search.tasks, "reindex", spy)
    moved = [tree[name] for name in ("a", "b", "c", "d", "e")]
    for page in moved:  # a tree of three pages under each
        for i in range(2):
            page.add_child(instance=RegulationPage(title=f"Додаток {i} до {page.title}", slug=f"dodatok-{i}"))
    client = sign_in(Client(), UserFactory(is_superuser=True, is_staff=True))
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "move"])
    url += "?" + "&".join(f"id={page.pk}" for page in moved)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"chooser": tree["g"].pk}).status_code == 302
    assert {page.get_parent().pk for page in RegulationPage.objects.filter(pk__in=[p.pk for p in moved])} == {
        tree["g"].pk
    }
    assert len(written) == len(set(written)) == 5 * 3 + 3, sorted(written)  # and b1, b2, d1


def test_a_move_rolled_back_leaves_the_moves_committed_with_it_indexed(
    world, tree, reindexed, django_capture_on_commit_callbacks
):
    """The moves committed together are one task: a move whose savepoint is rolled back takes nothing else with
    it; the next move is indexed again."""
    from django.db import transaction
    from wagtail.models import Page

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Page.objects.get(pk=tree["b"].pk).move(Page.objects.get(pk=tree["g"].pk), pos="last-child")
            raise RuntimeError
        before = _paths()
        Page.objects.get(pk=tree["d"].pk).move(Page.objects.get(pk=tree["b"].pk), pos="left")
    changed = {pk for pk, path in _paths().items() if before.get(pk) != path}
    assert tree["d"].pk in changed and changed <= reindexed


def test_an_engine_failing_to_write_fails_no_move_and_loses_nothing_stored(
    world, backend_name, tree, client_for, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The index written again after a bulk «Add to collection» or a reorder refuses the write (an engine
    down): the user's change is committed and answered as done, and the failure is logged."""
    from cms.library.models import LibraryDocument

    backend_class = type(get_search_backend("default"))

    def refuse(self, model, objects):
        raise ConnectionError("the engine is down")

    monkeypatch.setattr(backend_class, "add_bulk", refuse)
    letter = world.content.district_a_document
    city = world.content.city_document.collection
    bulk = reverse("wagtail_bulk_action", args=["library", "librarydocument", "add_to_collection"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("don").post(f"{bulk}?id={letter.pk}", {"collection": city.pk})
    assert response.status_code == 302
    assert LibraryDocument.objects.get(pk=letter.pk).collection_id == city.pk
    url = reverse("wagtailadmin_pages:set_page_position", args=[tree["d"].pk]) + "?position=1"
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("don").post(url).status_code == 200
    assert [page.pk for page in tree["f"].get_children()][1] == tree["d"].pk
    refused = [record for record in caplog.records if record.exc_info and "engine is down" in str(record.exc_info[1])]
    assert {record.name for record in refused} == {"search.indexing"}
    assert len(refused) >= 2


def test_a_page_moved_behind_a_view_restriction_leaves_other_users_results_and_counts(
    world, backend_name, tree, django_capture_on_commit_callbacks
):
    """A move puts a folder of acts under a page restricted to a group: whoever is not in the group no longer
    finds its acts, nor counts them (an engine filters on the paths it stores, and only the moved page itself
    is saved; the database backends filter on the pages' own table)."""
    from django.contrib.auth.models import Group
    from wagtail.models import Page, PageViewRestriction

    act = publish_regulation(tree["b"], "Наказ про кадровий резерв", kind="order")
    restriction = PageViewRestriction.objects.create(page=tree["x"], restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.create(name="Кадровий резерв"))
    refresh_indexes()
    for actor in ("school_a", "don"):
        assert _in_scope_and_counted(run_search(world.users[actor], "резерв")) == [act.title]
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=tree["b"].pk).move(Page.objects.get(pk=tree["x"].pk), pos="first-child")
    refresh_indexes()
    for actor in ("school_a", "don"):
        assert _in_scope_and_counted(run_search(world.users[actor], "резерв")) == []


def test_documents_and_pages_deleted_in_bulk_leave_no_entry_behind(
    world, backend_name, tree, client_for, django_capture_on_commit_callbacks
):
    """Bulk «Delete» of documents (one DELETE of a queryset) and of pages (each with the pages under it): each
    deleted object's entry goes with it (Wagtail's post_delete handler), so nothing gone is still counted."""
    from tests.conftest import sign_in
    from tests.factories import UserFactory

    collection = world.content.city_document.collection
    letters = [make_document(collection, f"Лист про ротацію № {i}") for i in range(3)]
    b1 = tree["b1"]
    b1.text = "Ротація кадрів."
    b1.save_revision().publish()
    act = publish_regulation(tree["b"], "Наказ про ротацію", kind="order")
    refresh_indexes()
    assert len(_in_scope_and_counted(run_search(world.users["don"], "ротація"))) == 5
    documents = reverse("wagtail_bulk_action", args=["library", "librarydocument", "delete"])
    documents += "?" + "&".join(f"id={letter.pk}" for letter in letters[:2])
    pages = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"]) + f"?id={tree['b'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("don").post(documents, {}).status_code == 302
        superuser = sign_in(Client(), UserFactory(is_superuser=True, is_staff=True))
        assert superuser.post(pages, {}).status_code == 302
    assert not RegulationPage.objects.filter(pk__in=[act.pk, b1.pk]).exists()
    refresh_indexes()
    assert _in_scope_and_counted(run_search(world.users["don"], "ротація")) == [letters[2].title]


def test_moving_a_folder_costs_the_same_statements_for_10_pages_as_for_60(world, django_capture_on_commit_callbacks):
    """A folder's move is a few UPDATEs whatever it holds, and writing its pages again (in the request on the
    immediate task backend; queued with the database one) reads and writes them in chunks of 100."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page

    from cms.pages.models import HomePage, RegulationIndexPage

    target = world.content.city_regulation.get_parent()
    statements = []
    for count in (1, 10, 60):  # the first one also fills caches (content types)
        folder = HomePage.objects.get().add_child(instance=RegulationIndexPage(title=f"Тека {count}", slug=f"t{count}"))
        for i in range(count):
            folder.add_child(instance=RegulationPage(title=f"Акт {i}", slug=f"akt-{i}", text="Текст акта.", live=True))
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            Page.objects.get(pk=folder.pk).move(target, pos="last-child")
        statements.append(len(queries.captured_queries))
    assert statements[1] == statements[2], statements


def test_a_bulk_move_queues_one_task_with_the_database_task_backend(
    world, tree, settings, django_capture_on_commit_callbacks
):
    """With the production task backend the request only queues the work: one task for the moves committed
    together, which the worker runs later."""
    from django_tasks_db.models import DBTaskResult

    from tests.conftest import sign_in
    from tests.factories import UserFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    moved = [tree[name] for name in ("a", "c", "e")]
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "move"])
    url += "?" + "&".join(f"id={page.pk}" for page in moved)
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(Client(), UserFactory(is_superuser=True, is_staff=True)).post(url, {"chooser": tree["g"].pk})
    assert response.status_code == 302
    (queued,) = DBTaskResult.objects.filter(task_path="search.tasks.reindex_moved_pages")
    assert sorted(queued.args_kwargs["args"]) == sorted(RegulationPage.objects.get(pk=p.pk).path for p in moved)


@pytest.mark.parametrize("action", ["add_tags", "add_to_collection"])
def test_documents_changed_in_bulk_queue_one_task_with_the_database_task_backend(
    action, world, client_for, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """With the production task backend the bulk «Tag» and «Add to collection» requests write nothing to the
    index: they queue one task with the documents' keys, which the worker runs later."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    writes = []
    monkeypatch.setattr(type(get_search_backend("default")), "add_bulk", lambda self, model, objs: writes.append(objs))
    documents = [make_document(world.content.district_a_document.collection, f"Лист {i}") for i in range(3)]
    url = reverse("wagtail_bulk_action", args=["library", "librarydocument", action])
    data = (
        {"tags": "оздоровлення"} if action == "add_tags" else {"collection": world.content.city_document.collection.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("don").post(url + "?" + "&".join(f"id={d.pk}" for d in documents), data)
    assert response.status_code == 302 and writes == []
    (queued,) = DBTaskResult.objects.filter(task_path="search.tasks.reindex_objects")
    assert queued.args_kwargs["args"] == ["library.librarydocument", *sorted(d.pk for d in documents)]


def test_any_word_keeps_a_word_the_correction_changed(world, backend_name):
    """A name the dictionary does not know is corrected into another word; when the corrected words together
    find nothing either, any of the words — as typed or corrected — does: the text with the name is found."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text="Відзнака вчительці Тимошук.")  # «Тимощук» corrected
    refresh_indexes()
    outcome = run_search(world.users["don"], "тимошук квантова", log=False)
    assert _titles(outcome) == ["Лист А"] and outcome.corrected is None
    assert "<mark>Тимошук</mark>" in outcome.hits[0].snippet


def test_any_word_keeps_a_quoted_phrase_the_correction_changed(world, backend_name):
    """A name in quotes: with any of the words, a query with phrases is its phrases; the phrase as typed is one
    of them, as the name as typed is one of the words. With the corrected phrase alone («вчительці Тимощук»)
    the text with the name was not found at all."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text="Відзнака вчительці Тимошук.")  # «Тимощук» corrected
    publish_regulation(index, "Лист Б", kind="letter", text="Відзнака вчительці Тимощук.")
    refresh_indexes()
    outcome = run_search(world.users["don"], "«вчительці Тимошук» квантова", log=False)
    assert sorted(_titles(outcome)) == ["Лист А", "Лист Б"] and outcome.corrected is None
    assert "<mark>Тимошук</mark>" in outcome.hits[_titles(outcome).index("Лист А")].snippet


def test_an_abbreviation_finds_its_full_name_and_back(world, backend_name):
    """«ЗЗСО» finds the texts that write «закладів загальної середньої освіти» (as the laws do) and the full name
    finds a letter that writes «ЗЗСО» only, on every engine, each snippet marking the spelling its text has; the
    name's words apart are not the abbreviation; a title with either spelling ranks first."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист А", kind="letter", text="Директорам ЗЗСО подати звіти до 1 грудня.")
    publish_regulation(index, "Лист Б", kind="letter", text="Загальні збори закладу: середня оцінка якості освіти.")
    publish_regulation(index, "Лист В", kind="letter", text="План для закладах загальної середньої освіти району.")
    publish_regulation(index, "Про Нову українську школу", kind="letter", text="Концепція реформи.")
    publish_regulation(index, "Лист Г", kind="letter", text="Навчання за програмами НУШ у 5 класах.")
    refresh_indexes()
    don = world.users["don"]
    hits = {hit.title: hit for hit in run_search(don, "ЗЗСО").hits}
    assert {"Лист А", "Лист В"} <= set(hits) and "Лист Б" not in hits
    assert "<mark>ЗЗСО</mark>" in hits["Лист А"].snippet
    assert "<mark>закладах загальної середньої освіти</mark> району" in hits["Лист В"].snippet
    for query in ("заклади загальної середньої освіти", "закладів загальної середньої освіти", "ззсо"):
        hits = {hit.title: hit for hit in run_search(don, query).hits}
        assert {"Лист А", "Лист В"} <= set(hits), query
        assert "<mark>ЗЗСО</mark>" in hits["Лист А"].snippet, query
    titles = _titles(run_search(don, "НУШ"))
    assert titles[0] == "Про Нову українську школу" and "Лист Г" in titles
    assert _titles(run_search(don, "нова українська школа"))[:2] == ["Про Нову українську школу", "Лист Г"]
    assert _titles(run_search(don, "звіти ЗЗСО")) == ["Лист А"]  # with another word: both required


def test_an_inflected_abbreviation_is_that_abbreviation_in_queries_and_texts(world, backend_name):
    """«листи МОНу»: a director inflects the abbreviation, which the dictionary reads as another word («мону»);
    texts write «МОН» or the ministry's full name, or inflect it as the query does or otherwise («з МОНом»)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Лист Д", kind="letter", text="Роз'яснення МОН щодо оцінювання учнів.")
    publish_regulation(index, "Лист Е", kind="letter", text="Лист Міністерства освіти і науки щодо оцінювання.")
    publish_regulation(index, "Лист Є", kind="letter", text="Порядок оцінювання надіслано до МОНу.")
    publish_regulation(index, "Лист Ж", kind="letter", text="Порядок оцінювання погоджено з МОНом.")
    publish_regulation(index, "Лист З", kind="letter", text="Оцінювання моном не ведеться.")  # the other word
    refresh_indexes()
    don = world.users["don"]
    hits = {hit.title: hit for hit in run_search(don, "оцінювання МОНу").hits}
    assert set(hits) == {"Лист Д", "Лист Е", "Лист Є", "Лист Ж"}
    assert "<mark>МОН</mark> щодо <mark>оцінювання</mark>" in hits["Лист Д"].snippet
    assert "<mark>Міністерства освіти і науки</mark>" in hits["Лист Е"].snippet
    assert "погоджено з <mark>МОНом</mark>" in hits["Лист Ж"].snippet
    hits = {hit.title: hit for hit in run_search(don, "оцінювання МОН").hits}
    assert set(hits) == {"Лист Д", "Лист Е", "Лист Є", "Лист Ж"}
    assert "до <mark>МОНу</mark>" in hits["Лист Є"].snippet
    assert "погоджено з <mark>МОНом</mark>" in hits["Лист Ж"].snippet
    assert {hit.title for hit in run_search(don, "оцінювання моном").hits} == {"Лист Ж", "Лист З"}


def test_the_results_page_and_api_say_which_abbreviations_were_searched_with_their_names(world, corpus, client_for):
    client = client_for("school_a")
    html = client.get(reverse("search:results"), {"q": "зарахування в ЗЗСО"}).content.decode()
    assert "Порядок зарахування до закладів освіти" in html
    assert (
        "Скорочення шукаються разом із повними назвами: "
        '<abbr title="заклад загальної середньої освіти">ЗЗСО</abbr> — заклад загальної середньої освіти.'
    ) in html
    data = client.get(reverse("api:search"), {"q": "зарахування до закладів загальної середньої освіти"}).json()
    assert data["abbreviations"] == [{"abbreviation": "ЗЗСО", "name": "заклад загальної середньої освіти"}]
    assert "Порядок зарахування до закладів освіти" in [row["title"] for row in data["results"]]
    plain = client.get(reverse("search:results"), {"q": "наказу про зарахування"}).content.decode()
    assert "Скорочення шукаються" not in plain
    # Not said when the engine was not asked for it: a quoted abbreviation; each said once.
    for query, said in [
        ("наказу про зарахування", []),
        ('зарахування "ЗЗСО"', []),
        ("зарахування до закладів загальної середньої освіти ЗЗСО", ["ЗЗСО"]),
    ]:
        data = client.get(reverse("api:search"), {"q": query}).json()
        assert [each["abbreviation"] for each in data["abbreviations"]] == said, query
