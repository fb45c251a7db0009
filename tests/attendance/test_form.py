"""The school's daily form: pre-filled, quick, errors shown per class, nothing lost."""

import datetime as dt

from cms.attendance.models import ClassDay
from cms.attendance.services import submit_attendance
from tests.attendance.conftest import report


def management(total: int) -> dict:
    return {"form-TOTAL_FORMS": total, "form-INITIAL_FORMS": total, "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 200}


def row(index, name, enrolled, present, ill=0, mode="in_person", **extra) -> dict:
    values = {
        "class_name": name,
        "enrolled": enrolled,
        "present": present,
        "absent_illness": ill,
        "absent_valid": 0,
        "absent_unexcused": 0,
        "mode": mode,
        **extra,
    }
    return {f"form-{index}-{k}": v for k, v in values.items()}


def test_the_form_is_prefilled_with_yesterdays_enrolment(world, client_for, today):
    yesterday = today - dt.timedelta(days=1)
    submit_attendance(
        school=world.school_a,
        date=yesterday,
        reports=[report("5-А", 30, 30)],
        user=world.users["school_a"],
        source="form",
    )
    response = client_for("school_a").get("/attendance/submit/")
    initial = {f.initial["class_name"]: f.initial for f in response.context["formset"].forms}
    assert list(initial) == ["1-А", "5-А", "5-Б"]
    assert initial["5-А"]["enrolled"] == initial["5-А"]["present"] == 30
    assert initial["1-А"]["enrolled"] == 25


def test_a_submitted_form_saves_and_redirects(world, client_for, today):
    data = {"date": today.isoformat(), **management(2), **row(0, "1-А", 25, 24, ill=1), **row(1, "5-А", 28, 28)}
    client = client_for("school_a")
    response = client.post("/attendance/submit/", data)
    assert response.status_code == 302
    assert ClassDay.objects.filter(school=world.school_a, date=today).count() == 2
    again = client.get(response["Location"])
    assert "Відвідуваність за" in again.content.decode() and "збережено" in again.content.decode()


def test_errors_are_shown_on_the_class_and_nothing_is_saved(world, client_for, today):
    data = {"date": today.isoformat(), **management(2), **row(0, "1-А", 25, 24, ill=1), **row(1, "5-А", 28, 20)}
    response = client_for("school_a").post("/attendance/submit/", data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert not forms[0].errors and "present" in forms[1].errors
    assert "Нічого не збережено" in response.content.decode()
    assert not ClassDay.objects.exists()


def test_the_day_picker_shows_the_day_in_the_date_inputs_iso_format(world, client_for, today):
    response = client_for("school_a").get(f"/attendance/submit/?date={today.isoformat()}")
    assert f'type="date" name="date" value="{today.isoformat()}"' in response.content.decode()


def test_a_past_day_beyond_the_cut_off_says_so(world, client_for, today):
    old = today - dt.timedelta(days=30)
    response = client_for("school_a").get(f"/attendance/submit/?date={old.isoformat()}")
    assert "уже не можна змінити" in response.content.decode()


def test_a_posted_class_of_another_school_is_refused(world, client_for, today):
    data = {"date": today.isoformat(), **management(1), **row(0, "1-А", 25, 25)}
    response = client_for("school_c").post("/attendance/submit/", data)
    assert response.status_code == 200 and "Невідомий клас" in response.content.decode()
    assert not ClassDay.objects.exists()


def test_a_new_api_key_is_shown_once_and_replaces_the_old(world, client_for):
    client = client_for("school_a")
    first = client.post("/attendance/api-key/new/").context["new_key"]
    second = client.post("/attendance/api-key/new/").context["new_key"]
    assert first and second and first != second
    page = client.get("/attendance/api-key/").content.decode()
    assert second not in page and "Ключ видано" in page
