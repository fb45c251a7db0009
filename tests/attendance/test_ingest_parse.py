"""The hand-written parser of an API submission takes what the serializer took and names the row and field
of each problem; the cheaper audit entry is the one Wagtail's ``log`` writes."""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from cms.attendance.api import SubmissionSerializer, parse_submission
from cms.attendance.models import SchoolDay
from cms.attendance.services import AttendanceRefused, ClassReport, submit_attendance


def post(user, data):
    token, _created = Token.objects.get_or_create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client.post("/api/attendance/", json.dumps(data), content_type="application/json")


VALID = [
    {"date": "2026-01-05", "classes": [{"class_name": " 5-А ", "enrolled": 28, "present": 28}]},
    {
        "date": "2026-01-05",
        "school": " 123 ",
        "classes": [
            {"class_name": "5-А", "enrolled": "28", "present": 26.0, "absent_illness": 2, "remote": None},
            {"class_name": "1-А", "enrolled": 20, "present": 20, "mode": "mixed", "remote": 3, "in_shelter": 0},
        ],
    },
]


@pytest.mark.parametrize("data", VALID)
def test_the_parser_takes_what_the_serializer_took(data):
    serializer = SubmissionSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    date, school, reports = parse_submission(data)
    assert date == serializer.validated_data["date"]
    assert school == serializer.validated_data.get("school")
    assert reports == [ClassReport(**row) for row in serializer.validated_data["classes"]]


INVALID = [
    ([], None, None),
    ({"date": "вчора", "classes": [{"class_name": "5-А", "enrolled": 1, "present": 1}]}, None, "date"),
    ({"date": "2026-01-05", "classes": []}, None, "classes"),
    (
        {"date": "2026-01-05", "school": None, "classes": [{"class_name": "5-А", "enrolled": 1, "present": 1}]},
        None,
        "school",
    ),
    ({"date": "2026-01-05", "classes": [{"class_name": "5-А", "enrolled": 1, "present": 1}] * 201}, None, "classes"),
    ({"date": "2026-01-05", "classes": ["5-А"]}, 0, None),
    ({"date": "2026-01-05", "classes": [{"class_name": "", "enrolled": 1, "present": 1}]}, 0, "class_name"),
    ({"date": "2026-01-05", "classes": [{"class_name": "x" * 21, "enrolled": 1, "present": 1}]}, 0, "class_name"),
    ({"date": "2026-01-05", "classes": [{"class_name": "5-А", "present": 1}]}, 0, "enrolled"),
    ({"date": "2026-01-05", "classes": [{"class_name": "5-А", "enrolled": "багато", "present": 1}]}, 0, "enrolled"),
    ({"date": "2026-01-05", "classes": [{"class_name": "5-А", "enrolled": 1.5, "present": 1}]}, 0, "enrolled"),
    ({"date": "2026-01-05", "classes": [{"class_name": "5-А", "enrolled": True, "present": 1}]}, 0, "enrolled"),
    ({"date": "2026-01-05", "classes": [{"class_name": "5-А", "enrolled": 1, "present": -1}]}, 0, "present"),
    (
        {"date": "2026-01-05", "classes": [{"class_name": "5-А", "enrolled": 1, "present": 1, "absent_valid": None}]},
        0,
        "absent_valid",
    ),
    ({"date": "2026-01-05", "classes": [{"class_name": "5-А", "enrolled": 1, "present": 1, "mode": "x"}]}, 0, "mode"),
]


@pytest.mark.parametrize(("data", "row", "field"), INVALID)
def test_the_parser_refuses_what_the_serializer_refused_naming_row_and_field(data, row, field):
    assert not SubmissionSerializer(data=data).is_valid()
    with pytest.raises(AttendanceRefused) as refused:
        parse_submission(data)
    assert (refused.value.problems[0].row, refused.value.problems[0].field) == (row, field)


def test_a_malformed_row_answers_a_400_with_every_problem(world, today):
    data = {
        "date": today.isoformat(),
        "classes": [
            {"class_name": "5-А", "enrolled": 28, "present": 28},
            {"class_name": "5-Б", "enrolled": "багато", "present": -1},
        ],
    }
    response = post(world.users["school_a"], data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert [(p["row"], p["field"]) for p in response.json()["detail"]] == [(1, "enrolled"), (1, "present")]
    assert all(p["message"] for p in response.json()["detail"])


def test_the_answer_totals_are_the_serializer_s(world, today):
    from cms.attendance.api import TotalsSerializer

    response = post(world.users["school_a"], {"date": today.isoformat(), "classes": [VALID[0]["classes"][0]]})
    assert response.status_code == 201, response.content
    day = SchoolDay.objects.select_related("school", "district").get(school=world.school_a, date=today)
    assert response.json()["totals"] == json.loads(json.dumps(TotalsSerializer(day).data))


def test_the_audit_entry_is_the_one_wagtail_writes(world, today):
    user = world.users["school_a"]
    submit_attendance(school=world.school_a, date=today, reports=[ClassReport("5-А", 28, 28)], user=user, source="form")
    ours = ModelLogEntry.objects.get(action="attendance.submit")
    day = SchoolDay.objects.get(school=world.school_a, date=today)
    theirs = log(instance=day, action="attendance.submit", user=user, data=ours.data)
    fields = ("content_type_id", "object_id", "label", "action", "data", "user_id", "uuid", "revision_id")
    assert {f: getattr(ours, f) for f in fields} == {f: getattr(theirs, f) for f in fields}
    assert (ours.content_changed, ours.deleted) == (theirs.content_changed, theirs.deleted)


def test_a_changed_row_is_updated_and_stamped(world, today):
    from cms.attendance.models import ClassDay

    user = world.users["school_a"]
    submit_attendance(school=world.school_a, date=today, reports=[ClassReport("5-А", 28, 28)], user=user, source="form")
    first = ClassDay.objects.get(school_class__name="5-А", school=world.school_a)
    again = submit_attendance(
        school=world.school_a,
        date=today,
        reports=[ClassReport("5-А", 28, 27, absent_valid=1), ClassReport("5-Б", 27, 27)],
        user=user,
        source="api",
    )
    assert (again.created, again.updated, again.unchanged) == (1, 1, 0)
    changed = ClassDay.objects.get(pk=first.pk)
    assert (changed.present, changed.absent_valid, changed.source) == (27, 1, "api")
    assert changed.updated_at > first.updated_at
    day = SchoolDay.objects.get(school=world.school_a, date=today)
    assert (day.classes_reported, day.present, day.absent_valid) == (2, 54, 1)


def test_an_error_inside_the_api_transaction_leaves_no_idempotency_record(world, today, monkeypatch):
    from cms.attendance import services
    from cms.attendance.models import ClassDay, IdempotentRequest

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_apply_to_district", broken)
    token, _created = Token.objects.get_or_create(user=world.users["school_a"])
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", raise_request_exception=False)
    body = {"date": today.isoformat(), "classes": [VALID[0]["classes"][0]]}
    response = client.post(
        "/api/attendance/", json.dumps(body), content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 500
    assert not IdempotentRequest.objects.exists() and not ClassDay.objects.exists()
