"""What a submission costs beyond its own writes: the database's work per statement (prepared statements on
PostgreSQL), the reads before the writes, and nothing seen stale for it."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cms.api.authentication import read_token
from cms.attendance.models import Alert, AttendanceSettings, SchoolClass
from cms.attendance.services import settings_and_classes
from cms.org.models import School
from cms.org.scope import own_school, scope_of, visible

ROOT = Path(__file__).resolve().parent.parent.parent


def _database_options(**env) -> dict:
    code = "from django.conf import settings; print(repr(settings.DATABASES['default'].get('OPTIONS', {})))"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    environ.update({"DJANGO_SETTINGS_MODULE": "cms.settings.dev", **env})
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return eval(result.stdout)  # noqa: S307 - the repr of a settings dict printed just above


POSTGRES = "postgres://ecab@127.0.0.1:5432/ecab"


@pytest.mark.parametrize(
    ("env", "threshold"),
    [({}, 5), ({"DATABASE_SERVER_SIDE_BINDING": "false"}, None)],
    ids=["server-side binding", "client-side binding"],
)
def test_postgresql_prepares_repeated_statements_when_it_binds_them(env, threshold):
    """Django passes ``prepare_threshold=None`` (no prepared statement at all) unless OPTIONS names one."""
    options = _database_options(DATABASE_URL=POSTGRES, **env)
    assert options["server_side_binding"] is (threshold is not None)
    assert options["prepare_threshold"] == threshold


def test_sqlite_gets_no_postgresql_options():
    options = _database_options(DATABASE_URL="sqlite:///" + str(ROOT / "var" / "options-check.sqlite3"))
    assert "prepare_threshold" not in options and "server_side_binding" not in options


# --- the school of a submission, read with the token --------------------------------------------------


@pytest.mark.parametrize("actor", ["school_a", "school_b", "school_c", "own_ruo", "other_ruo", "don", "site_admin"])
def test_own_school_is_the_one_school_the_scope_shows_a_school_account(world, actor):
    user = world.users[actor]
    schools = list(visible(user, School))
    expected = schools[0] if scope_of(user).is_school else None
    assert own_school(user) == expected
    if expected is not None:
        assert schools == [expected]


def test_a_school_role_without_a_school_has_no_own_school(world):
    user = world.users["school_a"]
    user.school = None
    user._ecab_scope = None
    assert own_school(user) is None


# --- settings and classes: one read, never stale ------------------------------------------------------


def token_client(user) -> APIClient:
    token, _created = Token.objects.get_or_create(user=user)
    return APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")


def post_day(client, rows, date, key=None):
    body = json.dumps({"date": date.isoformat(), "classes": rows})
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/attendance/", body, content_type="application/json", **headers)


def row(name, enrolled, ill=0):
    return {"class_name": name, "enrolled": enrolled, "present": enrolled - ill, "absent_illness": ill}


def test_settings_and_classes_are_what_the_orm_reads(world):
    SchoolClass.objects.create(school=world.school_a, name="11-В", grade=11, enrolled=19, is_active=False)
    SchoolClass.objects.create(school=world.school_a, name="2-А", grade=2, enrolled=31)
    config, classes = settings_and_classes(world.school_a)
    loaded = AttendanceSettings.load()
    assert [(f.attname, getattr(config, f.attname)) for f in AttendanceSettings._meta.concrete_fields] == [
        (f.attname, getattr(loaded, f.attname)) for f in AttendanceSettings._meta.concrete_fields
    ]
    active = SchoolClass.objects.filter(school=world.school_a, is_active=True)  # ordered by grade, name
    assert [(c.pk, c.name, c.enrolled) for c in classes.values()] == [(c.pk, c.name, c.enrolled) for c in active]
    assert list(classes) == ["1-А", "2-А", "5-А", "5-Б"]


def test_a_school_without_active_classes_still_gets_the_settings(world):
    SchoolClass.objects.filter(school=world.school_b).update(is_active=False)
    config, classes = settings_and_classes(world.school_b)
    assert classes == {} and config.pk == AttendanceSettings.load().pk


def test_without_a_settings_row_a_submission_creates_it_with_its_defaults(world, today):
    AttendanceSettings.objects.all().delete()
    response = post_day(token_client(world.users["school_b"]), [row("1-А", 30)], today)
    assert response.status_code == 201, response.content
    assert AttendanceSettings.objects.get().edit_days == 2


def test_a_changed_cut_off_is_seen_by_the_next_submission(world, today):
    client = token_client(world.users["school_a"])
    week_ago = today - dt.timedelta(days=7)
    assert post_day(client, [row("1-А", 25)], week_ago).status_code == 400  # 2 days by default
    AttendanceSettings.objects.update(edit_days=7)  # elsewhere: another process, the admin
    assert post_day(client, [row("1-А", 25)], week_ago).status_code == 201
    AttendanceSettings.objects.update(edit_days=3)
    refused = post_day(client, [row("1-А", 25)], week_ago)
    assert refused.status_code == 400 and refused.json()["detail"][0]["field"] == "date"


def test_a_changed_threshold_is_seen_by_the_next_submission(world, today):
    client = token_client(world.users["school_a"])
    assert post_day(client, [row("1-А", 25, ill=3)], today - dt.timedelta(days=1)).json()["alerts"] == 0  # 12 %
    AttendanceSettings.objects.update(illness_share=10)
    assert post_day(client, [row("1-А", 25, ill=3)], today).json()["alerts"] == 1
    assert Alert.objects.get().rule == Alert.Rule.ILLNESS_SHARE


def test_classes_changed_elsewhere_are_seen_by_the_next_submission(world, today):
    client = token_client(world.users["school_a"])
    assert post_day(client, [row("5-А", 28)], today).status_code == 201
    SchoolClass.objects.filter(school=world.school_a, name="5-А").update(name="6-А", grade=6)
    refused = post_day(client, [row("5-А", 28)], today)
    assert refused.status_code == 400 and refused.json()["detail"][0]["field"] == "class"
    assert post_day(client, [row("6-А", 28)], today).status_code == 200  # the same class, renamed
    SchoolClass.objects.filter(school=world.school_a, name="5-Б").update(is_active=False)
    assert post_day(client, [row("5-Б", 27)], today).status_code == 400
    SchoolClass.objects.create(school=world.school_a, name="7-А", grade=7, enrolled=20)
    assert post_day(client, [row("7-А", 20)], today).status_code == 201


def test_an_enrolment_changed_elsewhere_is_compared_afresh(world, today):
    """The latest reported enrolment is kept: the class's stored one is read with each submission."""
    client = token_client(world.users["school_a"])
    assert post_day(client, [row("1-А", 26)], today).status_code == 201
    assert SchoolClass.objects.get(school=world.school_a, name="1-А").enrolled == 26
    SchoolClass.objects.filter(school=world.school_a, name="1-А").update(enrolled=30)  # another process
    corrected = post_day(client, [row("1-А", 26, ill=1)], today)
    assert corrected.status_code == 200 and corrected.json()["updated"] == 1
    assert SchoolClass.objects.get(school=world.school_a, name="1-А").enrolled == 26


# --- alert evaluation: one read of the history and of the alerts raised ------------------------------


def test_alert_history_and_raised_alerts_are_one_read(world, today):
    """Three days over the streak share: the streak is raised once; re-evaluated, the read of the class days
    with the alerts raised on them finds both alerts and raises nothing again."""
    from cms.attendance.alerts import evaluate
    from cms.attendance.models import SchoolDay
    from tests.attendance.helpers import report, submit

    for back in (2, 1, 0):
        date = today - dt.timedelta(days=back)
        submit(world, "school_a", world.school_a, [report("1-А", 25, ill=6), report("5-А", 28)], date)
    raised = set(Alert.objects.values_list("rule", "days"))
    assert raised == {(Alert.Rule.ILLNESS_SHARE, 1), (Alert.Rule.ILLNESS_STREAK, 3)}
    flagged = list(SchoolClass.objects.filter(school=world.school_a, name__in=["1-А", "5-А"]))
    day = SchoolDay.objects.get(school=world.school_a, date=today)
    config = AttendanceSettings.load()
    with CaptureQueriesContext(connection) as queries:
        assert evaluate(day, flagged, config) == []
    (read,) = [q["sql"] for q in queries.captured_queries]
    assert "attendance_classday" in read and "attendance_alert" in read


# --- the token read, written out ------------------------------------------------------------------------


def _values(instance) -> dict | None:
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


@pytest.mark.parametrize("actor", ["school_a", "school_c", "own_ruo", "don", "site_admin"])
def test_the_token_read_is_the_orm_s(world, actor, django_assert_num_queries):
    token, _created = Token.objects.get_or_create(user=world.users[actor])
    theirs = Token.objects.select_related("user__school__district").get(key=token.key)
    with django_assert_num_queries(1):
        ours = read_token(token.key)
    with django_assert_num_queries(0):  # every related object cached, None included
        school = ours.user.school
        assert ours.user.auth_token is ours
        district = school.district if school is not None else None
    assert _values(ours) == _values(theirs) and _values(ours.user) == _values(theirs.user)
    assert _values(school) == _values(theirs.user.school)
    assert _values(district) == _values(theirs.user.school.district if theirs.user.school else None)
    assert ours.created.tzinfo is not None and ours.user.date_joined.tzinfo is not None
    assert isinstance(ours.user.is_active, bool) and ours.user.school_id == world.users[actor].school_id


def test_the_token_read_of_a_school_without_a_district(world, django_assert_num_queries):
    from tests.factories import SchoolFactory

    user = world.users["school_b"]
    user.school = SchoolFactory(district=None, short_name="Спецшкола")
    user.save()
    token, _created = Token.objects.get_or_create(user=user)
    ours = read_token(token.key)
    with django_assert_num_queries(0):
        assert ours.user.school.short_name == "Спецшкола" and ours.user.school.district is None


def test_an_unknown_token_reads_none(world):
    assert read_token("0" * 40) is None


# --- arrays bound as text --------------------------------------------------------------------------------


def test_array_literals_quote_what_needs_it():
    from cms.attendance.writes import _array

    assert _array([3, 0, -2]) == "{3,0,-2}"
    assert _array([True, False]) == "{t,f}"
    assert _array(["in_person", None]) == '{"in_person",NULL}'
    assert _array(['a"b', "c\\d", "{e,f}"]) == '{"a\\"b","c\\\\d","{e,f}"}'


def test_class_days_written_with_array_literals_read_back_the_same(world, today):
    """On PostgreSQL the class days go in as one array literal per column (``writes._array``); on SQLite as
    a row of parameters each: the same rows either way, awkward text included."""
    from django.utils import timezone

    from cms.attendance.models import ClassDay
    from cms.attendance.writes import CLASS_FIELDS, save_class_days

    classes = list(SchoolClass.objects.filter(school=world.school_a).order_by("pk"))
    modes = ['a"b', "c\\d", "{e,f}"]
    rows = {}
    for index, (school_class, mode) in enumerate(zip(classes, modes, strict=True)):
        counts = [20 + index, 18 + index, 1, 1, 0, index, 0]
        rows[school_class.pk] = dict(zip(CLASS_FIELDS, [*counts, index % 2 == 0, mode], strict=True))
    save_class_days(world.school_a.pk, today, rows, source="api", user_id=None, now=timezone.now())
    stored = {day.school_class_id: day for day in ClassDay.objects.filter(school=world.school_a, date=today)}
    assert {pk: {name: getattr(stored[pk], name) for name in CLASS_FIELDS} for pk in rows} == rows


# --- the writes after the lock, sent together -------------------------------------------------------------


def test_the_writes_of_a_day_are_one_statement_on_postgresql(world, today):
    """Class days, the school's and the district's totals and the audit entry: one statement with a
    data-modifying WITH for each but the last on PostgreSQL, four statements in that order elsewhere."""
    from wagtail.models import ModelLogEntry

    from cms.attendance.models import ClassDay, DistrictDay, SchoolDay
    from cms.attendance.services import ClassReport, submit_attendance

    reports = [ClassReport("1-А", 25, 23, absent_illness=2), ClassReport("5-А", 28, 28)]
    AttendanceSettings.load()  # saved already, as on any running site
    with CaptureQueriesContext(connection) as queries:
        submit_attendance(school=world.school_a, date=today, reports=reports, user=None, source="form")
    tables = ("attendance_classday", "attendance_schoolday", "attendance_districtday", "wagtailcore_modellogentry")
    # After the school day's lock (the first write):
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "WITH"))][1:]
    if connection.vendor == "postgresql":
        (statement,) = writes
        assert statement.startswith("WITH") and all(f'"{table}"' in statement for table in tables)
    else:
        assert [next(t for t in tables if f'"{t}"' in sql) for sql in writes] == list(tables)
    day = SchoolDay.objects.get(school=world.school_a, date=today)
    assert (day.enrolled, day.present, day.absent_illness, day.classes_reported) == (53, 51, 2, 2)
    assert ClassDay.objects.filter(school=world.school_a, date=today).count() == 2
    district = DistrictDay.objects.get(district=world.district, date=today)
    assert (district.present, district.absent_illness, district.schools_reported) == (51, 2, 1)
    assert ModelLogEntry.objects.filter(action="attendance.submit", object_id=str(day.pk)).count() == 1


def test_raising_alerts_skips_those_raised_and_names_every_one_not_mailed(world, today):
    """``bulk_create(ignore_conflicts=True)`` and the read of the day's alerts not e-mailed yet, as before."""
    from django.utils import timezone

    from cms.attendance.writes import raise_alerts

    first, fifth = SchoolClass.objects.filter(school=world.school_a, name__in=["1-А", "5-А"]).order_by("name")

    def alert(school_class, rule, **extra):
        return Alert(
            school=world.school_a, district=world.district, school_class=school_class, date=today, rule=rule,
            share="24.0", days=1, **extra,
        )  # fmt: skip

    waiting = alert(first, Alert.Rule.ILLNESS_SHARE)
    waiting.save()
    alert(fifth, Alert.Rule.ILLNESS_STREAK, emailed_at=timezone.now()).save()
    ids = raise_alerts(
        [alert(first, Alert.Rule.ILLNESS_SHARE), alert(fifth, Alert.Rule.ILLNESS_SHARE)], [first.pk, fifth.pk], today
    )
    new = Alert.objects.get(school_class=fifth, rule=Alert.Rule.ILLNESS_SHARE)
    assert sorted(ids) == sorted([waiting.pk, new.pk])
    assert Alert.objects.count() == 3 and new.created_at is not None and new.emailed_at is None


def test_range_reads_are_planned_each_time_and_the_rest_prepared(world, today):
    """PostgreSQL keeps a prepared statement's plan; the reads of a range of class days are planned for the
    table as it is (``writes._planned_each_time``), every other repeated statement is prepared once."""
    from cms.attendance.writes import alert_history, class_days

    token, _created = Token.objects.get_or_create(user=world.users["school_a"])
    class_ids = list(SchoolClass.objects.filter(school=world.school_a).values_list("pk", flat=True))
    for _ in range(8):
        alert_history(class_ids, today - dt.timedelta(days=45), today)
        class_days(world.school_a.pk, today)
        read_token(token.key)
    if connection.vendor == "postgresql":
        assert connection.connection.prepare_threshold == 5  # restored after each range read
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any('"authtoken_token"' in sql for sql in prepared)
        assert not any('"attendance_classday"' in sql for sql in prepared)
    else:  # SQLite prepares nothing across statements: nothing to turn off
        assert not hasattr(connection.connection, "prepare_threshold")


@pytest.mark.parametrize("mode", [["remote"], {"remote": 1}, 3, None, "Remote"])
def test_an_unknown_learning_mode_of_any_json_type_is_a_400(world, today, mode):
    rows = [{**row("5-А", 28), "mode": mode}]
    response = post_day(token_client(world.users["school_a"]), rows, today)
    assert response.status_code == 400
    assert response.json()["detail"] == [{"row": 0, "field": "mode", "message": "Невідома форма навчання."}]
