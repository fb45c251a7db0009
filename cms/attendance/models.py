"""Attendance: what a school reports per class and day, and the totals derived from it.

``ClassDay`` rows are typed by schools (one per class and day). ``SchoolDay`` and ``DistrictDay`` are
derived from them in the same transaction as the submission (``services.submit_attendance``) and are never
typed: dashboards read them, so the city and a district over five years stay cheap to show.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from cms.org.models import District, School


class LearningMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("Remote")
    MIXED = "mixed", _("Mixed")


class Source(models.TextChoices):
    FORM = "form", _("Web form")
    UPLOAD = "upload", _("File upload")
    API = "api", _("API")
    GENERATED = "generated", _("Generated history")


class SchoolClass(models.Model):
    """A class of a school ("5-А"). Its enrolment is the latest reported one."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes", verbose_name=_("school"))
    name = models.CharField(_("class"), max_length=20)
    grade = models.PositiveSmallIntegerField(_("grade"))
    enrolled = models.PositiveSmallIntegerField(_("pupils enrolled"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["grade", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="attendance_class_unique_name")]

    def __str__(self) -> str:
        return self.name


class Counts(models.Model):
    """The numbers every level shares: a class, a school or a district on one day."""

    enrolled = models.PositiveIntegerField(_("enrolled"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    absent_illness = models.PositiveIntegerField(_("absent: illness"), default=0)
    absent_valid = models.PositiveIntegerField(_("absent: other valid reason"), default=0)
    absent_unexcused = models.PositiveIntegerField(_("absent: no reason"), default=0)
    remote = models.PositiveIntegerField(_("learning remotely"), default=0)
    in_shelter = models.PositiveIntegerField(_("in the shelter"), default=0)

    COUNT_FIELDS = (
        "enrolled",
        "present",
        "absent_illness",
        "absent_valid",
        "absent_unexcused",
        "remote",
        "in_shelter",
    )

    class Meta:
        abstract = True

    @property
    def absent(self) -> int:
        return self.absent_illness + self.absent_valid + self.absent_unexcused


class ClassDay(Counts):
    """One class on one day, as the school reported it.

    ``remote`` is the number of present pupils learning remotely (all of them in a remote class, none in
    person; a mixed class says how many). ``in_shelter`` is filled on days of air-raid alerts when the class
    went to the shelter (``sheltered``)."""

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="days")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="class_days")
    date = models.DateField(_("date"))
    mode = models.CharField(_("learning mode"), max_length=10, choices=LearningMode.choices)
    sheltered = models.BooleanField(_("went to the shelter"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("class day")
        verbose_name_plural = _("class days")
        constraints = [
            models.UniqueConstraint(fields=["school_class", "date"], name="attendance_classday_unique"),
            models.CheckConstraint(
                condition=Q(present=F("enrolled") - F("absent_illness") - F("absent_valid") - F("absent_unexcused")),
                name="attendance_classday_adds_up",
            ),
            models.CheckConstraint(condition=Q(remote__lte=F("present")), name="attendance_classday_remote"),
            models.CheckConstraint(condition=Q(in_shelter__lte=F("present")), name="attendance_classday_shelter"),
        ]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.school_class} {self.date:%d.%m.%Y}"


class SchoolDay(Counts):
    """A school's totals on one day, derived from its class days."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="attendance_days")
    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, related_name="+")
    date = models.DateField(_("date"))
    classes_reported = models.PositiveSmallIntegerField(_("classes reported"), default=0)
    sheltered = models.BooleanField(_("went to the shelter"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("school day")
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="attendance_schoolday_unique")]
        indexes = [
            models.Index(fields=["date", "district"]),
            models.Index(fields=["district", "date"]),
            # A live stream's catch-up: the school days of a date saved after a moment (live.catch_up).
            models.Index(fields=["date", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.date:%d.%m.%Y}"


class DistrictDay(Counts):
    """A district's totals on one day (schools managed directly by the department have district None).
    The city is the sum of these rows."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, related_name="+")
    date = models.DateField(_("date"))
    schools_reported = models.PositiveSmallIntegerField(_("schools reported"), default=0)

    class Meta:
        verbose_name = _("district day")
        constraints = [
            models.UniqueConstraint(fields=["district", "date"], name="attendance_districtday_unique"),
            models.UniqueConstraint(
                fields=["date"], condition=Q(district__isnull=True), name="attendance_districtday_unique_city"
            ),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.district or '—'} {self.date:%d.%m.%Y}"


class IdempotentRequest(models.Model):
    """The first response to an API request with an ``Idempotency-Key``, replayed for repeats of it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="attendance_idempotency_unique")]

    def __str__(self) -> str:
        return self.key


class Alert(models.Model):
    """A threshold crossed by a class: raised once, shown on the dashboards of its district and the city,
    and e-mailed once."""

    class Rule(models.TextChoices):
        ILLNESS_SHARE = "illness_share", _("Share absent through illness")
        ILLNESS_STREAK = "illness_streak", _("Share absent through illness, several days running")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="attendance_alerts")
    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="alerts")
    date = models.DateField(_("date"))
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=1)
    days = models.PositiveSmallIntegerField(_("days running"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance alert")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "rule", "date"], name="attendance_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.school_class} {self.date:%d.%m.%Y}"


@register_setting(icon="warning")
class AttendanceSettings(BaseGenericSetting):
    """Thresholds and the cut-off, set by the department in the Wagtail admin (Settings → Attendance)."""

    edit_days = models.PositiveSmallIntegerField(
        _("days to submit or correct"),
        default=2,
        validators=[MaxValueValidator(14)],
        help_text=_("A school day may be reported or corrected until the end of this many days after it (Kyiv time)."),
    )
    illness_share = models.PositiveSmallIntegerField(
        _("alert: share of a class absent through illness, %"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    streak_share = models.PositiveSmallIntegerField(
        _("alert: share absent through illness on several days running, %"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    streak_days = models.PositiveSmallIntegerField(
        _("alert: days running"), default=3, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    school_absent_share = models.PositiveSmallIntegerField(
        _("dashboard: a school's share absent to flag it, %"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("attendance")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
