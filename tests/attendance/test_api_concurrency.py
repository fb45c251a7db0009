"""Concurrent identical submissions: one row per class and day, whatever arrives at once."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cms.accounts.models import User
from cms.accounts.roles import Role
from cms.attendance.models import ClassDay, DistrictDay, IdempotentRequest, SchoolClass, SchoolDay
from tests.factories import DistrictFactory, SchoolFactory

CLIENTS = 50


def _post_all(token: str, payload: str, key: str | None) -> list[int]:
    statuses, barrier = [], threading.Barrier(CLIENTS)

    def worker():
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        headers = {"Idempotency-Key": key} if key else {}
        barrier.wait()
        try:
            response = client.post("/api/attendance/", payload, content_type="application/json", headers=headers)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("key", [None, "journal-batch-7"], ids=["no-key", "same-key"])
def test_fifty_concurrent_identical_posts_make_one_row(key):
    school = SchoolFactory(district=DistrictFactory())
    SchoolClass.objects.create(school=school, name="7-В", grade=7, enrolled=30)
    # Role groups are not needed here (a transactional test starts from an empty database).
    user = User.objects.create(username="dir-concurrent", role=Role.SCHOOL_DIRECTOR, school=school)
    token = Token.objects.create(user=user).key
    payload = json.dumps(
        {
            "date": timezone.localdate().isoformat(),
            "classes": [{"class_name": "7-В", "enrolled": 30, "present": 27, "absent_illness": 3}],
        }
    )
    statuses = _post_all(token, payload, key)
    assert len(statuses) == CLIENTS and set(statuses) <= {200, 201}, statuses
    assert ClassDay.objects.count() == 1
    assert SchoolDay.objects.get().present == 27
    district_day = DistrictDay.objects.get()
    assert (district_day.present, district_day.schools_reported) == (27, 1)
    if key:
        assert statuses.count(201) == CLIENTS  # every repeat replays the first answer
        assert IdempotentRequest.objects.count() == 1
    else:
        assert statuses.count(201) == 1
