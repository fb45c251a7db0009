from django import template
from django.conf import settings
from django.utils import timezone

from cms.attendance import live
from cms.attendance.metrics import METRIC_LABELS, absent_bucket, format_count, format_metric, format_share

register = template.Library()


@register.inclusion_tag("attendance/_live.html")
def live_attendance():
    """The live-update script of a dashboard (it needs an element with ``data-live-date``). ``live_since`` is
    the event id of the moment the page is rendered: the stream catches up from it when it opens."""
    return {"live_events_url": settings.LIVE_EVENTS_URL, "live_since": live.event_id(timezone.now())}


@register.filter
def share_bucket(absent_share):
    """The map colour class of a share absent (see metrics.ABSENT_BUCKETS)."""
    bucket = absent_bucket(absent_share)
    return "" if bucket is None else f"share-{bucket}"


@register.filter
def count(value):
    """A number formatted as live.js formats it (the server's and the live text are the same)."""
    return format_count(value)


@register.filter
def share(value):
    """A share formatted as live.js formats it."""
    return format_share(value)


@register.filter
def metric(metrics, name):
    """A metric of a row's metrics, formatted as live.js formats it: ``{{ row.metrics|metric:"present" }}``."""
    return format_metric(metrics.get(name) if metrics else None, name)


@register.simple_tag
def metric_label(name):
    """The column header of a metric (the same as in the exports)."""
    return METRIC_LABELS[name]
