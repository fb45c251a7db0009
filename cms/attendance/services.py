"""The one way attendance gets in: ``submit_attendance``, called by the school's form, the file upload and
the API alike.

A submission is one school, one day and any of its classes. It is checked whole (a bad row refuses the
submission and saves nothing), then written in one transaction that also brings the school's and district's
daily totals up to date, raises alerts and writes the audit log. Resubmitting a class and day updates its
row; the school-day row is locked first, so concurrent submissions of one school queue instead of racing.
"""

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import get_active_log_context
from wagtail.log_actions import registry as log_registry

from cms.org.models import School

from . import alerts, live, writes
from .models import AttendanceSettings, ClassDay, Counts, LearningMode, SchoolClass, SchoolDay

REPORT_FIELDS = ("enrolled", "present", "absent_illness", "absent_valid", "absent_unexcused")
MAX_CLASS_SIZE = 60
# ``LearningMode.values`` builds its list anew at each use (twice per row of a submission).
LEARNING_MODES = frozenset(LearningMode.values)


def is_learning_mode(value) -> bool:
    """Whether ``value`` is one of the learning modes (anything from a JSON body: lists included)."""
    return isinstance(value, str) and value in LEARNING_MODES


@dataclass
class ClassReport:
    """One class's numbers as typed, before they are checked. ``in_shelter`` None: the class did not go
    to a shelter that day; ``remote`` None: derived from the mode (all present pupils in a remote class)."""

    class_name: str
    enrolled: int | None
    present: int | None
    absent_illness: int | None = 0
    absent_valid: int | None = 0
    absent_unexcused: int | None = 0
    mode: str = LearningMode.IN_PERSON
    remote: int | None = None
    in_shelter: int | None = None


@dataclass
class Problem:
    """Why a row (``row`` is its index in the submission, None for the whole submission) was refused."""

    message: str
    row: int | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


class AttendanceRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class Submission:
    school_day: SchoolDay
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    alerts: list = field(default_factory=list)


def today() -> dt.date:
    return timezone.localdate()


def last_editable_day(date: dt.date, config: AttendanceSettings) -> dt.date:
    return date + dt.timedelta(days=config.edit_days)


def check_date(date: dt.date, config: AttendanceSettings, *, now: dt.date | None = None) -> list[Problem]:
    now = now or today()
    if date > now:
        return [Problem(_("Attendance cannot be reported for a future date."), field="date")]
    if now > last_editable_day(date, config):
        return [
            Problem(
                _("Attendance for %(date)s can no longer be changed: the cut-off was the end of %(cutoff)s.")
                % {"date": date.strftime("%d.%m.%Y"), "cutoff": last_editable_day(date, config).strftime("%d.%m.%Y")},
                field="date",
            )
        ]
    return []


def check_row(report: ClassReport, index: int | None, classes: dict[str, SchoolClass]) -> list[Problem]:
    """Everything wrong with one class's row (an empty list when it is right)."""
    problems = []
    name = (report.class_name or "").strip()
    if name not in classes:
        problems.append(Problem(_("Unknown class “%(name)s”.") % {"name": name}, index, "class"))
    for name_ in (*REPORT_FIELDS, "remote", "in_shelter"):
        value = getattr(report, name_)
        if value is None and name_ in ("enrolled", "present"):
            problems.append(Problem(_("This number is required."), index, name_))
        elif value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(Problem(_("Enter a whole number."), index, name_))
        elif value is not None and value < 0:
            problems.append(Problem(_("A number cannot be negative."), index, name_))
        elif value is not None and value > MAX_CLASS_SIZE * 2:
            problems.append(Problem(_("The number is too large for a class."), index, name_))
    if not is_learning_mode(report.mode):
        problems.append(Problem(_("Unknown learning mode."), index, "mode"))
    if problems:
        return problems
    absent = (report.absent_illness or 0) + (report.absent_valid or 0) + (report.absent_unexcused or 0)
    if report.present + absent != report.enrolled:
        problems.append(
            Problem(
                _("Present (%(present)d) and absent (%(absent)d) must add up to enrolled (%(enrolled)d).")
                % {"present": report.present, "absent": absent, "enrolled": report.enrolled},
                index,
                "present",
            )
        )
    if report.mode == LearningMode.MIXED and report.remote is None:
        problems.append(Problem(_("Say how many pupils of a mixed class learn remotely."), index, "remote"))
    if report.remote is not None and report.remote > report.present:
        problems.append(Problem(_("More pupils learning remotely than present."), index, "remote"))
    if report.in_shelter is not None and report.in_shelter > report.present:
        problems.append(Problem(_("More pupils in the shelter than present."), index, "in_shelter"))
    return problems


def active_classes(school: School) -> dict[str, SchoolClass]:
    return {c.name: c for c in SchoolClass.objects.filter(school=school, is_active=True)}


class ClassRef(NamedTuple):
    """As much of a class as a submission needs."""

    pk: int
    name: str
    enrolled: int


def settings_and_classes(school: School) -> tuple[AttendanceSettings, dict[str, ClassRef]]:
    """The thresholds and cut-off, and the school's active classes by name (no model instance built: a
    submission reads them all), read afresh together."""
    read = writes.settings_and_classes(school.pk)
    if read is None:  # no settings saved yet: created with their defaults, as load() does
        config = AttendanceSettings.load()
        rows = SchoolClass.objects.filter(school=school, is_active=True).values_list("pk", "name", "enrolled")
    else:
        config, rows = read
    return config, {name: ClassRef(pk, name, enrolled) for pk, name, enrolled in rows}


def check_submission(
    school: School, date: dt.date, reports: list[ClassReport], *, classes=None, config=None, now=None
) -> list[Problem]:
    config = config or AttendanceSettings.load()
    classes = active_classes(school) if classes is None else classes
    problems = check_date(date, config, now=now)
    if not reports:
        problems.append(Problem(_("The submission has no classes.")))
    seen = set()
    for index, report in enumerate(reports):
        problems += check_row(report, index, classes)
        name = (report.class_name or "").strip()
        if name in seen:
            problems.append(Problem(_("Class “%(name)s” is given twice.") % {"name": name}, index, "class"))
        seen.add(name)
    return problems


def _remote(report: ClassReport) -> int:
    if report.mode == LearningMode.REMOTE:
        return report.present
    if report.mode == LearningMode.IN_PERSON:
        return 0
    return report.remote


def _values(report: ClassReport) -> dict:
    return {
        "enrolled": report.enrolled,
        "present": report.present,
        "absent_illness": report.absent_illness or 0,
        "absent_valid": report.absent_valid or 0,
        "absent_unexcused": report.absent_unexcused or 0,
        "remote": _remote(report),
        "in_shelter": report.in_shelter or 0,
        "sheltered": report.in_shelter is not None,
        "mode": report.mode,
    }


def submit_attendance(
    *, school: School, date: dt.date, reports: list[ClassReport], user, source: str, now: dt.date | None = None
) -> Submission:
    """Check and save one school's attendance for one day; raises ``AttendanceRefused`` and saves nothing
    when anything is wrong."""
    config, classes = settings_and_classes(school)
    problems = check_submission(school, date, reports, classes=classes, config=config, now=now)
    if problems:
        raise AttendanceRefused(problems)
    wanted = {classes[r.class_name.strip()].pk: _values(r) for r in reports}
    # No savepoint inside a caller's transaction (the API's idempotency record): nothing below is caught,
    # so an error inside rolls the caller's transaction back as a whole anyway — two statements fewer.
    with transaction.atomic(savepoint=False):
        moment = timezone.now()
        school_day = _lock_school_day(school, date, moment)
        before = {name: getattr(school_day, name) for name in Counts.COUNT_FIELDS}
        reported_before = school_day.classes_reported
        # The class days, the school's and the district's totals and the audit entry: one statement on
        # PostgreSQL (writes.Batch).
        batch = writes.Batch()
        submission = _write_class_days(school_day, wanted, user, source, moment, batch)
        _apply_to_district(school_day, before, reported_before, batch)
        changed = submission.created + submission.updated
        if changed:
            _log(
                school_day,
                "attendance.submit",
                user,
                {
                    "school": school.pk,
                    "date": date.isoformat(),
                    "source": source,
                    "created": submission.created,
                    "updated": submission.updated,
                },
                batch=batch,
            )
        batch.send()
        if changed:
            # Only classes at or over a threshold today can raise an alert: the others' history is not read.
            flagged = [
                SchoolClass(pk=ref.pk, school_id=school.pk, name=ref.name, enrolled=ref.enrolled)
                for ref in classes.values()
                if ref.pk in wanted and alerts.may_raise(SimpleNamespace(**wanted[ref.pk]), config)
            ]
            submission.alerts = alerts.evaluate(school_day, flagged, config)
            _update_enrolment(school_day, classes, wanted)
            transaction.on_commit(lambda: live.publish_school_day(school_day.pk))
    return submission


def _log(instance, action: str, user, data: dict, *, batch: writes.Batch | None = None) -> None:
    """The entry ``wagtail.log_actions.log`` writes (same model, content type, object id, label, action,
    data, user and log-context uuid), checked as its ``save`` checks it but for the foreign keys (its
    ``full_clean`` reads the content type and the user again to validate keys that were just resolved), and
    inserted by one hand-made statement (``writes.insert``, now or with ``batch``)."""
    model = log_registry.get_log_model_for_instance(instance)
    if model is None:
        return
    context = get_active_log_context()
    entry = model(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        label=model.objects.get_instance_title(instance),
        action=action,
        timestamp=timezone.now(),
        data=data,
        user=user or context.user,
        uuid=context.uuid,
    )
    entry.full_clean(exclude=["content_type", "user", "revision"])
    writes.insert(entry, batch)


def _lock_school_day(school: School, date: dt.date, now) -> SchoolDay:
    """The school's row for the day, created if need be and locked until the end of the transaction."""
    school_day = SchoolDay(school=school, date=date, **writes.lock_school_day(school.pk, school.district_id, date, now))
    # The audit log's label and the API's answer name the school and district: not read again.
    if school_day.district_id == school.district_id and School.district.is_cached(school):
        school_day.district = school.district
    return school_day


def _write_class_days(
    school_day: SchoolDay, wanted: dict[int, dict], user, source: str, now, batch: writes.Batch
) -> Submission:
    """Insert or overwrite the submitted classes' rows that are new or changed, then bring the school's day
    totals up to date from all its class days.

    The school's stored class days are read once (under the school-day lock), and only when it has any
    (``classes_reported``, kept with them in the same transaction): they tell which rows are new, changed
    or unchanged, and with the submitted values they give the day's totals without reading them again."""
    submission = Submission(school_day=school_day)
    rows = writes.class_days(school_day.school_id, school_day.date) if school_day.classes_reported else {}
    written = {}
    for class_id, values in wanted.items():
        stored = rows.get(class_id)
        if stored is None:
            submission.created += 1
        elif stored != values:
            submission.updated += 1
        else:
            submission.unchanged += 1
            continue
        written[class_id] = rows[class_id] = values
    writes.save_class_days(
        school_day.school_id,
        school_day.date,
        written,
        source=source,
        user_id=getattr(user, "pk", None),
        now=now,
        batch=batch,
    )
    if written:
        for name in Counts.COUNT_FIELDS:
            setattr(school_day, name, sum(row[name] for row in rows.values()))
        school_day.classes_reported = len(rows)
        school_day.sheltered = any(row["sheltered"] for row in rows.values())
        school_day.updated_at = now
        writes.save_school_totals(school_day, batch)
    return submission


def _update_enrolment(school_day: SchoolDay, classes: dict[str, ClassRef], wanted: dict[int, dict]) -> None:
    """A class's enrolment is the latest reported one (yesterday's or today's pre-fills the form)."""
    if school_day.date < today() - dt.timedelta(days=1):
        return
    for ref in classes.values():
        if ref.pk in wanted and ref.enrolled != wanted[ref.pk]["enrolled"]:
            SchoolClass.objects.filter(pk=ref.pk).update(enrolled=wanted[ref.pk]["enrolled"])


def recount_school_day(school_day: SchoolDay) -> None:
    """The school's day totals summed in the database from its class days."""
    totals = ClassDay.objects.filter(school_id=school_day.school_id, date=school_day.date).aggregate(
        classes=Count("pk"),
        sheltered_classes=Count("pk", filter=Q(sheltered=True)),
        **{n: Sum(n) for n in Counts.COUNT_FIELDS},
    )
    for name in Counts.COUNT_FIELDS:
        setattr(school_day, name, totals[name] or 0)
    school_day.classes_reported = totals["classes"]
    school_day.sheltered = totals["sheltered_classes"] > 0
    school_day.save()


def _apply_to_district(school_day: SchoolDay, before: dict, reported_before: int, batch: writes.Batch) -> None:
    """Add the change of the school's totals to its district's day (``writes.add_to_district_day``)."""
    changes = {
        name: getattr(school_day, name) - before[name]
        for name in Counts.COUNT_FIELDS
        if getattr(school_day, name) != before[name]
    }
    if reported_before == 0 and school_day.classes_reported:
        changes["schools_reported"] = 1
    writes.add_to_district_day(school_day, changes, batch)
