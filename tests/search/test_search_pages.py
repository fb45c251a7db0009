"""What search returns, read page by page: every result once, as many as the total says, in one order for
every page, by relevance and newest first; the filters keep what they name (a district's sub-collections,
an issuer however its apostrophe is typed); a quoted phrase stays required when the search is relaxed to any
of its words."""

import datetime as dt

import pytest
from django.utils import timezone

from cms.library.models import LibraryDocument
from cms.pages.models import AnnouncementIndexPage, AnnouncementPage, HomePage, RegulationPage
from search.services import SearchFilters, run_search
from tests.conftest import make_document, publish_regulation
from tests.search.conftest import refresh_indexes

WORD = "медіаграмотність"


def _keys(outcome):
    return [(hit.model.__name__, hit.pk) for hit in outcome.hits]


def _walk(user, text, **kwargs):
    first = run_search(user, text, log=False, **kwargs)
    keys = list(_keys(first))
    for page in range(2, first.num_pages + 1):
        keys += _keys(run_search(user, text, page=page, log=False, **kwargs))
    return first, keys


@pytest.fixture
def many_acts(world):
    """55 acts with the same text: the 5 made first are in force, the 50 made after them repealed."""
    index = world.content.city_regulation.get_parent().specific
    for i in range(55):
        publish_regulation(
            index,
            f"Наказ щодо {WORD} № {i:02d}",
            kind="order",
            text=f"Про {WORD} учнів.",
            status="in_force" if i < 5 else "repealed",
        )


def test_relevance_pages_list_each_result_once(world, many_acts, backend_name):
    user = world.users["don"]
    first, keys = _walk(user, WORD)
    in_force = set(RegulationPage.objects.filter(title__contains=WORD, status="in_force").values_list("pk", flat=True))
    shown_in_force = {pk for _model, pk in keys if pk in in_force}
    assert first.total == 55
    assert shown_in_force == in_force, "acts in force never shown"
    assert (len(keys), len(set(keys))) == (55, 55), f"repeated: {len(keys) - len(set(keys))}"


def _announce(title: str, body: str) -> AnnouncementPage:
    index = AnnouncementIndexPage.objects.child_of(HomePage.objects.get()).get()
    page = AnnouncementPage(title=title, slug=f"a-{abs(hash(title))}", body=f"<p>{body}</p>")
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def same_day_news(world):
    """Two announcements of one day: the one made first (smaller key) was published later that day."""
    drafted_first = _announce(f"Оголошення: {WORD} у школах", f"Про {WORD}.")
    published_first = _announce(f"Новина: {WORD} для батьків", f"Про {WORD}.")
    day = dt.date(2031, 3, 10)
    tz = timezone.get_current_timezone()
    AnnouncementPage.objects.filter(pk=drafted_first.pk).update(
        first_published_at=dt.datetime.combine(day, dt.time(15, 0), tz)
    )
    AnnouncementPage.objects.filter(pk=published_first.pk).update(
        first_published_at=dt.datetime.combine(day, dt.time(9, 0), tz)
    )
    return drafted_first, published_first


def test_newest_first_pages_list_each_result_once_when_capped(world, same_day_news, backend_name, monkeypatch):
    """Newest first with more matches than the engine counts (each type read newest object first, in steps)."""
    index = world.content.city_regulation.get_parent().specific
    for i in range(3):  # older matches
        publish_regulation(index, f"Наказ {WORD} {i}", text=f"Про {WORD}.", document_date=dt.date(2020, 1, i + 1))
    refresh_indexes()
    user = world.users["don"]
    uncapped = _keys(run_search(user, WORD, order="date", per_page=100, log=False))
    assert len(uncapped) == 5
    monkeypatch.setattr("search.engine.MATCH_CAP", 3)
    monkeypatch.setattr("search.engine.NEWEST_STEP", 1)
    first, walked = _walk(user, WORD, order="date", per_page=1)
    assert first.total_is_lower_bound and first.num_pages == 3
    assert len(set(walked)) == 3 and walked == uncapped[:3], f"walked {walked}, expected {uncapped[:3]}"


@pytest.fixture
def subcollection_document(world):
    """A district office's document in a sub-collection of its district's collection (which it inherits)."""
    district_collection = world.content.district_a_document.collection
    orders = district_collection.add_child(name="Накази 2025")
    document = make_document(orders, f"Наказ РУО про {WORD}", kind="order", number="12")
    LibraryDocument.objects.filter(pk=document.pk).update(extracted_text=f"Про {WORD} учнів.")
    return document


def test_district_filter_keeps_documents_of_the_districts_sub_collections(world, subcollection_document, backend_name):
    ruo = run_search(world.users["own_ruo"], WORD, log=False)
    assert _keys(ruo) == [("LibraryDocument", subcollection_document.pk)]  # the district reads it
    for actor in ("don", "own_ruo"):
        filtered = run_search(world.users[actor], WORD, filters=SearchFilters(district_id=world.district.pk), log=False)
        assert _keys(filtered) == [("LibraryDocument", subcollection_document.pk)], actor


def test_a_quoted_phrase_no_text_holds_finds_nothing(world, backend_name):
    """«права дитини» is in no text; an act has both words apart («права батьків і дитини»)."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(
        index, "Про порядок роботи шкільних психологів", kind="order", text="Школа забезпечує права батьків і дитини."
    )
    outcome = run_search(world.users["don"], "«права дитини»", log=False)
    assert (outcome.total, [hit.title for hit in outcome.hits]) == (0, [])


def test_a_quoted_phrase_is_not_one_of_its_words(world, backend_name):
    """The corpus's «Порядок зарахування…» speaks of «дітей», never of «права»."""
    outcome = run_search(world.users["don"], "«дитини права»", log=False)
    assert (outcome.total, [hit.title for hit in outcome.hits]) == (0, [])


QUERIES = [
    "освіти",
    "зарахування",
    "№ 367",
    "2145-VIII",
    "463-IX",
    "наказ 367",
    "зарахування учнів",
    "«зарахування учнів»",
    "освіта атестація",
    "Наказ ДОН № 367",
    "27-р",
    "лист",
]
FILTERS = [
    SearchFilters(),
    SearchFilters(kind="order"),
    SearchFilters(kind="report"),
    SearchFilters(year=2018),
    SearchFilters(issuer="освіти"),
    SearchFilters(status="in_force"),
    SearchFilters(kind="announcement"),
]


@pytest.mark.parametrize("order", ["relevance", "date"])
def test_every_page_walked_gives_the_total_once(world, backend_name, order):
    """Across queries (numbers the engine matches and one it does not, phrases, the relaxation to any word),
    filters and users: the pages walked two results at a time list each result once, as many as the total,
    the same ones as one page of them all."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(
        index, "Про повну загальну середню освіту", kind="law", number="463-20", document_date="2020-01-16"
    )
    problems = []
    for actor in ("don", "school_a", "other_ruo"):
        for text in QUERIES:
            for filters in [*FILTERS, SearchFilters(district_id=world.district.pk)]:
                user = world.users[actor]
                whole = run_search(user, text, filters=filters, order=order, per_page=100, log=False)
                first, keys = _walk(user, text, filters=filters, order=order, per_page=2)
                counts = (len(keys), len(set(keys)), first.total, whole.total, len(whole.hits))
                if len(set(counts)) != 1 or keys != _keys(whole):
                    problems.append((actor, text, filters, counts))
    assert not problems, "\n".join(map(str, problems))


def test_issuer_filter_reads_the_apostrophe_as_typed_on_a_keyboard(world, backend_name):
    """The issuer is shown «…здоров’я…» (typographic apostrophe); the search box reads «'» and «’» alike."""
    index = world.content.city_regulation.get_parent().specific
    act = publish_regulation(
        index,
        f"Про {WORD} у закладах освіти",
        kind="order",
        text=f"Про {WORD}.",
        issuer="Міністерство охорони здоров’я України",
    )
    refresh_indexes()
    user = world.users["don"]
    assert _keys(run_search(user, f"{WORD} здоров'я", log=False)) == [("RegulationPage", act.pk)]
    for typed in ("здоров’я", "здоров'я", "здоровʼя"):
        found = run_search(user, WORD, filters=SearchFilters(issuer=typed), log=False)
        assert _keys(found) == [("RegulationPage", act.pk)], typed
