"""The planner settings of the engine's statements on PostgreSQL (``search.engine._matched_through_indexes``),
alone and inside a transaction: they hold for its statements only, a failed statement ends them too, and the
connection keeps the statements psycopg prepared (a ``ROLLBACK`` would make it forget them all). Transactional:
alone, the settings' transaction is the connection's own. Collected where the database is PostgreSQL (not a
skip)."""

import pytest
from django.db import connection, transaction
from psycopg.pq import TransactionStatus

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
    """:data:`PREPARED`, prepared by psycopg on the connection (as it does a statement run ``prepare_threshold``
    times)."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(PREPARED.replace("$1", "%s"), [1], prepare=True)
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
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'on', true), set_config('enable_indexscan', 'off', true)"
            )
        with engine._matched_through_indexes(connection):
            assert planner_settings() == ("off", "off")
        assert planner_settings() == ("on", "off")
        assert PREPARED in prepared_statements()
    assert planner_settings() == ("on", "on")


def _test_in_a_transaction_without_atomic_the_settings_are_put_back():
    """Autocommit off outside ``atomic`` (a transaction managed by hand): Django's ``atomic`` is a savepoint
    there too; the settings are put back before it is released, and the transaction goes on."""
    connection.set_autocommit(False)
    try:
        prepare_a_statement()
        with engine._matched_through_indexes(connection):
            assert planner_settings() == ("off", "off")
        assert planner_settings() == ("on", "on")
        assert connection.connection.info.transaction_status == TransactionStatus.INTRANS  # not committed
        assert PREPARED in prepared_statements()
    finally:
        connection.rollback()
        connection.set_autocommit(True)


def _test_alone_a_failed_statement_ends_the_settings():
    with (
        pytest.raises(Exception, match="division by zero"),
        engine._matched_through_indexes(connection),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert planner_settings() == ("on", "on")


if connection.vendor == "postgresql":
    pytestmark = pytest.mark.django_db(transaction=True)
    test_alone_the_settings_end_with_their_commit = _test_alone_the_settings_end_with_their_commit
    test_inside_a_transaction_the_settings_are_put_back = _test_inside_a_transaction_the_settings_are_put_back
    test_in_a_transaction_without_atomic_the_settings_are_put_back = (
        _test_in_a_transaction_without_atomic_the_settings_are_put_back
    )
    test_alone_a_failed_statement_ends_the_settings = _test_alone_a_failed_statement_ends_the_settings
