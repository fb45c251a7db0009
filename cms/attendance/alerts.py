"""Alerts: a class over a threshold of absence through illness, on one day or several days running.

Each alert is raised once (a unique row per class, rule and day; a run of days raises one streak alert, not
one per day of it), shown on the dashboards of the school's district and the city, and e-mailed once to the
district office and the department by a background task."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_tasks import task

from cms.accounts.roles import CAPABILITIES, ROLE_LEVEL
from cms.org.models import Level

from . import writes
from .models import Alert, AttendanceSettings, ClassDay, SchoolClass, SchoolDay

STREAK_LOOKBACK_DAYS = 45


class DayCounts(NamedTuple):
    """As much of a class day as alert evaluation reads."""

    date: dt.date
    enrolled: int
    absent_illness: int


def illness_share(day: ClassDay) -> Decimal:
    """The share of a class absent through illness on a day (anything with ``enrolled`` and
    ``absent_illness``), in % to one decimal."""
    if not day.enrolled:
        return Decimal(0)
    return (Decimal(day.absent_illness * 100) / day.enrolled).quantize(Decimal("0.1"))


def may_raise(day, config: AttendanceSettings) -> bool:
    """Whether a class's numbers of the day can raise an alert at all: both rules need the day itself at or
    over a threshold (a streak is counted back from the day), so a class under both raises none, whatever
    its earlier days. ``evaluate`` need not read the history of the others."""
    return illness_share(day) >= min(config.illness_share, config.streak_share)


def evaluate(school_day: SchoolDay, classes: list[SchoolClass], config: AttendanceSettings) -> list[Alert]:
    """Raise the alerts the day's numbers of ``classes`` call for; returns the new ones (no query when
    ``classes`` is empty)."""
    if not classes:
        return []
    date = school_day.date
    since = date - dt.timedelta(days=STREAK_LOOKBACK_DAYS)
    history, already = defaultdict(list), set()
    for class_id, day, enrolled, ill, rule in writes.alert_history([c.pk for c in classes], since, date):
        if rule is None:
            history[class_id].append(DayCounts(day, enrolled, ill))
        else:
            already.add((class_id, rule, day))
    new = []
    for school_class in classes:
        days = history.get(school_class.pk, [])
        if not days or days[0].date != date:
            continue
        share = illness_share(days[0])
        if share >= config.illness_share and (school_class.pk, Alert.Rule.ILLNESS_SHARE, date) not in already:
            new.append(_alert(school_day, school_class, Alert.Rule.ILLNESS_SHARE, share, 1))
        run = 0
        for day in days:  # consecutive reported days, newest first, at or over the streak share
            if illness_share(day) < config.streak_share:
                break
            run += 1
        run_dates = {d.date for d in days[:run]}
        streak_raised = any((school_class.pk, Alert.Rule.ILLNESS_STREAK, d) in already for d in run_dates)
        if run >= config.streak_days and not streak_raised:
            new.append(_alert(school_day, school_class, Alert.Rule.ILLNESS_STREAK, share, run))
    if new:
        ids = writes.raise_alerts(new, [c.pk for c in classes], date)
        transaction.on_commit(lambda: send_alert_mail.enqueue(ids))
    return new


def _alert(school_day, school_class, rule, share, days) -> Alert:
    return Alert(
        school_id=school_day.school_id,
        district_id=school_day.district_id,
        school_class=school_class,
        date=school_day.date,
        rule=rule,
        share=share,
        days=days,
    )


def recipients(alert: Alert) -> list[str]:
    """The district office of the school and the department's people who receive attendance alerts."""
    roles = CAPABILITIES["attendance_alert_mail"]
    users = get_user_model().objects.filter(is_active=True, role__in=roles).exclude(email="")
    city_roles = [role for role in roles if ROLE_LEVEL[role] == Level.CITY]
    users = users.filter(Q(role__in=city_roles) | Q(district_id=alert.district_id, district_id__isnull=False))
    return sorted(set(users.values_list("email", flat=True)))


def describe(alert: Alert) -> str:
    values = {
        "school": alert.school.short_name or alert.school.name,
        "class": alert.school_class.name,
        "share": number_format(alert.share, decimal_pos=1, use_l10n=True),
        "days": alert.days,
        "date": alert.date.strftime("%d.%m.%Y"),
    }
    if alert.rule == Alert.Rule.ILLNESS_STREAK:
        return (
            _("%(school)s, class %(class)s: %(share)s%% absent through illness, %(days)d days running (%(date)s).")
            % values
        )
    return _("%(school)s, class %(class)s: %(share)s%% absent through illness on %(date)s.") % values


@task()
def send_alert_mail(alert_ids: list[int]) -> int:
    """E-mail each alert once: an alert is claimed (``emailed_at`` set) before its message goes out, so a
    repeated task does not send it again."""
    sent = 0
    with translation.override("uk"):
        for alert in Alert.objects.filter(pk__in=alert_ids).select_related("school", "school_class"):
            claimed = Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
            to = recipients(alert)
            if not claimed or not to:
                continue
            send_mail(_("Attendance alert"), describe(alert), None, to)
            sent += 1
    return sent
