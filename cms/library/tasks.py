"""Background work of the library: reading the text of an uploaded document for search."""

import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from search.indexing import reindex

from .extraction import ExtractionError, extract_text, has_text
from .models import ExtractionStatus, LibraryDocument
from .upload_safety import kind_for_name

logger = logging.getLogger(__name__)

FAILED_MESSAGE = _(
    "The text of this document could not be read, so search will not find its contents. The file itself is "
    "kept unchanged; if it opens on your computer, save it again (for example as PDF or DOCX) and replace it."
)


def _record(document_id: int, **fields) -> None:
    """Store the outcome with an UPDATE: the file is never touched and no save signal runs again."""
    LibraryDocument.objects.filter(pk=document_id).update(**fields)
    reindex_document(document_id)


def reindex_document(document_id: int) -> None:
    """Write the document's search index entry again from what is stored (nothing if it is gone). A failure is
    logged: the search index must never undo what was stored."""
    reindex(LibraryDocument.objects.filter(pk=document_id))


@task()
def extract_document_text(document_id: int) -> str:
    """Read the text of a document into ``extracted_text``; record a failure for the editor instead of raising."""
    document = LibraryDocument.objects.filter(pk=document_id).first()
    if document is None or not document.file:
        return "missing"
    kind = kind_for_name(document.file.name)
    if not has_text(kind):
        _record(document_id, extracted_text="", extraction_status=ExtractionStatus.NOT_APPLICABLE, extraction_error="")
        return ExtractionStatus.NOT_APPLICABLE
    try:
        with document.file.open("rb") as stream:
            text = extract_text(stream, kind)
    except Exception as exc:
        logger.warning("Text extraction failed for document %s (%s)", document_id, document.file.name, exc_info=True)
        message = exc.message if isinstance(exc, ExtractionError) else FAILED_MESSAGE
        with translation.override(settings.LANGUAGE_CODE):
            error = str(message)
        _record(document_id, extracted_text="", extraction_status=ExtractionStatus.FAILED, extraction_error=error)
        return ExtractionStatus.FAILED
    _record(
        document_id,
        extracted_text=text.replace("\x00", ""),
        extraction_status=ExtractionStatus.DONE,
        extraction_error="",
    )
    return ExtractionStatus.DONE
