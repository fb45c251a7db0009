from django import template
from django.conf import settings

from cms.attendance.metrics import absent_bucket

register = template.Library()


@register.inclusion_tag("attendance/_live.html")
def live_attendance():
    """The live-update script of a dashboard (it needs an element with ``data-live-date``)."""
    return {"live_events_url": settings.LIVE_EVENTS_URL}


@register.filter
def share_bucket(absent_share):
    """The map colour class of a share absent (see metrics.ABSENT_BUCKETS)."""
    bucket = absent_bucket(absent_share)
    return "" if bucket is None else f"share-{bucket}"
