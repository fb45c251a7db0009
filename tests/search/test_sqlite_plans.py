"""How SQLite runs the engine's statements (``search.engine``): each match's keys read from the entries' keys
index (``search/migrations/0008_index_entry_keys.py``), not from the entry's row, which holds the lemmas of the
object's whole text; and the same answers where the database has no such index. Collected where the database is
SQLite: on PostgreSQL there is no such index (not a skip)."""

import pytest
from django.db import connection

from search import engine
from search.services import run_search
from tests.search.test_postgres_plans import database_search  # noqa: F401 - the fixture
from tests.search.test_search_cost import acts  # noqa: F401 - the fixture

#: What a search asks for, and the engine statements it makes on the small caps below: the ranking and, with
#: RANK_CAP matches or more, their count; newest first, the matches up to MATCH_CAP + 1 and, with more, which of
#: a type's newest objects match.
SEARCHES = [("relevance", {"ranking", "count"}), ("date", {"newest", "newest among"})]


@pytest.fixture
def small_caps(monkeypatch):
    """RANK_CAP 5, MATCH_CAP 10 and NEWEST_STEP 5: every engine statement of a search, on 2 × MANY matches."""
    monkeypatch.setattr(engine, "RANK_CAP", 5)
    monkeypatch.setattr(engine, "MATCH_CAP", 10)
    monkeypatch.setattr(engine, "NEWEST_STEP", 5)


def _search(user, order: str):
    """The outcome of the search, and its engine statements as run (a failed one too)."""
    statements = []

    def keep(execute, sql, params, many, context):
        if "MATCH" in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        outcome = run_search(user, "сертифікація", order=order, log=False)
    assert outcome.total_is_lower_bound and outcome.hits
    return outcome, statements


def _plan(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[3] for row in cursor.fetchall()]


def _kind(sql: str) -> str:
    if sql.startswith("SELECT ct, object_key"):
        return "ranking"
    if sql.startswith("SELECT COUNT(*)"):
        return "count"
    return "newest among" if " IN (SELECT chosen." in sql else "newest"


def _test_the_engine_statements_read_the_keys_from_the_index(world, database_search, small_caps, actor):  # noqa: F811
    for order, kinds in SEARCHES:
        _outcome, statements = _search(world.users[actor], order)
        assert {_kind(sql) for sql, _params in statements} == kinds, statements
        for sql, params in statements:
            plan = _plan(sql, params)
            assert f"SEARCH wagtailsearch_indexentry USING COVERING INDEX {engine.ENTRY_KEYS_INDEX} (id=?)" in plan
            assert not [step for step in plan if step.startswith("SEARCH wagtailsearch_indexentry USING INTEGER")]


def _test_without_the_index_the_statements_read_the_rows(world, database_search, small_caps, monkeypatch):  # noqa: F811
    """A database whose entries table lost the index (rebuilt by a migration of Wagtail's): the first statement
    that names it fails, and it and every later one are run without it, with the same answers. The index is
    dropped inside the test's transaction, rolled back after it."""
    user = world.users["school_a"]
    monkeypatch.setattr(engine, "_without_entry_keys", set())
    found = {order: _search(user, order)[0] for order, _kinds in SEARCHES}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {engine.ENTRY_KEYS_INDEX}")
    for order, kinds in SEARCHES:
        outcome, statements = _search(user, order)
        assert connection.alias in engine._without_entry_keys
        assert {_kind(sql) for sql, _params in statements} == kinds
        # Only the first statement named the index, and failed: the others were run without it at once.
        named = [sql for sql, _params in statements if engine.ENTRY_KEYS_INDEX in sql]
        assert len(named) == (order == "relevance"), named
        assert not [
            step
            for sql, params in statements[len(named) :]
            for step in _plan(sql, params)
            if f"USING COVERING INDEX {engine.ENTRY_KEYS_INDEX}" in step
        ]
        assert [hit.pk for hit in outcome.hits] == [hit.pk for hit in found[order].hits]
        assert (outcome.total, outcome.total_is_lower_bound) == (found[order].total, True)


def _test_the_migration_makes_the_index_the_statements_name(db):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA index_info({engine.ENTRY_KEYS_INDEX})")
        columns = [row[2] for row in cursor.fetchall()]
    assert columns == ["id", "content_type_id", "object_id", "title_norm"]


if connection.vendor == "sqlite":
    test_the_engine_statements_read_the_keys_from_the_index = pytest.mark.parametrize(
        "actor", ["don", "own_ruo", "school_a"]
    )(_test_the_engine_statements_read_the_keys_from_the_index)
    test_without_the_index_the_statements_read_the_rows = _test_without_the_index_the_statements_read_the_rows
    test_the_migration_makes_the_index_the_statements_name = _test_the_migration_makes_the_index_the_statements_name
