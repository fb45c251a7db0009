"""The statements of a submission, written by hand: its reads as well as its writes.

On the morning peak the submission path is most of what the servers do, and the ORM spends more on a
submission than the database does: a model instance per row, a compiled statement per step, a read to lock
the school's day and another to learn whether its district's row exists. Here a whole school day is one
read of the settings with the school's classes, the school day's upsert that locks it, a read of its class
days when it has any, and its writes — the class days, the school's and the district's totals, the audit
entry — as one statement on PostgreSQL (``Batch``) and four on SQLite, whatever its number of classes (both
know ``INSERT … ON CONFLICT … DO UPDATE`` and ``RETURNING``); a day over an alert threshold adds the read of
the alert history and, when it raises alerts, their insert. ``services.submit_attendance`` and ``alerts``
decide what to write; this module only reads and writes it, with the values adapted by the connection as
the ORM would adapt them.
"""

import datetime as dt
from contextlib import contextmanager
from functools import cache

from django.db import connection

from .models import Alert, AttendanceSettings, ClassDay, Counts, DistrictDay, IdempotentRequest, SchoolClass, SchoolDay

COUNT_FIELDS = Counts.COUNT_FIELDS
# A class day's reported values, in this order everywhere below (``services._values`` builds them).
CLASS_FIELDS = (*COUNT_FIELDS, "sheltered", "mode")
LOCKED_FIELDS = ("id", "district", *COUNT_FIELDS, "classes_reported", "sheltered")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _columns(model, names) -> list[str]:
    return [_q(model._meta.get_field(name).column) for name in names]


def _timestamp(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


class Batch:
    """Statements that return nothing, sent together: on PostgreSQL as one statement, each but the last a
    data-modifying ``WITH`` of the last (one round trip, one execution: the writes of a submission after its
    school day is locked touch four tables, none twice, and none reads another's change); elsewhere one by
    one in the order they were added."""

    def __init__(self):
        self.statements: list[tuple[str, list]] = []

    def add(self, sql: str, params: list) -> None:
        self.statements.append((sql, params))

    def send(self) -> None:
        statements, self.statements = self.statements, []
        if not statements:
            return
        if connection.vendor == "postgresql" and len(statements) > 1:
            *first, (last, _params) = statements
            ctes = ", ".join(f"w{index} AS ({sql})" for index, (sql, _params) in enumerate(first))
            statements = [(f"WITH {ctes} {last}", [value for _sql, params in statements for value in params])]
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)


def _run(sql: str, params: list, batch: Batch | None) -> None:
    """Execute a statement that returns nothing now, or add it to ``batch``."""
    if batch is not None:
        batch.add(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def _planned_each_time():
    """Statements run inside are not prepared on PostgreSQL: it plans them afresh, for their parameters and
    the tables' present size. For the range reads of class days: a prepared statement keeps its generic plan,
    and the one made while the class-day table was small (a new database, or the benchmark's emptied window
    with ``--history-years 0``) is a scan of the whole table, kept as the table grows (~2 ms a read at 50,000
    rows, against ~0.1 planned each time)."""
    raw = connection.connection if connection.vendor == "postgresql" else None
    if raw is None:
        yield
        return
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold


def _array(values) -> str:
    """A PostgreSQL array literal of integers, booleans or strings, bound as text and cast by the statement:
    psycopg adapts a Python list element by element (a school's class days: ~0.14 ms against ~0.05)."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, bool):
            items.append("t" if value else "f")
        elif isinstance(value, int):
            items.append(str(value))
        else:
            items.append('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(items) + "}"


def _one_of(vendor: str, count: int) -> str:
    """The test that a column is one of ``count`` ids: ``= ANY`` of one array on PostgreSQL (the statement is
    the same for any number of them), ``IN`` a list of parameters elsewhere."""
    return "= ANY(%s::bigint[])" if vendor == "postgresql" else f"IN ({', '.join(['%s'] * count)})"


def _one_of_params(ids: list[int]) -> list:
    return [_array(ids)] if connection.vendor == "postgresql" else list(ids)


def _one_of_count(ids: list[int]) -> int:
    """The ``count`` of ``_one_of`` for ``ids`` (0 on PostgreSQL: one statement whatever their number)."""
    return 0 if connection.vendor == "postgresql" else len(ids)


@cache
def _lock_school_day_sql(vendor: str) -> str:
    inserted = ["school", "district", "date", *COUNT_FIELDS, "classes_reported", "sheltered", "updated_at"]
    school, date = _columns(SchoolDay, ["school", "date"])
    return (
        f"INSERT INTO {_table(SchoolDay)} ({', '.join(_columns(SchoolDay, inserted))}) "
        f"VALUES ({', '.join(['%s'] * len(inserted))}) "
        f"ON CONFLICT ({school}, {date}) DO UPDATE SET {school} = excluded.{school} "
        f"RETURNING {', '.join(_columns(SchoolDay, LOCKED_FIELDS))}"
    )


def lock_school_day(school_id: int, district_id: int | None, date: dt.date, now: dt.datetime) -> dict:
    """The school's row for the day (inserted empty unless it exists), locked until the end of the
    transaction: a conflicting insert updates the row to itself, which takes its lock on PostgreSQL and
    waits for a concurrent submission of the same school and day to commit first. Returns the row's
    ``id``, ``district_id``, totals, ``classes_reported`` and ``sheltered`` as they are now."""
    params = [school_id, district_id, _date(date), *[0] * len(COUNT_FIELDS), 0, False, _timestamp(now)]
    with connection.cursor() as cursor:
        cursor.execute(_lock_school_day_sql(connection.vendor), params)
        row = cursor.fetchone()
    values = dict(zip(["id", "district_id", *LOCKED_FIELDS[2:]], row, strict=True))
    values["sheltered"] = bool(values["sheltered"])
    return values


SETTINGS_FIELDS = tuple(field.attname for field in AttendanceSettings._meta.concrete_fields)
CLASS_REF_FIELDS = ("id", "name", "enrolled")


@cache
def _settings_and_classes_sql(vendor: str) -> str:
    settings = ", ".join(f"s.{column}" for column in _columns(AttendanceSettings, SETTINGS_FIELDS))
    classes = ", ".join(f"c.{column}" for column in _columns(SchoolClass, CLASS_REF_FIELDS))
    school, active, grade, name = _columns(SchoolClass, ["school", "is_active", "grade", "name"])
    return (
        f"SELECT {settings}, {classes} FROM (SELECT * FROM {_table(AttendanceSettings)} ORDER BY {_q('id')} LIMIT 1) s "
        f"LEFT JOIN {_table(SchoolClass)} c ON c.{school} = %s AND c.{active} = %s "
        f"ORDER BY c.{grade}, c.{name}"
    )


def settings_and_classes(school_id: int) -> tuple[AttendanceSettings, list[tuple]] | None:
    """The attendance settings (the first row, as ``AttendanceSettings.load`` reads it) and the school's
    active classes as ``(id, name, enrolled)`` in the classes' order, in one statement; None when the
    settings row does not exist yet."""
    with connection.cursor() as cursor:
        cursor.execute(_settings_and_classes_sql(connection.vendor), [school_id, True])
        rows = cursor.fetchall()
    if not rows:
        return None
    width = len(SETTINGS_FIELDS)
    config = AttendanceSettings.from_db(connection.alias, SETTINGS_FIELDS, rows[0][:width])
    return config, [row[width:] for row in rows if row[width] is not None]


@cache
def _class_days_sql(vendor: str) -> str:
    school, date = _columns(ClassDay, ["school", "date"])
    return (
        f"SELECT {', '.join(_columns(ClassDay, ['school_class', *CLASS_FIELDS]))} FROM {_table(ClassDay)} "
        f"WHERE {school} = %s AND {date} = %s"
    )


def class_days(school_id: int, date: dt.date) -> dict[int, dict]:
    """The school's class days of the day: ``{class id: {field: value}}`` over ``CLASS_FIELDS``."""
    with connection.cursor() as cursor, _planned_each_time():
        cursor.execute(_class_days_sql(connection.vendor), [school_id, _date(date)])
        rows = cursor.fetchall()
    days = {}
    for class_id, *values in rows:
        day = dict(zip(CLASS_FIELDS, values, strict=True))
        day["sheltered"] = bool(day["sheltered"])
        days[class_id] = day
    return days


@cache
def _alert_history_sql(vendor: str, classes: int) -> str:
    """The class days of ``classes`` classes (on PostgreSQL of any number: ``classes`` is 0) in a range of
    dates, then their alerts in it: two plain reads in one statement (cheap to plan, see ``alert_history``)."""
    class_column, date, enrolled, ill = _columns(ClassDay, ["school_class", "date", "enrolled", "absent_illness"])
    alert_class, alert_date, rule = _columns(Alert, ["school_class", "date", "rule"])
    days = (
        f"SELECT {class_column}, {date}, {enrolled}, {ill}, NULL FROM {_table(ClassDay)} "
        f"WHERE {class_column} {_one_of(vendor, classes)} AND {date} BETWEEN %s AND %s"
    )
    raised = (
        f"SELECT {alert_class}, {alert_date}, 0, 0, {rule} FROM {_table(Alert)} "
        f"WHERE {alert_class} {_one_of(vendor, classes)} AND {alert_date} BETWEEN %s AND %s"
    )
    return f"{days} UNION ALL {raised} ORDER BY 2 DESC"


def alert_history(class_ids: list[int], since: dt.date, until: dt.date) -> list[tuple]:
    """What alert evaluation reads, in one statement and without model instances: the class days of the
    classes from ``since`` to ``until`` as ``(class id, date, enrolled, absent through illness, None)`` and
    their alerts raised in that range as ``(class id, date, 0, 0, rule)``, newest first. Planned each time
    (``_planned_each_time``): its best plan depends on the number of classes and on the class-day table."""
    sql = _alert_history_sql(connection.vendor, _one_of_count(class_ids))
    wanted = [*_one_of_params(class_ids), _date(since), _date(until)]
    with connection.cursor() as cursor, _planned_each_time():
        cursor.execute(sql, [*wanted, *wanted])
        return cursor.fetchall()


CLASS_DAY_ROW = ("school_class", *CLASS_FIELDS)
CLASS_DAY_SHARED = ("school", "date", "source", "submitted_by", "updated_at")


@cache
def _save_class_days_sql(vendor: str, rows: int) -> str:
    """The upsert of ``rows`` class days (on PostgreSQL of any number: ``rows`` is 0)."""
    columns = _columns(ClassDay, [*CLASS_DAY_ROW, *CLASS_DAY_SHARED])
    if vendor == "postgresql":
        # One array per column: the statement's text is the same whatever the number of rows, so the
        # driver's parse of it is cached (a VALUES list grows with the rows and is parsed every time).
        types = [ClassDay._meta.get_field(name).cast_db_type(connection) for name in CLASS_DAY_ROW]
        shared = [ClassDay._meta.get_field(name).cast_db_type(connection) for name in CLASS_DAY_SHARED]
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        scalars = ", ".join(f"%s::{kind}" for kind in shared)
        source_rows = f"SELECT rows.*, {scalars} FROM unnest({arrays}) AS rows"
    else:
        row = f"({', '.join(['%s'] * len(columns))})"
        source_rows = f"VALUES {', '.join([row] * rows)}"
    class_column, date = _columns(ClassDay, ["school_class", "date"])
    overwritten = [c for c in columns if c not in (class_column, date)]
    return (
        f"INSERT INTO {_table(ClassDay)} ({', '.join(columns)}) {source_rows} "
        f"ON CONFLICT ({class_column}, {date}) DO UPDATE SET "
        + ", ".join(f"{column} = excluded.{column}" for column in overwritten)
    )


def save_class_days(
    school_id: int,
    date: dt.date,
    rows: dict[int, dict],
    *,
    source: str,
    user_id: int | None,
    now: dt.datetime,
    batch: Batch | None = None,
) -> None:
    """Insert the class days ``{class id: values}``, or overwrite the ones that exist (one statement)."""
    if not rows:
        return
    shared = [school_id, _date(date), source, user_id, _timestamp(now)]
    values = [[class_id, *(row[name] for name in CLASS_FIELDS)] for class_id, row in rows.items()]
    if connection.vendor == "postgresql":
        sql = _save_class_days_sql(connection.vendor, 0)
        params = [*shared, *(_array(column) for column in zip(*values, strict=True))]
    else:
        sql = _save_class_days_sql(connection.vendor, len(values))
        params = [value for row in values for value in (*row, *shared)]
    _run(sql, params, batch)


@cache
def _save_school_totals_sql(vendor: str) -> str:
    fields = [*COUNT_FIELDS, "classes_reported", "sheltered", "updated_at"]
    assignments = ", ".join(f"{column} = %s" for column in _columns(SchoolDay, fields))
    return f"UPDATE {_table(SchoolDay)} SET {assignments} WHERE {_q('id')} = %s"


def save_school_totals(school_day: SchoolDay, batch: Batch | None = None) -> None:
    """Write the school day's totals, ``classes_reported``, ``sheltered`` and ``updated_at`` as they are set."""
    params = [getattr(school_day, name) for name in (*COUNT_FIELDS, "classes_reported", "sheltered")]
    params += [_timestamp(school_day.updated_at), school_day.pk]
    _run(_save_school_totals_sql(connection.vendor), params, batch)


DISTRICT_ADDED = (*COUNT_FIELDS, "schools_reported")


@cache
def _add_to_district_day_sql(vendor: str, city: bool, added: tuple[str, ...]) -> str:
    fields = ["district", "date", *DISTRICT_ADDED]
    columns = _columns(DistrictDay, fields)
    district, date = columns[:2]
    target = f"({date}) WHERE {district} IS NULL" if city else f"({district}, {date})"
    table = _table(DistrictDay)
    assignments = ", ".join(f"{c} = {table}.{c} + %s" for c in _columns(DistrictDay, added))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT {target} DO UPDATE SET {assignments}"
    )


def add_to_district_day(school_day: SchoolDay, changes: dict, batch: Batch | None = None) -> None:
    """Add ``changes`` (the change of the school day's totals, and of ``schools_reported``) to its district's
    day in place, so concurrent submissions of one district's schools add up; the row is inserted with the
    school day's totals when it is the district's first of the day (one statement either way). The row of the
    schools the department manages directly (district None) is found through its own unique index."""
    added = tuple(name for name in DISTRICT_ADDED if changes.get(name))
    if not added:
        return
    district_id = school_day.district_id
    params = [district_id, _date(school_day.date), *(getattr(school_day, name) for name in COUNT_FIELDS)]
    params.append(int(bool(school_day.classes_reported)))
    params += [changes[name] for name in added]
    _run(_add_to_district_day_sql(connection.vendor, district_id is None, added), params, batch)


@cache
def _claim_idempotency_key_sql(vendor: str) -> str:
    fields = ["user", "key", "fingerprint", "status_code", "body", "created_at"]
    columns = _columns(IdempotentRequest, fields)
    return (
        f"INSERT INTO {_table(IdempotentRequest)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({columns[0]}, {columns[1]}) DO NOTHING RETURNING {_q('id')}"
    )


def claim_idempotency_key(user_id: int, key: str, fingerprint: str, now: dt.datetime) -> int | None:
    """Insert the record of the first request with ``key``; its id, or None when the key is taken (on
    PostgreSQL after waiting for a concurrent first request with it to commit or roll back)."""
    body = IdempotentRequest._meta.get_field("body").get_db_prep_save({}, connection)
    params = [user_id, key, fingerprint, 0, body, _timestamp(now)]
    with connection.cursor() as cursor:
        cursor.execute(_claim_idempotency_key_sql(connection.vendor), params)
        row = cursor.fetchone()
    return row[0] if row else None


@cache
def _save_idempotent_response_sql(vendor: str) -> str:
    status_code, body = _columns(IdempotentRequest, ["status_code", "body"])
    return f"UPDATE {_table(IdempotentRequest)} SET {status_code} = %s, {body} = %s WHERE {_q('id')} = %s"


def save_idempotent_response(record_id: int, status_code: int, body) -> None:
    """Store the response of the first request with a key in its record (``claim_idempotency_key``)."""
    body = IdempotentRequest._meta.get_field("body").get_db_prep_save(body, connection)
    with connection.cursor() as cursor:
        cursor.execute(_save_idempotent_response_sql(connection.vendor), [status_code, body, record_id])


@cache
def _insert_sql(vendor: str, model) -> str:
    columns = [_q(field.column) for field in model._meta.concrete_fields if not field.primary_key]
    return f"INSERT INTO {_table(model)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"


def _inserted_values(instance) -> list:
    """The values an insert of ``instance`` writes, made as ``bulk_create`` makes them (``pre_save``, then
    the database's preparation), its database-generated key left out."""
    fields = [field for field in instance._meta.concrete_fields if not field.primary_key]
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


def insert(instance, batch: Batch | None = None) -> None:
    """Insert a model instance with a database-generated key (the key is not read back): one statement
    without the ORM's compiling."""
    _run(_insert_sql(connection.vendor, type(instance)), _inserted_values(instance), batch)


@cache
def _raise_alerts_sql(vendor: str, alerts: int, classes: int) -> tuple[str, ...]:
    """The insert of ``alerts`` alerts (skipping those raised already) and the read of the ids of the
    classes' alerts of the day not yet e-mailed: one statement on PostgreSQL (``classes`` is 0: an array),
    two elsewhere."""
    columns = [_q(field.column) for field in Alert._meta.concrete_fields if not field.primary_key]
    row = f"({', '.join(['%s'] * len(columns))})"
    insert = (
        f"INSERT INTO {_table(Alert)} ({', '.join(columns)}) VALUES {', '.join([row] * alerts)} ON CONFLICT DO NOTHING"
    )
    class_column, date, emailed = _columns(Alert, ["school_class", "date", "emailed_at"])
    unemailed = (
        f"SELECT {_q('id')} FROM {_table(Alert)} "
        f"WHERE {class_column} {_one_of(vendor, classes)} AND {date} = %s AND {emailed} IS NULL"
    )
    if vendor == "postgresql":
        return (f"WITH new AS ({insert} RETURNING {_q('id')}) SELECT {_q('id')} FROM new UNION {unemailed}",)
    return insert, unemailed


def raise_alerts(alerts: list[Alert], class_ids: list[int], date: dt.date) -> list[int]:
    """Insert ``alerts`` unless raised already (``bulk_create(ignore_conflicts=True)``), then the ids of the
    alerts of the classes on ``date`` that are not e-mailed yet, new ones included."""
    params = [value for alert in alerts for value in _inserted_values(alert)]
    unemailed = [*_one_of_params(class_ids), _date(date)]
    sql = _raise_alerts_sql(connection.vendor, len(alerts), _one_of_count(class_ids))
    statements = [(sql[0], [*params, *unemailed])] if len(sql) == 1 else [(sql[0], params), (sql[1], unemailed)]
    with connection.cursor() as cursor:
        for sql, values in statements:
            cursor.execute(sql, values)
        return [row[0] for row in cursor.fetchall()]
