"""Checks an uploaded document before anything is stored: its name, size, real content and (optionally) a scanner.

``check_upload`` returns the kind of file it found ("pdf", "docx", "xlsx", "odt", "ods", "txt", "csv", "png",
"jpeg") or raises ``ValidationError`` with a message for the editor. It reads only what it needs, never
decompresses an archive member of unchecked size, and leaves the file rewound for whoever saves it.
"""

import contextlib
import io
import logging
import re
import struct
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The kind of file each allowed extension must contain.
KIND_BY_EXTENSION = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "odt": "odt",
    "ods": "ods",
    "txt": "txt",
    "csv": "csv",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
}
ZIP_KINDS = {"docx", "xlsx", "odt", "ods"}
TEXT_KINDS = {"txt", "csv"}
IMAGE_KINDS = {"png", "jpeg"}

# Suffixes that must never hide inside a name ("x.exe.pdf", "a.html.pdf"): programs, scripts and markup a
# browser or a desktop would run or render.
DANGEROUS_SUFFIXES = {
    "exe", "bat", "cmd", "com", "scr", "pif", "cpl", "msi", "msp", "dll", "sys", "lnk", "reg", "hta",
    "js", "jse", "mjs", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "sh", "bash", "py", "pl", "rb", "php",
    "phtml", "phar", "asp", "aspx", "jsp", "cgi", "jar", "apk", "app", "iso", "img",
    "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "mht", "mhtml",
    "docm", "xlsm", "pptm", "dotm", "xltm",
}  # fmt: skip

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# The member that proves a ZIP really is the office document its extension claims.
ZIP_REQUIRED_MEMBER = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
# Members that carry macros: a macro-enabled document renamed to .docx/.xlsx.
MACRO_MEMBER = re.compile(r"(^|/)vbaproject\.bin$|(^|/)basic/", re.IGNORECASE)

# A member that expands more than this many times and to more than ZIP_BOMB_MIN_ENTRY_BYTES is a bomb;
# real office XML compresses 5–30 times.
ZIP_MAX_RATIO = 200
ZIP_BOMB_MIN_ENTRY_BYTES = 1024 * 1024
TEXT_SNIFF_BYTES = 4096
MARKUP_MARKERS = (
    b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<iframe", b"<object", b"<embed",
    b"<?xml-stylesheet", b"<xsl:", b"<meta http-equiv",
)  # fmt: skip


def kind_for_name(name: str) -> str | None:
    """The kind a stored file is expected to contain, judged by its extension."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return KIND_BY_EXTENSION.get(extension)


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def check_name(name: str) -> str:
    """The file's extension, once its name has been found safe; otherwise ``ValidationError``."""
    if not name or not name.strip():
        raise _refuse(_("The file has no name."), "no_name")
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in name):
        raise _refuse(
            _("The file name contains control characters. Rename the file and upload it again."), "control_characters"
        )
    if "/" in name or "\\" in name or ":" in name or name.strip(". ") == "":
        raise _refuse(
            _("The file name contains a path or a drive letter. Rename the file and upload it again."), "path_in_name"
        )
    parts = name.lower().split(".")
    extension = parts[-1].strip() if len(parts) > 1 else ""
    allowed = [ext.lower() for ext in getattr(settings, "WAGTAILDOCS_EXTENSIONS", KIND_BY_EXTENSION)]
    if extension not in allowed or extension not in KIND_BY_EXTENSION:
        raise _refuse(
            _("Files of type “%(extension)s” cannot be uploaded. Allowed types: %(allowed)s."),
            "extension_not_allowed",
            extension=extension or "—",
            allowed=", ".join(allowed),
        )
    for inner in parts[1:-1]:
        if re.sub(r"[^a-z0-9]", "", inner) in DANGEROUS_SUFFIXES:
            raise _refuse(
                _(
                    "The file name “%(name)s” hides another file type (.%(inner)s). Rename the file so that it "
                    "has a single extension."
                ),
                "double_extension",
                name=name,
                inner=re.sub(r"[^a-z0-9]", "", inner),
            )
    return extension


def _size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
    return size


def _read(uploaded_file, count: int, offset: int = 0) -> bytes:
    uploaded_file.seek(offset)
    return uploaded_file.read(count)


def _mismatch(extension: str) -> ValidationError:
    return _refuse(
        _(
            "The contents of the file do not match its extension “.%(extension)s”. Upload the original document "
            "rather than a renamed file."
        ),
        "content_mismatch",
        extension=extension,
    )


def _damaged() -> ValidationError:
    return _refuse(_("The file is damaged and cannot be opened. Save it again from the original program."), "damaged")


def _declared_entry_count(uploaded_file, size: int) -> int | None:
    """The number of members the ZIP's end-of-central-directory record declares, read before parsing anything."""
    tail_length = min(size, 22 + 65535)
    tail = _read(uploaded_file, tail_length, size - tail_length)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < 22:
        return None
    (total_entries,) = struct.unpack("<H", tail[position + 10 : position + 12])
    if total_entries == 0xFFFF:  # ZIP64: the real count is elsewhere; zipfile reads it and we count members then
        return None
    return total_entries


def _unsafe_member_name(name: str) -> bool:
    if not name or "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


def _check_zip(uploaded_file, kind: str, extension: str, size: int) -> None:
    max_files = settings.ECAB_ZIP_MAX_FILES
    max_total = settings.ECAB_ZIP_MAX_UNCOMPRESSED_BYTES
    too_many = _refuse(
        _("The document contains too many parts (more than %(max_files)s). It cannot be accepted."),
        "zip_too_many_files",
        max_files=max_files,
    )
    declared = _declared_entry_count(uploaded_file, size)
    if declared is not None and declared > max_files:
        raise too_many
    uploaded_file.seek(0)
    try:
        archive = zipfile.ZipFile(uploaded_file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error) as exc:
        raise _damaged() from exc
    with archive:
        members = archive.infolist()
        if len(members) > max_files:
            raise too_many
        total = 0
        for member in members:
            if _unsafe_member_name(member.filename):
                raise _refuse(
                    _("The document contains a part with an unsafe name (“%(member)s”). It cannot be accepted."),
                    "zip_unsafe_member",
                    member=member.filename[:100],
                )
            if member.flag_bits & 0x1:
                raise _refuse(
                    _("The document is password-protected. Remove the password and upload it again."),
                    "zip_encrypted",
                )
            if member.file_size > ZIP_BOMB_MIN_ENTRY_BYTES and (
                member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
            ):
                raise _refuse(
                    _("The document is compressed suspiciously strongly (a “zip bomb”). It cannot be accepted."),
                    "zip_bomb",
                )
            total += member.file_size
            if total > max_total:
                raise _refuse(
                    _("The document would take more than %(max_size)s when unpacked. It cannot be accepted."),
                    "zip_too_large",
                    max_size=filesizeformat(max_total),
                )
        names = {member.filename for member in members}
        if any(MACRO_MEMBER.search(name) for name in names):
            raise _refuse(
                _(
                    "The document contains macros. Save it without macros (as .docx, .xlsx, .odt or .ods) and "
                    "upload it again."
                ),
                "macros",
            )
        if kind in ZIP_REQUIRED_MEMBER:
            if ZIP_REQUIRED_MEMBER[kind] not in names or "[Content_Types].xml" not in names:
                raise _mismatch(extension)
        else:
            mimetype = archive.NameToInfo.get("mimetype")
            if mimetype is None or mimetype.file_size > 100:
                raise _mismatch(extension)
            try:
                content = archive.read(mimetype).strip()
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
                raise _damaged() from exc
            if content != ODF_MIMETYPES[kind]:
                raise _mismatch(extension)


def _check_text(uploaded_file, extension: str, size: int) -> None:
    uploaded_file.seek(0)
    data = uploaded_file.read(size + 1)
    if b"\x00" in data:
        raise _mismatch(extension)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError as exc:
            raise _refuse(_("The text file must be in UTF-8 or Windows-1251 encoding."), "text_encoding") from exc
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 200):
        raise _mismatch(extension)
    head = text[:TEXT_SNIFF_BYTES].lower().encode("utf-8", "ignore")
    head_stripped = head.lstrip()
    if head_stripped.startswith(b"<?xml") or any(marker in head for marker in MARKUP_MARKERS):
        raise _refuse(
            _(
                "The text file contains web page or script markup (HTML, SVG, XML). Such files cannot be uploaded; "
                "save the document as PDF or DOCX instead."
            ),
            "markup",
        )


def _check_content(uploaded_file, kind: str, extension: str, size: int) -> None:
    head = _read(uploaded_file, 16)
    if kind == "pdf":
        if not head.startswith(PDF_MAGIC):
            raise _mismatch(extension)
    elif kind == "png":
        if not head.startswith(PNG_MAGIC):
            raise _mismatch(extension)
    elif kind == "jpeg":
        if not head.startswith(JPEG_MAGIC):
            raise _mismatch(extension)
    elif kind in ZIP_KINDS:
        if not head.startswith(ZIP_MAGIC):
            raise _mismatch(extension)
        _check_zip(uploaded_file, kind, extension, size)
    elif kind in TEXT_KINDS:
        _check_text(uploaded_file, extension, size)
    else:  # pragma: no cover - KIND_BY_EXTENSION and the branches above cover every kind
        raise _mismatch(extension)


def _run_scanner(uploaded_file) -> None:
    scanner_path = getattr(settings, "ECAB_UPLOAD_SCANNER", "")
    if not scanner_path:
        return
    scanner = import_string(scanner_path)
    uploaded_file.seek(0)
    try:
        scanner(uploaded_file)
    except ValidationError:
        raise
    except Exception as exc:
        # Fail closed: a file the scanner could not look at is not accepted.
        logger.exception("Upload scanner %s failed", scanner_path)
        raise _refuse(_("The file could not be checked for viruses. Try again later."), "scanner_unavailable") from exc


def check_upload(uploaded_file) -> str:
    """Validate an uploaded file and return its kind; raise ``ValidationError`` with the reason otherwise."""
    try:
        extension = check_name(getattr(uploaded_file, "name", "") or "")
        kind = KIND_BY_EXTENSION[extension]
        size = _size(uploaded_file)
        if size == 0:
            raise _refuse(_("The file is empty."), "empty")
        max_bytes = settings.ECAB_UPLOAD_MAX_BYTES
        if size > max_bytes:
            raise _refuse(
                _("The file is too large (%(size)s). The largest allowed is %(max_size)s."),
                "too_large",
                size=filesizeformat(size),
                max_size=filesizeformat(max_bytes),
            )
        _check_content(uploaded_file, kind, extension, size)
        _run_scanner(uploaded_file)
        return kind
    finally:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            uploaded_file.seek(0)
