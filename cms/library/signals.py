"""Text extraction follows the file: a new document, or a document whose file changed, is queued for it. The
search index follows the tags, which change without a save."""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_init, post_save, pre_save
from django.dispatch import receiver

from search.indexing import reindex_on_commit

from .models import ExtractionStatus, LibraryDocument

logger = logging.getLogger(__name__)


def _file_key(instance: LibraryDocument) -> tuple[str, str] | None:
    """The stored file's name and hash, read without loading deferred fields."""
    if "file" not in instance.__dict__:
        return None
    file = instance.__dict__["file"]
    name = getattr(file, "name", file) or ""
    return str(name), instance.__dict__.get("file_hash", "") or ""


@receiver(post_init, sender=LibraryDocument)
def remember_file(sender, instance: LibraryDocument, **kwargs) -> None:
    instance._extraction_file_key = _file_key(instance)


@receiver(pre_save, sender=LibraryDocument)
def reset_extraction_when_file_changes(sender, instance: LibraryDocument, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "file" not in update_fields):
        instance._extraction_needed = False
        return
    file = instance.file
    changed = (
        instance._state.adding
        or not getattr(file, "_committed", True)
        or _file_key(instance) != getattr(instance, "_extraction_file_key", None)
    )
    instance._extraction_needed = bool(changed and file)
    if instance._extraction_needed:
        instance.extracted_text = ""
        instance.extraction_status = ExtractionStatus.PENDING
        instance.extraction_error = ""


def _enqueue(document_id: int) -> None:
    from .tasks import extract_document_text

    try:
        extract_document_text.enqueue(document_id)
    except Exception:  # a queue outage must not fail the upload; the document stays "pending"
        logger.exception("Could not queue text extraction for document %s", document_id)


@receiver(post_save, sender=LibraryDocument)
def queue_extraction(sender, instance: LibraryDocument, raw=False, **kwargs) -> None:
    if not raw and getattr(instance, "_extraction_needed", False):
        document_id = instance.pk
        transaction.on_commit(lambda: _enqueue(document_id))
    instance._extraction_needed = False
    instance._extraction_file_key = _file_key(instance)


@receiver(m2m_changed, sender=LibraryDocument.tags.through)
def reindex_when_tags_change(sender, instance, action: str, pk_set=None, **kwargs) -> None:
    """A document's tags are searched (Wagtail's document search fields), and they change without a save of the
    document (the admin's bulk «Tag» action adds them so): once committed, it is indexed again. Before, a
    search for the tag found nothing until ``update_index``."""
    if action not in {"post_add", "post_remove", "post_clear"} or not isinstance(instance, LibraryDocument):
        return
    if action != "post_clear" and not pk_set:  # the edit form sets the tags it was given: none changed
        return
    reindex_on_commit(LibraryDocument, [instance.pk])  # with the others the transaction tagged: one write
