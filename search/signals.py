"""The search index follows writes that change what it filters on without saving each object."""

import logging

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import post_page_move

logger = logging.getLogger(__name__)


def _enqueue(path: str) -> None:
    from .tasks import reindex_moved_pages

    try:
        reindex_moved_pages.enqueue(path)
    except Exception:  # a queue outage must not fail the move, which is committed
        logger.exception("Could not queue the reindex of the pages moved to %s", path)


@receiver(post_page_move)
def reindex_when_pages_move(sender, instance, **kwargs) -> None:
    """A page moved (the admin's move, bulk move, or reorder): once committed, the pages whose paths changed are
    indexed again (``search.tasks.reindex_moved_pages``)."""
    path = instance.path
    transaction.on_commit(lambda: _enqueue(path))
