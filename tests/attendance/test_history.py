"""The history generator: derived totals add up, the model's rules hold, the calendar, the seed."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum

from cms.attendance import history
from cms.attendance.models import ClassDay, Counts, DistrictDay, SchoolClass, SchoolDay, Source
from cms.attendance.services import ClassReport, submit_attendance
from cms.org.demo import HISTORY_DAYS, load_demo_history
from tests.factories import SchoolFactory

UNTIL = dt.date(2026, 5, 29)  # a Friday, the end of a school year
SUMS = {n: Sum(n) for n in Counts.COUNT_FIELDS}


@pytest.fixture
def schools(world):
    """The world's schools plus one the department manages directly (no district)."""
    own = SchoolFactory(district=None, short_name="Спецшкола")
    SchoolClass.objects.create(school=own, name="7-А", grade=7, enrolled=24)
    return world


def one_year(seed=1):
    return history.generate(history.date_range(until=UNTIL, years=1), seed=seed)


def snapshot():
    return list(ClassDay.objects.order_by("school_class_id", "date").values_list("date", *Counts.COUNT_FIELDS, "mode"))


def test_school_days_are_the_sums_of_their_class_days(schools):
    result = one_year()
    assert result.class_days == ClassDay.objects.count() > 5 * 160
    assert result.school_days == SchoolDay.objects.count()
    totals = ClassDay.objects.values("school_id", "date").annotate(
        classes=Count("pk"), shelters=Count("pk", filter=Q(sheltered=True)), **SUMS
    )
    assert len(totals) == SchoolDay.objects.count()
    days = {(d.school_id, d.date): d for d in SchoolDay.objects.select_related("school")}
    for row in totals:
        day = days[row["school_id"], row["date"]]
        assert {n: getattr(day, n) for n in Counts.COUNT_FIELDS} == {n: row[n] for n in Counts.COUNT_FIELDS}
        assert day.classes_reported == row["classes"]
        assert day.sheltered == (row["shelters"] > 0)
        assert day.district_id == day.school.district_id


def test_district_days_are_the_sums_of_their_school_days(schools):
    one_year()
    totals = SchoolDay.objects.values("district_id", "date").annotate(schools=Count("pk"), **SUMS)
    days = {(d.district_id, d.date): d for d in DistrictDay.objects.all()}
    assert len(days) == len(totals) == DistrictDay.objects.count()
    assert {d for d, _date in days} == {schools.district.pk, schools.other_district.pk, None}
    for row in totals:
        day = days[row["district_id"], row["date"]]
        assert {n: getattr(day, n) for n in Counts.COUNT_FIELDS} == {n: row[n] for n in Counts.COUNT_FIELDS}
        assert day.schools_reported == row["schools"]


def test_school_days_only_writes_the_same_totals_without_class_rows(schools):
    one_year(seed=3)
    full = list(SchoolDay.objects.order_by("school_id", "date").values_list("school_id", "date", *SUMS))
    districts = list(DistrictDay.objects.order_by("district_id", "date").values_list("district_id", "date", *SUMS))
    ClassDay.objects.all().delete()
    SchoolDay.objects.all().delete()
    DistrictDay.objects.all().delete()
    result = history.generate(history.date_range(until=UNTIL, years=1), seed=3, school_days_only=True)
    assert result.class_days == 0 and not ClassDay.objects.exists()
    assert result.school_days == len(full)
    assert list(SchoolDay.objects.order_by("school_id", "date").values_list("school_id", "date", *SUMS)) == full
    assert (
        list(DistrictDay.objects.order_by("district_id", "date").values_list("district_id", "date", *SUMS)) == districts
    )


def test_rows_keep_the_rules_of_the_model(schools):
    one_year()
    rows = ClassDay.objects.all()
    assert not rows.exclude(present=F("enrolled") - F("absent_illness") - F("absent_valid") - F("absent_unexcused"))
    assert not rows.filter(remote__gt=F("present"))
    assert not rows.filter(in_shelter__gt=F("present"))
    assert not rows.filter(sheltered=False, in_shelter__gt=0)
    assert not rows.filter(mode="in_person", remote__gt=0)
    assert not rows.filter(mode="remote").exclude(remote=F("present"))
    assert not rows.exclude(source=Source.GENERATED)
    assert not rows.filter(submitted_by__isnull=False)


def test_weekends_and_holidays_have_no_rows(schools):
    one_year()
    dates = set(ClassDay.objects.values_list("date", flat=True))
    assert all(d.weekday() < 5 for d in dates)
    assert 165 <= len(dates) <= 180  # a Kyiv school year
    for holiday in (
        dt.date(2025, 6, 16),  # summer
        dt.date(2025, 10, 27),  # autumn holidays: the week from the last Monday of October
        dt.date(2025, 10, 31),
        dt.date(2025, 12, 29),  # winter
        dt.date(2026, 1, 9),
        dt.date(2026, 3, 30),  # spring: the week from the last Monday of March
        dt.date(2026, 4, 3),
    ):
        assert holiday not in dates
    for school_day in (dt.date(2025, 9, 1), dt.date(2025, 10, 24), dt.date(2026, 1, 12), dt.date(2026, 4, 6)):
        assert school_day in dates


def test_illness_is_seasonal(schools):
    one_year()

    def illness_share(month):
        t = ClassDay.objects.filter(date__month=month).aggregate(ill=Sum("absent_illness"), all=Sum("enrolled"))
        return t["ill"] / t["all"]

    assert illness_share(9) < 0.05
    assert illness_share(2) > 2 * illness_share(9)
    t = ClassDay.objects.aggregate(valid=Sum("absent_valid"), none=Sum("absent_unexcused"), all=Sum("enrolled"))
    assert 0.005 < t["valid"] / t["all"] < 0.035
    assert t["none"] / t["all"] < 0.01


def test_air_raid_days_have_shelter_counts(schools):
    days = history.date_range(until=UNTIL, years=1)
    history.generate(days, seed=3)
    calendar = history.city_calendar(days, 3)
    alert_days = [d for d, c in calendar.items() if c.alert and not c.remote]
    assert 0.08 * len(days) < len(alert_days) < 0.25 * len(days)
    sheltered = ClassDay.objects.filter(sheltered=True)
    assert set(sheltered.values_list("date", flat=True)) <= set(alert_days)
    for date in alert_days:
        on_day = sheltered.filter(date=date).aggregate(classes=Count("pk"), pupils=Sum("in_shelter"))
        assert on_day["classes"] > 0 and on_day["pupils"] > 0, date
    assert SchoolDay.objects.filter(date__in=alert_days, sheltered=True, in_shelter__gt=0).exists()


def test_the_same_seed_gives_the_same_rows_and_a_rerun_replaces_them(schools):
    first = one_year(seed=7)
    rows = snapshot()
    again = one_year(seed=7)
    assert snapshot() == rows
    assert again.deleted == first.class_days == ClassDay.objects.count()
    assert SchoolDay.objects.count() == first.school_days
    assert DistrictDay.objects.count() == first.district_days
    one_year(seed=8)
    assert snapshot() != rows
    assert ClassDay.objects.count() == first.class_days


def test_submitted_school_days_are_kept(schools):
    date = dt.date(2026, 5, 27)
    school = schools.school_a
    reports = [
        ClassReport("1-А", 25, 20, absent_illness=5),
        ClassReport("5-А", 28, 28),
        ClassReport("5-Б", 27, 27),
    ]
    submit_attendance(
        school=school, date=date, reports=reports, user=schools.users["school_a"], source="form", now=date
    )
    result = one_year()
    assert result.kept == 1
    day = SchoolDay.objects.get(school=school, date=date)
    assert (day.enrolled, day.present, day.absent_illness, day.classes_reported) == (80, 75, 5, 3)
    assert not ClassDay.objects.filter(school=school, date=date, source=Source.GENERATED).exists()
    district = DistrictDay.objects.get(district=school.district, date=date)
    others = SchoolDay.objects.filter(district=school.district, date=date).aggregate(**SUMS)
    assert district.present == others["present"]
    assert district.schools_reported == 2


def test_queries_do_not_grow_with_the_range(schools, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as short:
        history.generate(history.date_range(until=UNTIL, days=5))
    with django_assert_max_num_queries(len(short.captured_queries)):
        history.generate(history.date_range(until=UNTIL, years=1))


def test_command_generates_the_last_school_days(schools, capsys):
    call_command("generate_attendance", "--days", "3", "--until", "2026-05-31", "--seed", "5")
    assert sorted(set(ClassDay.objects.values_list("date", flat=True))) == [
        dt.date(2026, 5, 27),
        dt.date(2026, 5, 28),
        dt.date(2026, 5, 29),
    ]
    assert "class days/s" in capsys.readouterr().out
    call_command("generate_attendance", "--days", "3", "--until", "2026-05-31", "--schools", "1")
    assert ClassDay.objects.values("school_id").distinct().count() == 4  # one regenerated, the others kept


def test_demo_history_leaves_today_to_the_school(schools):
    today = dt.date(2026, 11, 30)  # a Monday
    load_demo_history(today)
    dates = sorted(set(ClassDay.objects.values_list("date", flat=True)))
    assert len(dates) == HISTORY_DAYS
    assert dates[-1] == dt.date(2026, 11, 27)
    rows = snapshot()
    again = load_demo_history(today)
    assert (again.skipped, again.class_days) == (HISTORY_DAYS, 0)
    assert snapshot() == rows
    assert SchoolDay.objects.filter(date=today).count() == 0
    tomorrow = load_demo_history(today + dt.timedelta(days=1))  # Monday's rows are now due
    assert (tomorrow.skipped, tomorrow.days) == (HISTORY_DAYS - 1, 1)
    assert set(ClassDay.objects.filter(date=today).values_list("school_id", flat=True)) == set(
        SchoolDay.objects.filter(date=today).values_list("school_id", flat=True)
    )
    assert DistrictDay.objects.filter(date=today).count() == 3


def test_missing_only_leaves_the_days_that_have_rows(schools):
    days = history.date_range(until=UNTIL, days=5)
    history.generate(days[:3], seed=1)
    rows = snapshot()
    result = history.generate(days, seed=2, missing_only=True)
    assert (result.skipped, result.days) == (3, 2)
    assert [r for r in snapshot() if r[0] in days[:3]] == rows
    assert DistrictDay.objects.filter(date__in=days).count() == 5 * 3
