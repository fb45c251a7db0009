"""Shares shown on the dashboards, computed from totals (a class, school, district or the city on a day or
a period). ``static/attendance/live.js`` computes the same shares from live events: keep the two in step."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

# Upper bounds (%, exclusive) of the map's colour classes by share absent; the last class is open.
ABSENT_BUCKETS = (5, 10, 15, 20)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def shares(totals) -> dict[str, Decimal | None]:
    """Shares (%) from an object or dict with the count fields."""
    get = totals.get if isinstance(totals, dict) else lambda name, default=0: getattr(totals, name, default)
    enrolled, present = get("enrolled", 0) or 0, get("present", 0) or 0
    illness, valid, unexcused = (get(n, 0) or 0 for n in ("absent_illness", "absent_valid", "absent_unexcused"))
    return {
        "present_share": _share(present, enrolled),
        "absent_share": _share(illness + valid + unexcused, enrolled),
        "illness_share": _share(illness, enrolled),
        "unexcused_share": _share(unexcused, enrolled),
        "remote_share": _share(get("remote", 0) or 0, enrolled),
        "shelter_share": _share(get("in_shelter", 0) or 0, present),
    }


def absent_bucket(absent_share: Decimal | None) -> int | None:
    """The map colour class (0–4) of a share absent; None without data."""
    if absent_share is None:
        return None
    return next((i for i, bound in enumerate(ABSENT_BUCKETS) if absent_share < bound), len(ABSENT_BUCKETS))


# What a dashboard cell may show live (``data-live="<key>:<metric>"``, see static/attendance/live.js).
COUNT_METRICS = (
    "enrolled",
    "present",
    "absent",
    "absent_illness",
    "absent_valid",
    "absent_unexcused",
    "remote",
    "in_shelter",
    "schools_reported",
    "classes_reported",
)
SHARE_METRICS = ("present_share", "absent_share", "illness_share", "unexcused_share", "remote_share", "shelter_share")
COUNT_FIELDS = ("enrolled", "present", "absent_illness", "absent_valid", "absent_unexcused", "remote", "in_shelter")
NO_DATA = "—"
# Column headers of the dashboards' tables and exports.
METRIC_LABELS = {
    "schools_reported": _("Schools reported"),
    "classes_reported": _("Classes reported"),
    "enrolled": _("Enrolled"),
    "present": _("Present"),
    "present_share": _("Present, %"),
    "absent": _("Absent"),
    "absent_share": _("Absent, %"),
    "absent_illness": _("Ill"),
    "illness_share": _("Ill, %"),
    "absent_valid": _("Other valid reason"),
    "absent_unexcused": _("No reason"),
    "unexcused_share": _("No reason, %"),
    "remote": _("Remotely"),
    "remote_share": _("Remotely, %"),
    "in_shelter": _("In the shelter"),
    "shelter_share": _("In the shelter, % (of present)"),
}


def labelled(*names: str) -> list[tuple[str, str]]:
    """(metric, column header) of ``names``."""
    return [(name, str(METRIC_LABELS[name])) for name in names]


GROUP_SEPARATOR = "\u00a0"  # what Intl.NumberFormat("uk-UA") groups thousands with


def metrics_of(totals) -> dict:
    """Every live metric of an object or dict with the count fields; all None without data (``totals`` None).
    ``schools_reported`` and ``classes_reported`` are None where the totals do not carry them."""
    if totals is None:
        return dict.fromkeys(COUNT_METRICS + SHARE_METRICS)
    get = totals.get if isinstance(totals, dict) else lambda name, default=None: getattr(totals, name, default)
    values = {name: get(name, None) for name in COUNT_METRICS if name != "absent"}
    counts = {name: values[name] or 0 for name in COUNT_FIELDS}
    values.update(counts)
    values["absent"] = counts["absent_illness"] + counts["absent_valid"] + counts["absent_unexcused"]
    values.update(shares(counts))
    return values


def format_count(value) -> str:
    """A number as live.js writes it: uk-UA grouping with a no-break space; "—" without data."""
    if value is None:
        return NO_DATA
    return f"{int(value):,}".replace(",", GROUP_SEPARATOR)


def format_share(value) -> str:
    """A share as live.js writes it: one decimal, a decimal comma and "%"; "—" without data."""
    if value is None:
        return NO_DATA
    text = f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP):,}"
    return text.replace(",", GROUP_SEPARATOR).replace(".", ",") + "%"


def format_metric(value, metric: str) -> str:
    return format_share(value) if metric.endswith("_share") else format_count(value)
