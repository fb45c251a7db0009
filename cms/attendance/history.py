"""Realistic attendance history for every class of every working school: demo data and benchmark volume.

The numbers follow a Kyiv school year: school days are Monday to Friday from 1 September to 31 May, without
the autumn, winter and spring holidays (``is_school_day``). Enrolment is stable with rare changes of one
pupil; illness is low in September and peaks in the flu season (late January to February), with class-level
outbreaks that last several days; other valid reasons take 1–3 % and no reason under 1 %. A school now and
then learns remotely for some days, and most school years have a city-wide remote week in the flu season.
Air-raid alerts are city-wide on ~15 % of the days: classes learning in person go to the shelter.

``generate`` writes the ``ClassDay`` rows (source "generated") and the derived ``SchoolDay`` and
``DistrictDay`` rows with the same sums as ``services.submit_attendance`` would. It is idempotent for a
range: the range's generated class days are deleted first and written again; a school day that has
submitted (not generated) rows is left as the school reported it. With ``missing_only`` (the demo) only the
days without any class days are written, so a rerun adds nothing. On PostgreSQL the rows go in with COPY,
elsewhere with ``executemany`` in large batches.
"""

import datetime as dt
import math
import random
import time
from collections import deque
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from cms.org.models import School

from .models import ClassDay, Counts, DistrictDay, LearningMode, SchoolClass, SchoolDay, Source
from .services import recount_school_day

ALERT_DAY_SHARE = 0.15  # air-raid alert days, city-wide
CITY_REMOTE_WEEK_CHANCE = 0.6  # a school year has a city-wide remote week in the flu season
SCHOOL_REMOTE_PERIODS_PER_YEAR = 0.3  # a school's own remote days (heating, repairs), per school and year
MIXED_SCHOOL_SHARE = 0.05  # schools where the older classes learn partly remotely every day
OUTBREAK_CHANCE = 0.0035  # a class starts an outbreak on a school day of average season
OUTBREAK_SHAPE = (0.5, 1.0, 1.0, 0.8, 0.6, 0.45, 0.3)  # share of the peak on each day of an outbreak
ENROLMENT_CHANGES_PER_YEAR = 0.5  # a pupil joins or leaves a class
SCHOOL_DAYS_PER_YEAR = 172
BATCH = 20_000

CLASS_DAY_FIELDS = (
    "school_class_id",
    "school_id",
    "date",
    *Counts.COUNT_FIELDS,
    "mode",
    "sheltered",
    "source",
    "updated_at",
)
SCHOOL_DAY_FIELDS = (
    "school_id",
    "district_id",
    "date",
    *Counts.COUNT_FIELDS,
    "classes_reported",
    "sheltered",
    "updated_at",
)
DISTRICT_DAY_FIELDS = ("district_id", "date", *Counts.COUNT_FIELDS, "schools_reported")


# --------------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------------


def _last_monday(year: int, month: int) -> dt.date:
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=last.weekday())


def holidays(date: dt.date) -> bool:
    """Autumn (the week from the last Monday of October), winter (25 December – 11 January), spring (the week
    from the last Monday of March) and summer (June – August) holidays."""
    if date.month in (6, 7, 8):
        return True
    if (date.month, date.day) >= (12, 25) or (date.month, date.day) <= (1, 11):
        return True
    for month in (10, 3):
        start = _last_monday(date.year, month)
        if start <= date < start + dt.timedelta(days=7):
            return True
    return False


def is_school_day(date: dt.date) -> bool:
    return date.weekday() < 5 and not holidays(date)


def school_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, date = [], start
    while date <= end:
        if is_school_day(date):
            days.append(date)
        date += dt.timedelta(days=1)
    return days


def last_school_days(count: int, until: dt.date) -> list[dt.date]:
    days, date = [], until
    while len(days) < count:
        if is_school_day(date):
            days.append(date)
        date -= dt.timedelta(days=1)
    return days[::-1]


def school_year(date: dt.date) -> int:
    """The year the school year of ``date`` began in."""
    return date.year if date.month >= 7 else date.year - 1


def season(date: dt.date) -> float:
    """The city's share of pupils absent through illness on an ordinary day of that date: ~2 % early in
    September, rising through the autumn, peaking at ~11 % in the flu season (early February)."""
    start = dt.date(school_year(date), 9, 1)
    week = (date - start).days / 7  # 0 .. ~39
    autumn = 0.02 + 0.035 * min(week, 14) / 14  # the autumn rise, to December
    spring = max(0.0, 0.025 * (week - 28) / 11)  # the spring fall, April-May
    flu = 0.065 * math.exp(-(((week - 22.5) / 3.0) ** 2))  # late January to February
    return max(0.015, autumn - spring + flu)


@dataclass
class CityDay:
    """What holds for the whole city on one school day."""

    illness: float
    alert: bool
    remote: bool


def city_calendar(days: list[dt.date], seed: int) -> dict[dt.date, CityDay]:
    rng = random.Random(f"{seed}:city")  # noqa: S311 - made-up data, reproducible by seed
    years = {}
    for year in sorted({school_year(d) for d in days}):
        flu = rng.uniform(0.75, 1.3)  # some winters are worse than others
        remote_week = None
        if rng.random() < CITY_REMOTE_WEEK_CHANCE:
            monday = dt.date(year + 1, 1, 19) + dt.timedelta(weeks=rng.randint(0, 4))
            remote_week = monday - dt.timedelta(days=monday.weekday())
        years[year] = (flu, remote_week)
    calendar = {}
    for day in days:
        flu, remote_week = years[school_year(day)]
        illness = season(day) * (flu if day.month in (1, 2) else 1.0)
        remote = remote_week is not None and remote_week <= day < remote_week + dt.timedelta(days=5)
        calendar[day] = CityDay(illness * rng.uniform(0.9, 1.1), rng.random() < ALERT_DAY_SHARE, remote)
    return calendar


# --------------------------------------------------------------------------------------------------
# Schools and classes
# --------------------------------------------------------------------------------------------------


@dataclass
class ClassState:
    pk: int
    grade: int
    enrolled: int  # the class's enrolment now (the latest day)
    proneness: float
    changes: list  # (date, +1/-1): the enrolment changed on that date
    outbreak_day: int = -1  # the day of the running outbreak (index into OUTBREAK_SHAPE), -1 none
    outbreak_peak: float = 0.0

    def enrolled_on(self, date: dt.date) -> int:
        value = self.enrolled
        for changed, delta in self.changes:
            if changed > date:
                value -= delta
        return max(1, value)


@dataclass
class SchoolState:
    pk: int
    district_id: int | None
    rng: random.Random
    illness: float
    valid: float
    unexcused: float
    mixed: bool
    remote_days: set = field(default_factory=set)
    classes: list = field(default_factory=list)


def _plan_school(school: School, classes: list[SchoolClass], days: list[dt.date], seed: int) -> SchoolState:
    rng = random.Random(f"{seed}:{school.pk}")  # noqa: S311 - made-up data, reproducible by seed
    state = SchoolState(
        pk=school.pk,
        district_id=school.district_id,
        rng=rng,
        illness=rng.lognormvariate(0, 0.2),
        valid=rng.uniform(0.01, 0.03),
        unexcused=rng.uniform(0.001, 0.009),
        mixed=rng.random() < MIXED_SCHOOL_SHARE,
    )
    years = len(days) / SCHOOL_DAYS_PER_YEAR
    for _ in range(_poisson(rng, SCHOOL_REMOTE_PERIODS_PER_YEAR * years)):
        first = rng.randrange(len(days))
        state.remote_days.update(days[first : first + rng.randint(2, 8)])
    for school_class in classes:
        changes = [
            (days[rng.randrange(len(days))], rng.choice((1, -1)))
            for _ in range(_poisson(rng, ENROLMENT_CHANGES_PER_YEAR * years))
        ]
        grade_factor = 1.25 if school_class.grade <= 4 else 1.0 if school_class.grade <= 9 else 0.85
        state.classes.append(
            ClassState(
                pk=school_class.pk,
                grade=school_class.grade,
                enrolled=school_class.enrolled,
                proneness=grade_factor * rng.lognormvariate(0, 0.15),
                changes=changes,
            )
        )
    return state


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# --------------------------------------------------------------------------------------------------
# The rows
# --------------------------------------------------------------------------------------------------


def class_day(school: SchoolState, cls: ClassState, date: dt.date, city: CityDay) -> tuple:
    """The numbers of one class on one day: (enrolled, present, illness, valid, unexcused, remote,
    in_shelter, mode, sheltered)."""
    rng = school.rng
    binomial = rng.binomialvariate
    if cls.outbreak_day < 0 and rng.random() < OUTBREAK_CHANCE * city.illness / 0.05:
        cls.outbreak_day, cls.outbreak_peak = 0, rng.uniform(0.12, 0.3)
    extra = 0.0
    if cls.outbreak_day >= 0:
        extra = cls.outbreak_peak * OUTBREAK_SHAPE[cls.outbreak_day]
        cls.outbreak_day = cls.outbreak_day + 1 if cls.outbreak_day + 1 < len(OUTBREAK_SHAPE) else -1
    enrolled = cls.enrolled_on(date) if cls.changes else cls.enrolled
    illness = binomial(enrolled, min(0.9, city.illness * school.illness * cls.proneness + extra))
    valid = binomial(enrolled - illness, school.valid)
    unexcused = binomial(enrolled - illness - valid, school.unexcused)
    present = enrolled - illness - valid - unexcused
    if city.remote or date in school.remote_days:
        mode, remote = LearningMode.REMOTE, present
    elif school.mixed and cls.grade >= 5:
        mode, remote = LearningMode.MIXED, binomial(present, 0.15)
    else:
        mode, remote = LearningMode.IN_PERSON, 0
    sheltered = city.alert and present > remote and rng.random() < 0.93
    in_shelter = present - remote - (rng.random() < 0.2) if sheltered else 0
    return enrolled, present, illness, valid, unexcused, remote, max(0, in_shelter), mode, sheltered


@dataclass
class Result:
    days: int = 0
    schools: int = 0
    class_days: int = 0
    school_days: int = 0
    district_days: int = 0
    kept: int = 0  # school days left as the school submitted them
    skipped: int = 0  # days left alone because they had class days already (``missing_only``)
    deleted: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.class_days / self.seconds if self.seconds else 0.0


def date_range(*, until: dt.date, years: int | None = None, days: int | None = None) -> list[dt.date]:
    """The school days of the last ``years`` years (365 days each) or the last ``days`` school days, up to
    ``until``."""
    if days is not None:
        return last_school_days(days, until)
    start = until - dt.timedelta(days=365 * (years or 1) - 1)
    return school_days(start, until)


def generate(
    days: list[dt.date], *, seed: int = 1, schools=None, progress=None, missing_only=False, school_days_only=False
) -> Result:
    """Write the history of ``days`` (school days) for ``schools`` (default: every working school), in one
    transaction; with ``missing_only``, only the days that have no class days of these schools yet (the others
    are left as they are, counted in ``Result.skipped``); with ``school_days_only``, the school and district
    days summed from the same class numbers, but no class day written (years of history for the dashboards,
    which read the totals only, on a database where millions of class rows would take long to write). The
    time counts the commit: PostgreSQL checks the rows' foreign keys then (Django creates them deferred), on
    millions of rows a good part of the work."""
    started = time.perf_counter()
    with transaction.atomic():
        result = _generate(
            days,
            seed=seed,
            schools=schools,
            progress=progress,
            missing_only=missing_only,
            school_days_only=school_days_only,
        )
    result.seconds = time.perf_counter() - started
    return result


def _generate(
    days: list[dt.date], *, seed: int, schools, progress, missing_only: bool, school_days_only: bool
) -> Result:
    schools = list((School.objects.working() if schools is None else schools).order_by("pk"))
    school_ids = [s.pk for s in schools]
    if missing_only and days:
        present = ClassDay.objects.filter(date__in=days, school_id__in=school_ids).values_list("date", flat=True)
        done = set(present.distinct())
        days = [d for d in days if d not in done]
    result = Result(days=len(days))
    if missing_only:
        result.skipped = len(done)
    if not days:
        return result
    classes = {}
    for school_class in SchoolClass.objects.filter(school_id__in=school_ids, is_active=True).order_by("grade", "name"):
        classes.setdefault(school_class.school_id, []).append(school_class)

    generated = ClassDay.objects.filter(source=Source.GENERATED, date__in=days, school_id__in=school_ids)
    result.deleted = generated._raw_delete(generated.db)
    kept = set(
        ClassDay.objects.filter(date__in=days, school_id__in=school_ids).values_list("school_id", "date").distinct()
    )
    result.kept = len(kept)
    stale = SchoolDay.objects.filter(date__in=days, school_id__in=school_ids)
    stale._raw_delete(stale.db)

    city = city_calendar(days, seed)
    plans = [_plan_school(s, classes[s.pk], days, seed) for s in schools if s.pk in classes]
    result.schools = len(plans)
    now = timezone.now()
    school_rows = []

    def class_rows():
        for date in days:
            today = city[date]
            for school in plans:
                totals = [0] * 7
                sheltered_any = False
                submitted = (school.pk, date) in kept
                for cls in school.classes:
                    numbers = class_day(school, cls, date, today)  # drawn anyway: the same seed, the same numbers
                    if submitted:
                        continue
                    for i in range(7):
                        totals[i] += numbers[i]
                    sheltered_any = sheltered_any or numbers[8]
                    yield (cls.pk, school.pk, date, *numbers[:7], numbers[7], numbers[8], Source.GENERATED, now)
                if not submitted:
                    school_rows.append(
                        (school.pk, school.district_id, date, *totals, len(school.classes), sheltered_any, now)
                    )
            if progress:
                progress(date)

    if school_days_only:
        deque(class_rows(), maxlen=0)  # drawn for the school totals, not written
    else:
        result.class_days = _insert(ClassDay, CLASS_DAY_FIELDS, class_rows())
    result.school_days = _insert(SchoolDay, SCHOOL_DAY_FIELDS, iter(school_rows))
    result.school_days += _recount_kept(kept)
    result.district_days = _recount_districts(days)
    return result


def _recount_kept(kept: set) -> int:
    """School days with submitted rows: their totals again from their class days, as the service counts them."""
    schools = School.objects.filter(pk__in={school_id for school_id, _date in kept})
    districts = dict(schools.values_list("pk", "district_id"))
    for school_id, date in kept:
        recount_school_day(SchoolDay(school_id=school_id, district_id=districts[school_id], date=date))
    return len(kept)


def _recount_districts(days: list[dt.date]) -> int:
    """The district days of ``days`` again from the school days (the city is their sum)."""
    stale = DistrictDay.objects.filter(date__in=days)
    stale._raw_delete(stale.db)
    totals = (
        SchoolDay.objects.filter(date__in=days)
        .values("district_id", "date")
        .annotate(
            reported=Count("pk", filter=Q(classes_reported__gt=0)), **{f"sum_{n}": Sum(n) for n in Counts.COUNT_FIELDS}
        )
        .order_by("date", "district_id")
    )
    rows = ((t["district_id"], t["date"], *(t[f"sum_{n}"] for n in Counts.COUNT_FIELDS), t["reported"]) for t in totals)
    return _insert(DistrictDay, DISTRICT_DAY_FIELDS, rows)


def _insert(model, fields: tuple, rows) -> int:
    """Insert tuples of ``fields`` values: COPY on PostgreSQL, ``executemany`` in batches elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f.removesuffix("_id")).column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        values = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608 - names from the model
        adapt = _adapter(fields)
        batch = []
        for row in rows:
            batch.append(adapt(row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _adapter(fields: tuple):
    """Dates and datetimes as the database backend stores them (SQLite: ISO strings)."""
    ops = connection.ops
    date_at = [i for i, f in enumerate(fields) if f == "date"]
    datetime_at = [i for i, f in enumerate(fields) if f == "updated_at"]
    cache = {}

    def adapt(row):
        row = list(row)
        for i in date_at:
            value = row[i]
            if value not in cache:
                cache[value] = ops.adapt_datefield_value(value)
            row[i] = cache[value]
        for i in datetime_at:
            value = row[i]
            if value not in cache:
                cache[value] = ops.adapt_datetimefield_value(value)
            row[i] = cache[value]
        return row

    return adapt
