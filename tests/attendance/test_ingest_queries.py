"""The submission path stays cheap: a bounded number of queries that does not grow with the classes of a
submission, no history read for alerts no class can raise, nothing read for a live event no one receives."""

import asyncio
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cms.attendance import live
from cms.attendance.models import Alert, ClassDay, DistrictDay, SchoolClass, SchoolDay
from cms.attendance.services import ClassReport, submit_attendance


@pytest.fixture(autouse=True)
def local_broker(settings):
    settings.LIVE_REDIS_URL = ""
    live.reset_broker()
    yield
    live.reset_broker()


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post_day(client, school, *, ill=0, key=None, date=None):
    rows = [
        {"class_name": c.name, "enrolled": c.enrolled, "present": c.enrolled - ill, "absent_illness": ill}
        for c in SchoolClass.objects.filter(school=school)
    ]
    body = {"date": (date or timezone.localdate()).isoformat(), "classes": rows}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/attendance/", json.dumps(body), content_type="application/json", **headers)


def test_queries_of_a_submission_do_not_grow_with_its_classes(world):
    school = world.school_b  # one class
    client = api_for(world.users["school_b"])
    post_day(client, school, key="warm-up", date=timezone.localdate() - dt.timedelta(days=2))  # content types
    with CaptureQueriesContext(connection) as one:
        assert post_day(client, school, key="one").status_code == 201
    SchoolClass.objects.bulk_create(
        SchoolClass(school=school, name=f"{g}-Б", grade=g, enrolled=25 + g) for g in range(2, 12)
    )
    with CaptureQueriesContext(connection) as eleven:
        response = post_day(client, school, key="eleven", date=timezone.localdate() - dt.timedelta(days=1))
    assert response.status_code == 201 and response.json()["created"] == 11
    assert len(eleven.captured_queries) == len(one.captured_queries) <= 30


def test_a_day_under_the_thresholds_reads_no_alert_history(world):
    client = api_for(world.users["school_a"])
    with CaptureQueriesContext(connection) as queries:
        assert post_day(client, world.school_a, ill=1).status_code == 201
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "attendance_alert" not in sql
    assert not Alert.objects.exists()


def test_a_class_over_the_threshold_still_raises_its_alert(world):
    date = timezone.localdate()
    reports = [ClassReport("1-А", 25, 19, absent_illness=6), ClassReport("5-А", 28, 27, absent_illness=1)]
    submission = submit_attendance(
        school=world.school_a, date=date, reports=reports, user=world.users["school_a"], source="form"
    )
    assert [(a.school_class.name, a.rule) for a in submission.alerts] == [("1-А", Alert.Rule.ILLNESS_SHARE)]


def test_a_streak_is_raised_when_today_crosses_only_the_streak_share(world):
    today = timezone.localdate()
    user = world.users["school_a"]
    for back in (2, 1, 0):  # 16 % each day: over the streak share (15), under the one-day share (20)
        date = today - dt.timedelta(days=back)
        reports = [ClassReport("1-А", 25, 21, absent_illness=4)]
        submission = submit_attendance(school=world.school_a, date=date, reports=reports, user=user, source="form")
    assert [(a.rule, a.days) for a in submission.alerts] == [(Alert.Rule.ILLNESS_STREAK, 3)]


def test_no_live_event_is_read_without_subscribers(world, django_capture_on_commit_callbacks):
    client = api_for(world.users["school_c"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert post_day(client, world.school_c).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert not queries.captured_queries


def test_a_live_subscriber_still_gets_the_event(world, django_capture_on_commit_callbacks):
    loop = asyncio.new_event_loop()
    broker = live.broker()
    try:
        subscription = loop.run_until_complete(broker.subscribe())
        with django_capture_on_commit_callbacks(execute=True):
            submit_attendance(
                school=world.school_c,
                date=timezone.localdate(),
                reports=[ClassReport("5-А", 26, 25, absent_valid=1)],
                user=world.users["school_c"],
                source="form",
            )
        (delivered,) = loop.run_until_complete(asyncio.wait_for(subscription.take(), timeout=5))
        event = delivered.data
    finally:
        loop.run_until_complete(broker.unsubscribe(subscription))
        loop.run_until_complete(broker.aclose())
        loop.close()
    assert event["school"]["id"] == world.school_c.pk and event["school"]["present"] == 25


def test_totals_stay_consistent_after_the_shortcuts(world):
    client = api_for(world.users["school_a"])
    assert post_day(client, world.school_a, ill=2).status_code == 201
    replay = post_day(client, world.school_a, ill=2, key="same")
    again = post_day(client, world.school_a, ill=2, key="same")
    assert replay.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    day = SchoolDay.objects.get(school=world.school_a, date=timezone.localdate())
    assert day.classes_reported == 3 and day.absent_illness == 6
    assert day.present == sum(ClassDay.objects.filter(school=world.school_a).values_list("present", flat=True))
    district = DistrictDay.objects.get(district=world.district, date=day.date)
    assert (district.present, district.schools_reported) == (day.present, 1)


# --- the hand-written statements (cms/attendance/writes.py) -------------------------------------------

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


def test_a_whole_day_is_a_fixed_handful_of_statements(world):
    """Token (with the school), key, settings with the classes; then the school day, class days, totals,
    district, audit (one statement on PostgreSQL), the key's answer — and no read of class days on the
    school's first submission of the day."""
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=world.users["school_a"])
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    rows = [{"class_name": c.name, "enrolled": c.enrolled, "present": c.enrolled} for c in world.school_a.classes.all()]

    def post(key, date):
        body = json.dumps({"date": date.isoformat(), "classes": rows})
        response = client.post("/api/attendance/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code in (200, 201)

    post("warm-up", timezone.localdate() - dt.timedelta(days=2))
    with CaptureQueriesContext(connection) as first:
        post("first", timezone.localdate())
    sql = [q["sql"] for q in first.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert not any(s.startswith("SELECT") and "attendance_classday" in s for s in sql)
    assert len(sql) == (6 if connection.vendor == "postgresql" else 9), "\n".join(s[:90] for s in sql)
    rows[0]["present"] -= 1
    rows[0]["absent_illness"] = 1
    with CaptureQueriesContext(connection) as again:
        post("again", timezone.localdate())
    assert any(q["sql"].startswith("SELECT") and "attendance_classday" in q["sql"] for q in again.captured_queries)


def test_schools_without_a_district_add_up_in_one_row(world):
    from tests.factories import SchoolFactory

    user = world.users["school_a"]
    date = timezone.localdate()
    for name in ("Ліцей-інтернат", "Спецшкола"):
        school = SchoolFactory(district=None, short_name=name)
        SchoolClass.objects.create(school=school, name="8-А", grade=8, enrolled=20)
        submit_attendance(
            school=school, date=date, reports=[ClassReport("8-А", 20, 18, absent_illness=2)], user=user, source="form"
        )
    (row,) = DistrictDay.objects.filter(district=None, date=date)
    assert (row.enrolled, row.present, row.absent_illness, row.schools_reported) == (40, 36, 4, 2)


def test_lower_numbers_on_a_resubmission_lower_every_total(world):
    user = world.users["school_a"]
    date = timezone.localdate()
    reports = [ClassReport("1-А", 25, 25), ClassReport("5-А", 28, 28)]
    submit_attendance(school=world.school_a, date=date, reports=reports, user=user, source="form")
    submit_attendance(school=world.school_b, date=date, reports=[ClassReport("1-А", 24, 24)], user=user, source="form")
    lowered = [ClassReport("1-А", 20, 10, absent_illness=10), ClassReport("5-А", 28, 28)]
    submission = submit_attendance(school=world.school_a, date=date, reports=lowered, user=user, source="api")
    assert (submission.created, submission.updated, submission.unchanged) == (0, 1, 1)
    day = SchoolDay.objects.get(school=world.school_a, date=date)
    assert (day.enrolled, day.present, day.absent_illness, day.classes_reported) == (48, 38, 10, 2)
    district = DistrictDay.objects.get(district=world.district, date=date)
    assert (district.enrolled, district.present, district.absent_illness) == (72, 62, 10)
    assert district.schools_reported == 2
    stored = ClassDay.objects.get(school_class__name="1-А", school=world.school_a, date=date)
    assert (stored.enrolled, stored.present, stored.source, stored.submitted_by) == (20, 10, "api", user)
    assert SchoolClass.objects.get(school=world.school_a, name="1-А").enrolled == 20


def test_an_unchanged_resubmission_writes_nothing(world):
    user = world.users["school_a"]
    date = timezone.localdate()
    reports = [ClassReport("1-А", 25, 24, absent_valid=1)]
    submit_attendance(school=world.school_a, date=date, reports=reports, user=user, source="form")
    with CaptureQueriesContext(connection) as queries:
        same = submit_attendance(school=world.school_a, date=date, reports=reports, user=user, source="form")
    assert (same.created, same.updated, same.unchanged) == (0, 0, 1)
    written = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(written) == 1 and "attendance_schoolday" in written[0]  # the lock only
