"""How PostgreSQL runs the engine's statement (``search.engine``): the matches read through an index (never a
table scan testing each row), the scope probed match by match (never a hash of every page built first), the
planner settings ending with the search; and how it stores what a search reads (lz4). Collected where the database
is PostgreSQL: on SQLite there is no such plan or storage (not a skip)."""

import importlib

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from search import engine
from search.results import _snippet_texts, load_results
from search.services import SEARCHED_MODELS, run_search
from tests.conftest import publish_regulation
from tests.search.test_postgres_settings import PREPARED, planner_settings, prepare_a_statement, prepared_statements
from tests.search.test_search_cost import MANY, acts  # noqa: F401 - the fixture

DATABASE_BACKEND = next(
    name for name, conf in settings.WAGTAILSEARCH_BACKENDS.items() if conf == settings.DATABASE_SEARCH
)


@pytest.fixture
def database_search(world, corpus, acts, settings):  # noqa: F811 - the fixture imported above
    """The database backend as the default, with a fresh index of everything."""
    settings.WAGTAILSEARCH_BACKENDS = {"default": dict(settings.WAGTAILSEARCH_BACKENDS)[DATABASE_BACKEND]}
    backend = get_search_backend("default")
    backend.reset_indexes()
    for model in SEARCHED_MODELS:
        index = backend.get_index_for_model(model)
        index.add_model(model)
        index.add_items(model, list(model._default_manager.all()))
    return backend


def _engine_statement(user, query: str) -> tuple[str, list]:
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        run_search(user, query, log=False)
    return next((sql, params) for sql, params in statements if sql.startswith("WITH matched"))


def _test_matches_come_through_an_index_and_the_scope_is_probed(world, database_search, actor):
    sql, params = _engine_statement(world.users[actor], "сертифікація")
    with engine._matched_through_indexes(connection), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Which index serves the match on a table this small is the planner's choice (on 100,000 acts, the GIN
    # indexes': benchmarks/search_speed.py); that no table scan tests a match row by row is the settings'.
    assert "Seq Scan on wagtailsearch_indexentry" not in plan, plan
    assert "hashed SubPlan" not in plan, plan
    # The scoped queryset's SQL is folded into the probe (never read whole as a subquery of its own).
    assert "Subquery Scan on scoped" not in plan and "Seq Scan on wagtailcore_page" not in plan, plan


def _test_the_planner_settings_hold_for_the_engine_statement_only(world, database_search, monkeypatch):
    during, rows = [], engine._rows

    def spy(*args, **kwargs):
        during.append(planner_settings())
        return rows(*args, **kwargs)

    monkeypatch.setattr(engine, "_rows", spy)
    before = planner_settings()
    outcome = run_search(world.users["don"], "сертифікація", log=False)
    assert outcome.total == 2 * MANY and during == [("off", "off")]
    assert before == planner_settings() == ("on", "on")


def _test_the_planner_settings_end_with_a_failed_engine_statement(world, database_search, monkeypatch):
    def fail(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(engine, "_rows", fail)
    with transaction.atomic():
        with pytest.raises(Exception, match="division by zero"):
            run_search(world.users["don"], "сертифікація", log=False)
        assert planner_settings() == ("on", "on")  # the outer transaction goes on, with the usual plans


def _test_the_engine_statement_is_one_round_trip_beside_its_settings(world, database_search):
    """The settings made, the engine statement, the settings put back (the test runs inside a transaction:
    alone, the commit ends them, ``test_postgres_settings.py``)."""
    with CaptureQueriesContext(connection) as queries:
        run_search(world.users["school_a"], "сертифікація", log=False)
    engine_statements = [
        query["sql"]
        for query in queries.captured_queries
        if "wagtailsearch_indexentry" in query["sql"] or "set_config" in query["sql"]
    ]
    assert len(engine_statements) == 3
    assert "set_config" in engine_statements[0] and "set_config" in engine_statements[2]
    assert "wagtailsearch_indexentry" in engine_statements[1]


def _test_a_search_keeps_the_prepared_statements(world, database_search):
    """psycopg forgets every statement it prepared on the connection at a ``ROLLBACK`` (to a savepoint too):
    a search ending so had the connection's later statements parsed and planned again."""
    prepare_a_statement()
    run_search(world.users["school_a"], "сертифікація", log=False)
    assert PREPARED in prepared_statements()


def _test_a_query_of_several_parts_reads_each_vector_once(world, database_search):
    """«мов» has two equally likely lemmas, so «іноземних мов» is an ``And`` of two parts, one of them an ``Or``:
    Wagtail's rank of it is a ``ts_rank`` per part and vector (six, each reading the match's vector again); the
    engine statement scores the title and the body against the whole query, once each."""
    sql, params = _engine_statement(world.users["don"], "іноземних мов")
    assert sql.count("ts_rank(") == 2, sql
    assert any("мова" in str(param) for param in params) and any("мов'" in str(param) for param in params), params


def _test_the_hits_statements_have_one_text_for_any_number_of_keys(world, database_search):
    """The candidates' and the texts' statements read ``key = ANY(array)``, not ``key IN (%s, ...)``: one text
    whatever the number of keys, so psycopg prepares them (``search.results._keys_condition``)."""
    from cms.pages.models import RegulationPage

    keys = list(RegulationPage.objects.order_by("pk").values_list("pk", flat=True)[:3])
    read, statements = [], []

    def keep(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        for wanted in (keys[:1], keys):
            results = load_results(RegulationPage.objects.live(), wanted)
            texts = _snippet_texts(list(results.values()), 100)
            read.append((sorted(results), sorted(pk for _model, pk in texts)))
    assert read == [(keys[:1], keys[:1]), (keys, keys)]
    candidates, heads = statements[0::2], statements[1::2]
    assert len(statements) == 4 and candidates[0] == candidates[1] and heads[0] == heads[1]
    assert "= ANY(%s::integer[])" in candidates[0] and "= ANY(%s::integer[])" in heads[0]


if connection.vendor == "postgresql":
    test_matches_come_through_an_index_and_the_scope_is_probed = pytest.mark.parametrize(
        "actor", ["don", "own_ruo", "school_a"]
    )(_test_matches_come_through_an_index_and_the_scope_is_probed)
    test_the_planner_settings_hold_for_the_engine_statement_only = (
        _test_the_planner_settings_hold_for_the_engine_statement_only
    )
    test_the_planner_settings_end_with_a_failed_engine_statement = (
        _test_the_planner_settings_end_with_a_failed_engine_statement
    )
    test_the_engine_statement_is_one_round_trip_beside_its_settings = (
        _test_the_engine_statement_is_one_round_trip_beside_its_settings
    )
    test_a_search_keeps_the_prepared_statements = _test_a_search_keeps_the_prepared_statements
    test_a_query_of_several_parts_reads_each_vector_once = _test_a_query_of_several_parts_reads_each_vector_once
    test_the_hits_statements_have_one_text_for_any_number_of_keys = (
        _test_the_hits_statements_have_one_text_for_any_number_of_keys
    )


# --- storage: lz4 (search/migrations/0006_lz4_compression.py) ------------------------------------------------

LZ4_MIGRATION = importlib.import_module("search.migrations.0006_lz4_compression")


def _skip_without_lz4() -> None:
    """A server built without lz4 keeps pglz: the migration leaves it so (CI's PostgreSQL 15 offers lz4)."""
    if not LZ4_MIGRATION.offers_lz4(connection):
        pytest.skip("this PostgreSQL server offers no lz4 compression")


def _test_the_columns_a_search_reads_are_compressed_with_lz4(db):
    """Every column the migration names is set to lz4 (a server whose default is lz4 would pass the next test
    without the migration, not this one)."""
    from django.apps import apps

    _skip_without_lz4()
    with connection.cursor() as cursor:
        for app_label, model_name, field_name in LZ4_MIGRATION.COLUMNS:
            model = apps.get_model(app_label, model_name)
            cursor.execute(
                "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
                [model._meta.db_table, model._meta.get_field(field_name).column],
            )
            assert cursor.fetchone() == ("l",), (app_label, model_name, field_name)


def _test_an_act_and_its_index_entry_are_written_with_lz4(world, database_search):
    """A long act saved and indexed through the portal: its text and its index entry's body vector are stored
    compressed with lz4 (pglz left most vectors of such acts uncompressed)."""
    from cms.pages.models import RegulationPage

    _skip_without_lz4()
    words = " ".join(f"положення{i} закладу освіти пункт {i}" for i in range(800))
    act = publish_regulation(world.content.city_regulation.get_parent().specific, "Довгий наказ", text=words)
    database_search.add(RegulationPage.objects.get(pk=act.pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_compression(text) FROM pages_regulationpage WHERE page_ptr_id = %s", [act.pk])
        assert cursor.fetchone() == ("lz4",)
        cursor.execute(
            "SELECT pg_column_compression(body) FROM wagtailsearch_indexentry WHERE object_id = %s AND "
            "content_type_id = %s",
            [str(act.pk), act.content_type_id],
        )
        assert cursor.fetchone() == ("lz4",)


if connection.vendor == "postgresql":
    test_the_columns_a_search_reads_are_compressed_with_lz4 = _test_the_columns_a_search_reads_are_compressed_with_lz4
    test_an_act_and_its_index_entry_are_written_with_lz4 = _test_an_act_and_its_index_entry_are_written_with_lz4
