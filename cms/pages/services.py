"""Writes on content pages that editors make in bulk: archiving and a change of legal status.

Each change is saved as a new published revision (so a later publish does not undo it) and audit-logged.
"""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from .models import PortalPage, RegulationPage


def _publish_change(page, user, action: str, data: dict) -> None:
    revision = page.save_revision(user=user, log_action=False)
    revision.publish(user=user, log_action=False)
    log(instance=page, action=action, user=user, data=data)


@transaction.atomic
def archive_pages(pages, *, user) -> int:
    """Move pages to the archive; nothing is deleted. Returns how many were archived now."""
    count = 0
    for page in pages:
        page = page.specific
        if not isinstance(page, PortalPage) or page.archived_at is not None:
            continue
        page.archived_at = timezone.now()
        _publish_change(page, user, "pages.archive", {})
        count += 1
    return count


@transaction.atomic
def restore_pages(pages, *, user) -> int:
    count = 0
    for page in pages:
        page = page.specific
        if isinstance(page, PortalPage) and page.archived_at is not None:
            page.archived_at = None
            _publish_change(page, user, "pages.unarchive", {})
            count += 1
    return count


@transaction.atomic
def set_regulation_status(pages, *, status: str, user) -> int:
    count = 0
    for page in pages:
        page = page.specific
        if isinstance(page, RegulationPage) and page.status != status:
            previous = page.status
            page.status = status
            _publish_change(page, user, "pages.status_change", {"from": previous, "to": status})
            count += 1
    return count
