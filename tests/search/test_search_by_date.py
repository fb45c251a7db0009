"""A search ordered newest first: every match the user may read, in the order of the dates shown (an act's or a
document's own date, undated ones last), counted as the ranking counts them, on every backend — both when the
matches are few enough to be ordered at once and when the index is read newest object first, a few at a time."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.library.models import LibraryDocument
from search.services import run_search
from tests.conftest import make_document, publish_regulation

WORD, ACTS = "сертифікація", 12


@pytest.fixture
def dated(world):
    """ACTS acts and ACTS documents about certification, with interleaved dates, and an act without a date of
    its own (published today: not its date)."""
    index = world.content.city_regulation.get_parent().specific
    collection = world.content.city_document.collection
    start = dt.date(2020, 1, 1)
    for i in range(ACTS):
        publish_regulation(
            index, f"Наказ {WORD} № {i}", kind="order", text=f"Про {WORD}.", document_date=start + dt.timedelta(2 * i)
        )
        document = make_document(collection, f"Лист {WORD} № {i}", kind="letter")
        LibraryDocument.objects.filter(pk=document.pk).update(
            extracted_text=f"Лист про {WORD}.", document_date=start + dt.timedelta(2 * i + 1)
        )
    publish_regulation(index, f"Недатований наказ: {WORD}", kind="order", text=f"Про {WORD}.")


def _keys(outcome) -> list[tuple[str, int]]:
    return [(hit.model.__name__, hit.pk) for hit in outcome.hits]


@pytest.mark.parametrize("few", [True, False], ids=["ordered-at-once", "read-newest-first"])
@pytest.mark.parametrize("actor", ["don", "own_ruo", "school_a"])
def test_newest_first_is_every_readable_match_in_date_order(world, dated, backend_name, monkeypatch, few, actor):
    user = world.users[actor]
    readable = run_search(user, WORD, per_page=100, log=False)  # every match the user may read, by relevance
    if not few:  # more matches than the engine counts: the database backends read the objects newest first
        monkeypatch.setattr("search.engine.MATCH_CAP", 5)
        monkeypatch.setattr("search.engine.NEWEST_STEP", 3)
    by_date = run_search(user, WORD, order="date", per_page=100, log=False)
    assert set(_keys(by_date)) == set(_keys(readable)) and len(by_date.hits) == readable.total >= 2 * ACTS
    assert by_date.total == (readable.total if few else 5) and by_date.total_is_lower_bound == (not few)
    assert by_date.hits[-1].title == f"Недатований наказ: {WORD}" and by_date.hits[-1].date is None
    dates = [hit.date for hit in by_date.hits[:-1]]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates)
    assert by_date.hits[0].title == f"Лист {WORD} № {ACTS - 1}"  # the newest: a document


def test_the_first_page_newest_first_does_not_read_more_for_more_older_matches(world, dated, backend_name, monkeypatch):
    monkeypatch.setattr("search.engine.MATCH_CAP", 5)
    monkeypatch.setattr("search.engine.NEWEST_STEP", 4)
    titles = [f"Лист {WORD} № {ACTS - 1}", f"Наказ {WORD} № {ACTS - 1}", f"Лист {WORD} № {ACTS - 2}"]
    statements = []
    for older in (0, 10):
        index = world.content.city_regulation.get_parent().specific
        for i in range(older):
            publish_regulation(
                index, f"Старий наказ {WORD} № {i}", text=f"Про {WORD}.", document_date=dt.date(2010, 1, 1)
            )
        with CaptureQueriesContext(connection) as first_page:
            outcome = run_search(world.users["don"], WORD, order="date", per_page=3, log=False)
        assert [hit.title for hit in outcome.hits] == titles
        statements.append(len(first_page))
    assert statements[0] == statements[1]


def test_a_type_the_word_is_rare_in_has_its_matches_ordered_at_once(world, dated, backend_name, monkeypatch):
    """More matches than the engine counts, but few of them among the acts: reading the acts newest first
    would read them all, so after a few steps their matches are ordered at once."""
    monkeypatch.setattr("search.engine.MATCH_CAP", 5)
    monkeypatch.setattr("search.engine.NEWEST_STEP", 2)
    monkeypatch.setattr("search.engine.NEWEST_MAX_STEPS", 1)
    index = world.content.city_regulation.get_parent().specific
    for i in range(6):  # newer acts without the word: the first steps find none
        publish_regulation(
            index, f"Наказ про харчування № {i}", text="Про харчування.", document_date=dt.date(2030, 1, i + 1)
        )
    outcome = run_search(world.users["don"], WORD, order="date", per_page=100, log=False)
    acts = [hit.title for hit in outcome.hits if hit.model.__name__ == "RegulationPage"]
    assert acts == [f"Наказ {WORD} № {i}" for i in reversed(range(ACTS))] + [f"Недатований наказ: {WORD}"]


def test_newest_first_orders_the_autumn_clock_change_by_the_instant():
    """On 26 Oct 2025 Kyiv's clocks went from 04:00 back to 03:00: 03:45 summer time came before 03:15 winter
    time. The order is the instants', as the engines read a type's objects by the field."""
    from search.results import newest_first_moment

    summer = dt.datetime(2025, 10, 26, 0, 45, tzinfo=dt.UTC)  # 03:45 local, summer time
    winter = dt.datetime(2025, 10, 26, 1, 15, tzinfo=dt.UTC)  # 03:15 local, winter time
    with timezone.override("Europe/Kyiv"):
        assert newest_first_moment(summer) < newest_first_moment(winter)
        assert newest_first_moment(dt.date(2025, 10, 26)) < newest_first_moment(summer)
        assert newest_first_moment(None) < newest_first_moment(dt.date(1990, 1, 1))
