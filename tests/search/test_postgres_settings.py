"""The planner settings of the engine's statements on PostgreSQL (``search.engine._matched_through_indexes``),
alone and inside an outer transaction: they hold for its statements only, and the connection keeps the
statements psycopg prepared (a ``ROLLBACK`` would make it forget them all); a failed statement is in
``test_postgres_plans.py``. Transactional: alone, the settings' transaction is the connection's own. Collected
where the database is PostgreSQL (not a skip)."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from search import engine

#: A statement as PostgreSQL lists it once prepared (psycopg's placeholders become $n).
PREPARED = "SELECT COUNT(*) FROM wagtailcore_page WHERE depth > $1"


def planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
        return cursor.fetchone()


def prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def prepare_a_statement() -> None:
    """:data:`PREPARED`, run as often as psycopg needs to prepare it on the connection."""
    with connection.cursor() as cursor:
        for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"] + 1):
            cursor.execute(PREPARED.replace("$1", "%s"), [1])
    assert PREPARED in prepared_statements()


def _test_alone_the_settings_end_with_their_commit():
    prepare_a_statement()
    assert connection.get_autocommit()
    with engine._matched_through_indexes(connection):
        assert planner_settings() == ("off", "off")
        assert not connection.get_autocommit()  # a transaction of their own
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert planner_settings() == ("on", "on")
    assert PREPARED in prepared_statements()


def _test_inside_a_transaction_the_settings_are_put_back():
    with transaction.atomic():
        prepare_a_statement()
        with connection.cursor() as cursor:  # an outer transaction's own choice is what it gets back
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
        with engine._matched_through_indexes(connection):
            assert planner_settings() == ("off", "off")
        assert planner_settings() == ("off", "on")
        assert PREPARED in prepared_statements()
    assert planner_settings() == ("on", "on")


if connection.vendor == "postgresql":
    pytestmark = pytest.mark.django_db(transaction=True)
    test_alone_the_settings_end_with_their_commit = _test_alone_the_settings_end_with_their_commit
    test_inside_a_transaction_the_settings_are_put_back = _test_inside_a_transaction_the_settings_are_put_back
