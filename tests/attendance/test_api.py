"""POST /api/attendance/ for e-journals: token of a school account, JSON errors, idempotency."""

import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from cms.attendance.models import ClassDay, IdempotentRequest


def token_client(user) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def body(today, **overrides):
    data = {
        "date": today.isoformat(),
        "classes": [
            {"class_name": "5-А", "enrolled": 28, "present": 25, "absent_illness": 2, "absent_valid": 1},
            {"class_name": "5-Б", "enrolled": 27, "present": 27, "mode": "mixed", "remote": 5},
        ],
    }
    data.update(overrides)
    return data


def post(client, data, **headers):
    return client.post("/api/attendance/", json.dumps(data), content_type="application/json", headers=headers)


def test_a_school_token_submits_its_day(world, today):
    response = post(token_client(world.users["school_a"]), body(today))
    assert response.status_code == 201, response.content
    result = response.json()
    assert (result["school"], result["created"], result["updated"]) == (world.school_a.edebo_code, 2, 0)
    assert result["totals"]["present"] == 52 and result["totals"]["remote"] == 5
    again = post(token_client(world.users["school_a"]), body(today))
    assert again.status_code == 200 and again.json()["unchanged"] == 2
    assert ClassDay.objects.filter(school=world.school_a, date=today).count() == 2


def test_invalid_numbers_answer_a_json_400_naming_the_row_and_nothing_is_saved(world, today):
    data = body(today)
    data["classes"][1]["present"] = 30
    response = post(token_client(world.users["school_a"]), data)
    assert response.status_code == 400
    problems = response.json()["detail"]
    assert response.json()["error"] == "invalid"
    assert {"row": 1, "field": "present"}.items() <= problems[0].items()
    assert "мають дорівнювати" in problems[0]["message"]
    assert not ClassDay.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date": "вчора", "classes": []},
        {"classes": [{"class_name": "5-А", "enrolled": 1, "present": 1}]},
        {"date": "2026-01-01", "classes": [{"class_name": "5-А", "enrolled": "багато", "present": 1}]},
        {"date": "2026-01-01", "classes": [{"class_name": "5-А", "enrolled": -1, "present": 1}]},
    ],
)
def test_malformed_bodies_answer_json_400(world, data):
    response = post(token_client(world.users["school_a"]), data)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_a_school_token_cannot_write_another_school(world, today):
    response = post(token_client(world.users["school_b"]), body(today, school=world.school_a.edebo_code))
    assert response.status_code == 404
    assert not ClassDay.objects.exists()


@pytest.mark.parametrize("actor", ["own_ruo", "don", "site_admin"])
def test_only_school_accounts_submit(world, today, actor):
    response = post(token_client(world.users[actor]), body(today))
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"


def test_an_invalid_token_is_401(world, today):
    client = Client(HTTP_AUTHORIZATION="Token 0000")
    assert post(client, body(today)).status_code == 401


def test_a_token_says_why_it_is_refused_and_asks_for_a_token(world, today):
    response = post(Client(HTTP_AUTHORIZATION="Token 0000", HTTP_ACCEPT_LANGUAGE="uk"), body(today))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Token"
    assert "Недійсний токен" in response.content.decode()
    user = world.users["school_a"]
    client = token_client(user)
    user.is_active = False
    user.save()
    response = post(client, body(today))
    assert response.status_code == 401 and "неактивний" in response.content.decode()
    assert not ClassDay.objects.exists()


def test_the_token_brings_the_scope_without_another_query(world, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(world.users["school_a"])
    with CaptureQueriesContext(connection) as queries:
        assert post(client, body(today)).status_code == 201
    token_reads = [q["sql"] for q in queries.captured_queries if '"authtoken_token"' in q["sql"]]
    assert len(token_reads) == 1 and '"org_school"' in token_reads[0] and '"org_district"' in token_reads[0]
    # The school written is the scope module's own school of the account, read with the token.
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "org_school"')]


def test_an_idempotency_key_replays_the_first_response(world, today):
    client = token_client(world.users["school_a"])
    first = post(client, body(today), **{"Idempotency-Key": "journal-2026-0001"})
    replay = post(client, body(today), **{"Idempotency-Key": "journal-2026-0001"})
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert IdempotentRequest.objects.count() == 1


def test_a_reused_idempotency_key_with_another_body_is_refused(world, today):
    client = token_client(world.users["school_a"])
    post(client, body(today), **{"Idempotency-Key": "k-1"})
    data = body(today)
    data["classes"][0]["present"], data["classes"][0]["absent_illness"] = 26, 1
    response = post(client, data, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert ClassDay.objects.get(school_class__name="5-А").present == 25


def test_keys_are_per_account(world, today):
    post(token_client(world.users["school_a"]), body(today), **{"Idempotency-Key": "same"})
    other = post(
        token_client(world.users["school_c"]),
        {"date": today.isoformat(), "classes": [{"class_name": "5-А", "enrolled": 26, "present": 26}]},
        **{"Idempotency-Key": "same"},
    )
    assert other.status_code == 201 and other.json()["school"] == world.school_c.edebo_code


def test_the_schema_describes_the_endpoint(world):
    client = token_client(world.users["school_a"])
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).content.decode()
    assert "/api/attendance/" in schema and "Idempotency-Key" in schema and "class_name" in schema


def test_daily_totals_are_read_within_scope(world, client_for, today):
    post(token_client(world.users["school_a"]), body(today))
    post(
        token_client(world.users["school_c"]),
        {"date": today.isoformat(), "classes": [{"class_name": "5-А", "enrolled": 26, "present": 26}]},
    )
    seen = {
        actor: {r["school"] for r in client_for(actor).get("/api/attendance/days/").json()["results"]}
        for actor in ("school_a", "school_b", "own_ruo", "other_ruo", "don")
    }
    a, c = world.school_a.edebo_code, world.school_c.edebo_code
    assert seen == {"school_a": {a}, "school_b": set(), "own_ruo": {a}, "other_ruo": {c}, "don": {a, c}}
    bad = client_for("don").get("/api/attendance/days/?date=вчора")
    assert bad.status_code == 400 and "date" in bad.json()["detail"]
