"""The search index follows writes that change what it filters on without saving each object."""

import logging

from django.dispatch import receiver
from wagtail.signals import post_page_move

from .indexing import OncePerCommit

logger = logging.getLogger(__name__)


class MovedPagesOnCommit(OncePerCommit):
    """The paths of the pages moved in a transaction, queued as one task once committed."""

    def run(self, paths: list[str]) -> None:
        from .tasks import reindex_moved_pages

        try:
            reindex_moved_pages.enqueue(*paths)
        except Exception:  # a queue outage must not fail the move, which is committed
            logger.exception("Could not queue the reindex of the pages moved to %s", ", ".join(paths))


@receiver(post_page_move)
def reindex_when_pages_move(sender, instance, **kwargs) -> None:
    """A page moved (the admin's move, bulk move, or reorder): once committed, the pages whose paths changed are
    indexed again (``search.tasks.reindex_moved_pages``). The moves committed together are one task: a bulk
    move appends each page after the ones moved before it, whose tasks would each have written the later pages
    again (work growing with the square of the pages moved)."""
    MovedPagesOnCommit.add(instance.path)
