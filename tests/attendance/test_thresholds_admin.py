"""The department's administrators set the thresholds and the cut-off in the Wagtail admin; nobody else."""

import pytest
from django.urls import reverse

from cms.attendance.models import AttendanceSettings
from tests.conftest import sign_in
from tests.factories import make_user

URL = reverse("wagtailsettings:edit", args=["attendance", "attendancesettings"])


def edit_url(client) -> str:
    return client.get(URL)["Location"]  # the form of the one settings object


def test_a_don_administrator_changes_the_thresholds(world, client):
    sign_in(client, make_user("don_admin", username="don-admin"))
    data = {"edit_days": 3, "illness_share": 25, "streak_share": 12, "streak_days": 4, "school_absent_share": 30}
    response = client.post(edit_url(client), data)
    assert response.status_code == 302, response.content[:500]
    config = AttendanceSettings.load()
    assert (config.illness_share, config.streak_days, config.edit_days) == (25, 4, 3)


def test_an_out_of_range_threshold_is_refused(world, client):
    sign_in(client, make_user("don_admin", username="don-admin"))
    data = {"edit_days": 3, "illness_share": 120, "streak_share": 12, "streak_days": 1, "school_absent_share": 30}
    response = client.post(edit_url(client), data)
    assert response.status_code == 200
    assert AttendanceSettings.load().illness_share == 20


@pytest.mark.parametrize("actor", ["don", "own_ruo"])
def test_editors_and_district_offices_cannot(world, client_for, actor):
    response = client_for(actor).get(URL)
    assert response.status_code in (302, 403)
    assert AttendanceSettings.load().illness_share == 20
