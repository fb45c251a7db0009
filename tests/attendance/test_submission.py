"""The one submission service: checks, upserts, derived totals, cut-off, audit log."""

import datetime as dt

import pytest
from wagtail.models import ModelLogEntry

from cms.attendance.models import AttendanceSettings, ClassDay, DistrictDay, SchoolDay
from cms.attendance.services import AttendanceRefused, submit_attendance
from tests.attendance.conftest import report


def submit(world, school, date, reports, actor="school_a"):
    return submit_attendance(school=school, date=date, reports=reports, user=world.users[actor], source="form")


def test_a_day_is_saved_with_school_and_district_totals(world, today):
    submission = submit(
        world, world.school_a, today, [report("5-А", 28, 24, ill=3, valid=1), report("5-Б", 27, 27, mode="remote")]
    )
    assert (submission.created, submission.updated) == (2, 0)
    day = SchoolDay.objects.get(school=world.school_a, date=today)
    assert (day.enrolled, day.present, day.absent_illness, day.absent_valid, day.remote) == (55, 51, 3, 1, 27)
    assert day.classes_reported == 2
    district = DistrictDay.objects.get(district=world.district, date=today)
    assert (district.enrolled, district.present, district.schools_reported) == (55, 51, 1)


def test_resubmitting_updates_rows_and_totals_without_duplicates(world, today):
    submit(world, world.school_a, today, [report("5-А", 28, 24, ill=4)])
    second = submit(world, world.school_a, today, [report("5-А", 28, 26, ill=2)])
    assert (second.created, second.updated) == (0, 1)
    assert ClassDay.objects.filter(school=world.school_a, date=today).count() == 1
    district = DistrictDay.objects.get(district=world.district, date=today)
    assert (district.present, district.absent_illness, district.schools_reported) == (26, 2, 1)
    unchanged = submit(world, world.school_a, today, [report("5-А", 28, 26, ill=2)])
    assert (unchanged.created, unchanged.updated, unchanged.unchanged) == (0, 0, 1)


def test_two_schools_of_a_district_add_up(world, today):
    submit(world, world.school_a, today, [report("1-А", 25, 20, ill=5)])
    submit(world, world.school_b, today, [report("1-А", 30, 29, unexcused=1)], actor="school_b")
    submit(world, world.school_c, today, [report("5-А", 26, 26)], actor="school_c")
    district = DistrictDay.objects.get(district=world.district, date=today)
    assert (district.enrolled, district.present, district.absent_unexcused, district.schools_reported) == (55, 49, 1, 2)
    other = DistrictDay.objects.get(district=world.other_district, date=today)
    assert (other.enrolled, other.schools_reported) == (26, 1)


def test_district_totals_equal_the_sum_of_class_days_after_many_changes(world, today):
    for present in (20, 25, 22):
        submit(world, world.school_a, today, [report("1-А", 25, present, ill=25 - present), report("5-А", 28, 28)])
    submit(world, world.school_b, today, [report("1-А", 30, 30)], actor="school_b")
    district = DistrictDay.objects.get(district=world.district, date=today)
    rows = ClassDay.objects.filter(school__district=world.district, date=today)
    assert district.present == sum(r.present for r in rows)
    assert district.absent_illness == sum(r.absent_illness for r in rows)
    assert district.enrolled == sum(r.enrolled for r in rows)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (report("5-А", 28, 20, ill=3), "present", "мають дорівнювати кількості за списком (28)"),
        (report("5-А", 28, -1, ill=29), "present", "не може бути від’ємним"),
        (report("9-Я", 28, 28), "class", "Невідомий клас «9-Я»"),
        (report("5-А", 28, 28, mode="mixed"), "remote", "змішаного класу"),
        (report("5-А", 28, 20, ill=8, in_shelter=21), "in_shelter", "В укритті більше учнів"),
        (report("5-А", 28, 20, ill=8, mode="online"), "mode", "Невідома форма навчання"),
    ],
)
def test_bad_rows_are_refused_with_a_reason_and_nothing_is_saved(world, today, row, field, message):
    with pytest.raises(AttendanceRefused) as refused:
        submit(world, world.school_a, today, [report("1-А", 25, 25), row])
    problems = refused.value.problems
    assert any(p.row == 1 and p.field == field and message in p.message for p in problems), problems
    assert not ClassDay.objects.filter(school=world.school_a).exists()
    assert not SchoolDay.objects.filter(school=world.school_a).exists()


def test_future_days_and_days_past_the_cut_off_are_refused(world, today):
    with pytest.raises(AttendanceRefused, match="майбутню дату"):
        submit(world, world.school_a, today + dt.timedelta(days=1), [report("1-А", 25, 25)])
    config = AttendanceSettings.load()
    config.edit_days = 2
    config.save()
    submit(world, world.school_a, today - dt.timedelta(days=2), [report("1-А", 25, 25)])
    with pytest.raises(AttendanceRefused, match="уже не можна змінити"):
        submit(world, world.school_a, today - dt.timedelta(days=3), [report("1-А", 25, 25)])


def test_a_class_given_twice_is_refused(world, today):
    with pytest.raises(AttendanceRefused, match="указано двічі"):
        submit(world, world.school_a, today, [report("1-А", 25, 25), report("1-А", 25, 24, ill=1)])


def test_another_schools_class_is_unknown(world, today):
    """School B has a class 1-А too, but school A's submission only knows school A's classes."""
    with pytest.raises(AttendanceRefused, match="Невідомий клас"):
        submit(world, world.school_b, today, [report("5-А", 28, 28)], actor="school_b")


def test_every_change_is_in_the_audit_log_and_a_repeat_is_not(world, today):
    submit(world, world.school_a, today, [report("1-А", 25, 25)])
    submit(world, world.school_a, today, [report("1-А", 25, 24, ill=1)])
    submit(world, world.school_a, today, [report("1-А", 25, 24, ill=1)])
    entries = ModelLogEntry.objects.filter(action="attendance.submit").order_by("timestamp")
    assert [(e.data["created"], e.data["updated"]) for e in entries] == [(1, 0), (0, 1)]
    assert {e.user_id for e in entries} == {world.users["school_a"].pk}


def test_todays_enrolment_becomes_the_class_enrolment(world, today):
    submit(world, world.school_a, today, [report("1-А", 26, 26)])
    assert world.school_a.classes.get(name="1-А").enrolled == 26
