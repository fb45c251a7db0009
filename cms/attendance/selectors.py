"""Reads of the attendance dashboards and their exports, every queryset through the scope module.

The city and a district are read from the derived daily totals (``DistrictDay``, ``SchoolDay``), never from
class rows, and each read is one query whatever the number of schools: a dashboard costs the same with 3
schools or 600, with one year of history or five.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from cms.dashboard.selectors import display_name_order
from cms.org.models import District, School
from cms.org.scope import visible

from .metrics import metrics_of
from .models import Alert, ClassDay, Counts, DistrictDay, SchoolClass, SchoolDay

DIRECTLY_MANAGED = _("Managed by the department directly")
HISTORY_DAYS = 30
PERIODS = ("day", "week", "month")
TREND_POINTS = {"day": 30, "week": 12, "month": 12}
YEAR_OF_WEEKS = dt.timedelta(days=364)  # 52 weeks: a day or week a year earlier falls on the same weekday
SUMMED = (*Counts.COUNT_FIELDS,)


def sum_totals(rows, extra: tuple[str, ...] = ()) -> dict | None:
    """The sum of the count fields (and ``extra`` fields) of ``rows``; None when there are none."""
    rows = list(rows)
    if not rows:
        return None
    return {name: sum(getattr(row, name) for row in rows) for name in (*SUMMED, *extra)}


# --- the day: city, district, school, class -----------------------------------------------------


@dataclass
class Row:
    """One line of a dashboard table: a district, a school or a class with its day's metrics (all None
    when it has not reported)."""

    label: str
    metrics: dict
    district: District | None = None
    school: School | None = None
    school_class: SchoolClass | None = None
    day: object = None
    live_key: str = ""  # "district:<id>" or "school:<id>": what live.js updates in place
    url: str = ""


def district_label(district: District | None) -> str:
    return district.name if district is not None else str(DIRECTLY_MANAGED)


def school_label(school: School) -> str:
    return school.short_name or school.name


def district_rows(user, date: dt.date) -> tuple[list[Row], dict]:
    """The city's districts on ``date`` (and the directly managed schools, district None) and the city's
    metrics. Two queries: the districts, the day's ``DistrictDay`` rows."""
    districts = list(visible(user, District).order_by("name"))
    days = {day.district_id: day for day in visible(user, DistrictDay).filter(date=date)}
    rows = [Row(d.name, metrics_of(days.get(d.pk)), district=d, live_key=f"district:{d.pk}") for d in districts]
    rows.append(Row(district_label(None), metrics_of(days.get(None)), day=days.get(None)))
    city = sum_totals(days.values(), ("schools_reported",))
    return rows, metrics_of(city)


def school_rows(user, date: dt.date, *, district: District | None) -> tuple[list[Row], dict]:
    """Every working school of a district (None: the directly managed ones) with its day, and the
    district's metrics. Two queries."""
    schools = visible(user, School).working().filter(district=district).order_by(display_name_order())
    days = {
        day.school_id: day
        for day in visible(user, SchoolDay).filter(date=date, district=district, classes_reported__gt=0)
    }
    rows = [
        Row(school_label(s), metrics_of(days.get(s.pk)), school=s, day=days.get(s.pk), live_key=f"school:{s.pk}")
        for s in schools
    ]
    totals = sum_totals(days.values())
    if totals is not None:
        totals["schools_reported"] = len(days)
    return rows, metrics_of(totals)


def class_rows(user, school: School, date: dt.date) -> tuple[list[Row], dict]:
    """The school's classes (the active ones, and any other that reported) with the day. Two queries."""
    days = {day.school_class_id: day for day in visible(user, ClassDay).filter(school=school, date=date)}
    classes = visible(user, SchoolClass).filter(school=school).filter(Q(is_active=True) | Q(pk__in=list(days)))
    rows = [Row(c.name, metrics_of(days.get(c.pk)), school_class=c, day=days.get(c.pk)) for c in classes]
    school_day = visible(user, SchoolDay).filter(school=school, date=date).first()
    return rows, metrics_of(school_day)


def school_day_rows(user, school: School, date: dt.date) -> list[Row]:
    """The school's last ``HISTORY_DAYS`` days up to ``date``, newest first (one query)."""
    since = date - dt.timedelta(days=HISTORY_DAYS - 1)
    days = visible(user, SchoolDay).filter(school=school, date__range=(since, date)).order_by("-date")
    return [Row(day.date.strftime("%d.%m.%Y"), metrics_of(day), day=day) for day in days]


def class_day_rows(user, school_class: SchoolClass, date: dt.date) -> list[Row]:
    since = date - dt.timedelta(days=HISTORY_DAYS - 1)
    days = visible(user, ClassDay).filter(school_class=school_class, date__range=(since, date)).order_by("-date")
    return [Row(day.date.strftime("%d.%m.%Y"), metrics_of(day), day=day) for day in days]


@dataclass
class SchoolRef:
    """What a list of schools shows of each (read without building model instances: the city may list
    hundreds of schools before the first reports of the morning)."""

    pk: int
    label: str
    edebo_code: str
    url: str = ""


@dataclass
class NotReported:
    district_id: int | None
    label: str
    schools: list[SchoolRef] = field(default_factory=list)


def not_reported(user, date: dt.date, **where) -> list[NotReported]:
    """Working schools in scope (narrowed by ``where``, e.g. ``district=``) without a report for ``date``,
    grouped by district. One query."""
    reported = SchoolDay.objects.filter(date=date, classes_reported__gt=0).values("school_id")
    schools = (
        visible(user, School)
        .working()
        .filter(**where)
        .exclude(pk__in=reported)
        .order_by(F("district__name").asc(nulls_last=True), display_name_order())
        .values_list("pk", "short_name", "name", "edebo_code", "district_id", "district__name")
    )
    groups: dict[int | None, NotReported] = {}
    for pk, short_name, name, edebo_code, district_id, district_name in schools:
        label = district_name if district_id is not None else str(DIRECTLY_MANAGED)
        group = groups.setdefault(district_id, NotReported(district_id, label))
        group.schools.append(SchoolRef(pk, short_name or name, edebo_code))
    return list(groups.values())


def over_threshold(user, date: dt.date, threshold: int, **where) -> list[Row]:
    """Schools whose share absent on ``date`` is at least ``threshold`` %, highest first. One query."""
    absent = F("absent_illness") + F("absent_valid") + F("absent_unexcused")
    days = (
        visible(user, SchoolDay)
        .filter(date=date, enrolled__gt=0, **where)
        .alias(absent_x100=absent * 100)
        .filter(absent_x100__gte=F("enrolled") * threshold)
        .select_related("school", "district")
    )
    rows = [
        Row(school_label(day.school), metrics_of(day), district=day.district, school=day.school, day=day)
        for day in days
    ]
    return sorted(rows, key=lambda row: (-row.metrics["absent_share"], row.label))


def alerts_for(user, date: dt.date, *, since: dt.date | None = None, **where) -> list[Alert]:
    """The alerts raised for ``date`` (or from ``since`` to ``date``). One query."""
    alerts = visible(user, Alert).filter(date__range=(since or date, date), **where)
    return list(alerts.select_related("school", "school_class"))


# --- trends ---------------------------------------------------------------------------------------


def month_start(date: dt.date, back: int = 0) -> dt.date:
    index = date.year * 12 + date.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def year_earlier(date: dt.date) -> dt.date:
    try:
        return date.replace(year=date.year - 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year - 1, day=28)


def bucket_of(date: dt.date, period: str) -> dt.date:
    if period == "week":
        return date - dt.timedelta(days=date.weekday())
    if period == "month":
        return date.replace(day=1)
    return date


def _keys(date: dt.date, period: str) -> list[dt.date]:
    count = TREND_POINTS[period]
    if period == "month":
        return [month_start(date, back) for back in range(count - 1, -1, -1)]
    step = dt.timedelta(days=7 if period == "week" else 1)
    last = bucket_of(date, period)
    return [last - step * back for back in range(count - 1, -1, -1)]


def _earlier(date: dt.date, period: str) -> dt.date:
    """The same day, week or month a year earlier (days and weeks: 52 weeks, the same weekday)."""
    return year_earlier(date) if period == "month" else date - YEAR_OF_WEEKS


def _later(date: dt.date, period: str) -> dt.date:
    return date.replace(year=date.year + 1) if period == "month" else date + YEAR_OF_WEEKS


@dataclass
class TrendPoint:
    key: dt.date
    period: str
    current: dict
    earlier: dict

    @property
    def label(self) -> str:
        if self.period == "month":
            return self.key.strftime("%m.%Y")
        return self.key.strftime("%d.%m")

    @property
    def earlier_key(self) -> dt.date:
        return _earlier(self.key, self.period)


TREND_FIELDS = ("enrolled", "present", "absent_illness")


def trend(rows, date: dt.date, period: str) -> list[TrendPoint]:
    """Share present and share ill by day (last 30 days), ISO week (last 12) or month (last 12) up to
    ``date``, each beside the same period a year earlier. ``rows`` is a scoped queryset of daily totals
    (``DistrictDay`` for the city or a district, ``SchoolDay`` for a school, ``ClassDay`` for a class); one
    GROUP BY date query, the periods are summed here."""
    keys = _keys(date, period)
    current = (keys[0], date)
    earlier = (_earlier(keys[0], period), _earlier(date, period))
    daily = (
        rows.filter(Q(date__range=current) | Q(date__range=earlier))
        .order_by()
        .values("date")
        .annotate(**{f"sum_{name}": Sum(name) for name in TREND_FIELDS})
    )
    sums = {side: defaultdict(lambda: dict.fromkeys(TREND_FIELDS, 0)) for side in ("current", "earlier")}
    for day in daily:
        if day["date"] >= current[0]:
            target = sums["current"][bucket_of(day["date"], period)]
        else:
            target = sums["earlier"][_later(bucket_of(day["date"], period), period)]
        for name in TREND_FIELDS:
            target[name] += day[f"sum_{name}"] or 0
    return [
        TrendPoint(
            key,
            period,
            metrics_of(sums["current"].get(key)),
            metrics_of(sums["earlier"].get(key)),
        )
        for key in keys
    ]


def city_trend_rows(user):
    return visible(user, DistrictDay)


def district_trend_rows(user, district: District | None):
    return visible(user, DistrictDay).filter(district=district)


def school_trend_rows(user, school: School):
    return visible(user, SchoolDay).filter(school=school)


def class_trend_rows(user, school_class: SchoolClass):
    return visible(user, ClassDay).filter(school_class=school_class)
