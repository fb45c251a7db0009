"""The text of uploaded documents is extracted in the background; a failure is recorded and shown to the editor."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from cms.library import extraction
from cms.library.extraction import extract_text
from cms.library.models import ExtractionStatus, LibraryDocument
from cms.library.tasks import extract_document_text
from tests.search.conftest import refresh_indexes

from . import samples

pytestmark = pytest.mark.django_db


# extract_text ---------------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_document_order():
    text = extract_text(io.BytesIO(samples.make_docx()), "docx")
    assert "Наказ про зарахування учнів" in text
    for cell in samples.DOCX_TABLE_CELLS:
        assert cell in text
    assert "Прізвище учня\tКлас" in text, "a table row keeps its cells together"
    order = [text.index(part) for part in ("Наказ про зарахування", "НАКАЗУЮ", "Шевченко Тарас", "Директор ліцею")]
    assert order == sorted(order)


def test_docx_merged_cells_are_read_once():
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Об'єднана клітинка"
    table.cell(0, 2).text = "Окрема"
    out = io.BytesIO()
    document.save(out)
    text = extract_text(io.BytesIO(out.getvalue()), "docx")
    assert text.count("Об'єднана клітинка") == 1
    assert "Окрема" in text


def test_pdf_text_of_every_page(tmp_path):
    path = tmp_path / "nakaz.pdf"
    path.write_bytes(samples.make_pdf())
    text = extract_text(path, "pdf")  # a path works as well as a file
    assert "Наказ про зарахування учнів" in text
    assert "Kyiv 2026" in text


def test_xlsx_every_sheet_and_cell():
    text = extract_text(io.BytesIO(samples.make_xlsx()), "xlsx")
    assert "Заклад освіти\tКількість учнів" in text
    assert "Ліцей № 241\t812" in text
    assert "Дані станом на 1 вересня" in text, "the second sheet is read too"


def test_odt_and_ods_text():
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        f'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        f'xmlns:text="{text_ns}" xmlns:table="{table_ns}"><office:body><office:text>'
        "<text:h>Наказ про зарахування учнів</text:h><text:p>Перший <text:span>абзац</text:span></text:p>"
        "<table:table><table:table-row><table:table-cell><text:p>Клас</text:p></table:table-cell>"
        "<table:table-cell><text:p>5-А</text:p></table:table-cell></table:table-row></table:table>"
        "</office:text></office:body></office:document-content>"
    ).encode()
    data = samples.make_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content})
    text = extract_text(io.BytesIO(data), "odt")
    assert "Наказ про зарахування учнів" in text
    assert "Перший абзац" in text
    assert "Клас\t5-А" in text


def test_plain_text_in_utf8_and_cp1251():
    phrase = "Наказ про зарахування учнів"
    assert extract_text(io.BytesIO(("\ufeff" + phrase).encode()), "txt") == phrase
    assert extract_text(io.BytesIO(phrase.encode("cp1251")), "csv") == phrase


def test_images_have_no_text():
    assert extract_text(io.BytesIO(samples.PNG_BYTES), "png") == ""


def test_extracted_text_is_capped(monkeypatch):
    monkeypatch.setattr(extraction, "MAX_TEXT_CHARS", 1000)
    text = extract_text(io.BytesIO(("Рядок тексту " * 500).encode()), "txt")
    assert len(text) == 1000
    assert text.startswith("Рядок тексту")


# The background task, through the admin -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("nakaz.docx", samples.make_docx(), ["Наказ про зарахування учнів", "Шевченко Тарас", "5-А"]),
        ("nakaz.pdf", samples.make_pdf(), ["Наказ про зарахування учнів"]),
        ("merezha.xlsx", samples.make_xlsx(), ["Ліцей № 241", "812", "Дані станом на 1 вересня"]),
    ],
)
def test_uploaded_documents_get_their_text(upload, name, data, words):
    assert upload(name, data, title="Документ з текстом").status_code == 302
    document = LibraryDocument.objects.get(title="Документ з текстом")
    assert document.extraction_status == ExtractionStatus.DONE
    assert document.extraction_error == ""
    for word in words:
        assert word in document.extracted_text
    refresh_indexes()  # an engine shows a write once its index is refreshed (the database backends at once)
    assert document in LibraryDocument.objects.search(words[0].split()[-1]), "search finds the document by its text"


def test_an_image_has_nothing_to_extract(upload):
    assert upload("logo.png", samples.PNG_BYTES, title="Логотип").status_code == 302
    document = LibraryDocument.objects.get(title="Логотип")
    assert document.extraction_status == ExtractionStatus.NOT_APPLICABLE
    assert document.extracted_text == ""


def test_a_failed_extraction_is_recorded_and_shown_to_the_editor(upload, editor, media):
    data = samples.broken_pdf()
    assert upload("zlamanyi.pdf", data, title="Зламаний PDF").status_code == 302, "it passes the upload checks"
    document = LibraryDocument.objects.get(title="Зламаний PDF")
    assert document.extraction_status == ExtractionStatus.FAILED
    assert len(document.extraction_error) > 20
    assert document.extracted_text == ""
    assert (media / document.file.name).read_bytes() == data, "the upload itself is kept unchanged"

    response = editor.get(reverse("wagtaildocs:edit", args=[document.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("uk"):
        heading = gettext("Text extraction failed.")
    assert escape(heading) in html
    assert escape(document.extraction_error) in html


def test_the_error_is_stored_in_the_site_language(upload, settings):
    settings.LANGUAGE_CODE = "uk"
    upload("zlamanyi.pdf", samples.broken_pdf(), title="Зламаний PDF")
    document = LibraryDocument.objects.get(title="Зламаний PDF")
    with translation.override("uk"):
        assert document.extraction_error == gettext(
            "The text of this document could not be read, so search will not find its contents. The file itself "
            "is kept unchanged; if it opens on your computer, save it again (for example as PDF or DOCX) and "
            "replace it."
        )


def test_edit_page_of_a_good_document_shows_no_failure(upload, editor):
    upload("nakaz.docx", samples.make_docx(), title="Добрий документ")
    document = LibraryDocument.objects.get(title="Добрий документ")
    html = editor.get(reverse("wagtaildocs:edit", args=[document.pk])).content.decode()
    with translation.override("uk"):
        assert escape(gettext("Text extraction failed.")) not in html


def test_replacing_the_file_extracts_again(upload, editor, django_capture_on_commit_callbacks, media):
    upload("zlamanyi.pdf", samples.broken_pdf(), title="Виправлений наказ")
    document = LibraryDocument.objects.get(title="Виправлений наказ")
    assert document.extraction_status == ExtractionStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("wagtaildocs:edit", args=[document.pk]),
            {
                "title": "Виправлений наказ",
                "file": SimpleUploadedFile("vypravlenyi.docx", samples.make_docx()),
                "collection": document.collection_id,
                "kind": "order",
                "language": "uk",
                "status": "in_force",
            },
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.DONE
    assert document.extraction_error == ""
    assert "Шевченко Тарас" in document.extracted_text


def test_editing_details_only_does_not_extract_again(upload, editor, django_capture_on_commit_callbacks):
    upload("nakaz.docx", samples.make_docx(), title="Наказ")
    document = LibraryDocument.objects.get(title="Наказ")
    LibraryDocument.objects.filter(pk=document.pk).update(extracted_text="збережений текст")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor.post(
            reverse("wagtaildocs:edit", args=[document.pk]),
            {
                "title": "Наказ (нова назва)",
                "collection": document.collection_id,
                "kind": "order",
                "language": "uk",
                "status": "in_force",
            },
        )
    assert response.status_code == 302
    assert callbacks == []
    document.refresh_from_db()
    assert document.title == "Наказ (нова назва)"
    assert document.extracted_text == "збережений текст"


def test_upload_queues_the_task_in_the_database_backend(upload, settings):
    """With the production backend the upload only queues the work; the worker runs it later."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload("nakaz.docx", samples.make_docx(), title="У черзі")
    document = LibraryDocument.objects.get(title="У черзі")
    assert document.extraction_status == ExtractionStatus.PENDING
    queued = DBTaskResult.objects.get(task_path="cms.library.tasks.extract_document_text")
    assert queued.args_kwargs == {"args": [document.pk], "kwargs": {}}


def test_task_for_a_missing_document_does_nothing():
    result = extract_document_text.enqueue(987654)
    assert result.return_value == "missing"


def test_a_document_whose_zip_breaks_later_fails_cleanly(media, world):
    """A DOCX that passed the checks but cannot be parsed (no styles, broken XML) fails without raising."""
    data = samples.make_zip(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document><broken"}, zipfile.ZIP_DEFLATED
    )
    document = LibraryDocument.objects.create(title="Поламаний DOCX", file=SimpleUploadedFile("x.docx", data))
    result = extract_document_text.enqueue(document.pk)
    assert result.return_value == ExtractionStatus.FAILED
    document.refresh_from_db()
    assert document.extraction_status == ExtractionStatus.FAILED
    assert document.extraction_error
    assert (media / document.file.name).read_bytes() == data
