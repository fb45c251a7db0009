"""Plain text out of an uploaded document, for search: DOCX, PDF, XLSX, ODT/ODS, TXT/CSV. Images have none.

The text is capped at MAX_TEXT_CHARS so one large file cannot bloat the database or the search index.
"""

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from django.utils.translation import gettext_lazy as _

from .upload_safety import IMAGE_KINDS

MAX_TEXT_CHARS = 2_000_000


class ExtractionError(Exception):
    """A file whose text cannot be read; ``message`` is shown to the editor."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class _Collector:
    """Gathers lines of text until the cap is reached."""

    def __init__(self, limit: int | None = None):
        self.limit = limit or MAX_TEXT_CHARS
        self.parts: list[str] = []
        self.length = 0

    @property
    def full(self) -> bool:
        return self.length >= self.limit

    def add(self, text: str) -> None:
        text = text.strip()
        if not text or self.full:
            return
        self.parts.append(text)
        self.length += len(text) + 1

    def text(self) -> str:
        return "\n".join(self.parts)[: self.limit]


def _open(path_or_file):
    """A binary file object and whether we opened it (and must close it)."""
    if isinstance(path_or_file, str | os.PathLike):
        return Path(path_or_file).open("rb"), True
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    return path_or_file, False


def _docx(stream, out: _Collector) -> None:
    import docx
    from docx.table import Table

    document = docx.Document(stream)

    def table_lines(table) -> Iterator[str]:
        seen = set()  # holds the cell elements, so a merged cell repeated across the grid is read once
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell._tc in seen:
                    continue
                seen.add(cell._tc)
                cells.append(" ".join(line.strip() for line in block_lines(cell) if line.strip()))
            yield "\t".join(cell for cell in cells if cell)

    def block_lines(container) -> Iterator[str]:
        """Paragraphs and table rows (nested tables included) in document order."""
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                yield from table_lines(block)
            else:
                yield block.text

    for line in block_lines(document):
        if out.full:
            break
        out.add(line)


def _pdf(stream, out: _Collector) -> None:
    from pypdf import PdfReader

    reader = PdfReader(stream)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:
            raise ExtractionError(_("The PDF is password-protected, so its text cannot be read.")) from exc
    for page in reader.pages:
        if out.full:
            break
        out.add(page.extract_text() or "")


def _xlsx(stream, out: _Collector) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(stream, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            out.add(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                if out.full:
                    return
                out.add("\t".join(str(value) for value in row if value is not None and str(value).strip()))
    finally:
        workbook.close()


_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _odf(stream, out: _Collector) -> None:
    with zipfile.ZipFile(stream) as archive, archive.open("content.xml") as content:
        root = ElementTree.parse(content).getroot()  # noqa: S314 - expat refuses entity expansion bombs
    paragraph_tags = {f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h"}
    row_tag, cell_tag = f"{{{_ODF_TABLE}}}table-row", f"{{{_ODF_TABLE}}}table-cell"

    def walk(element) -> None:
        for child in element:
            if out.full:
                return
            if child.tag == row_tag:
                cells = [
                    " ".join(text.strip() for text in cell.itertext() if text.strip())
                    for cell in child
                    if cell.tag == cell_tag
                ]
                out.add("\t".join(cell for cell in cells if cell))
            elif child.tag in paragraph_tags:
                out.add("".join(child.itertext()))
            else:
                walk(child)

    walk(root)


def _plain(stream, out: _Collector) -> None:
    limit = MAX_TEXT_CHARS * 4  # enough bytes for MAX_TEXT_CHARS characters in any encoding
    data = stream.read(limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if len(data) == limit and exc.start >= len(data) - 3:  # a character cut in two by the read limit
            text = data[: exc.start].decode("utf-8-sig")
        else:
            text = data.decode("cp1251", errors="replace")
    out.add(text.replace("\x00", ""))


_EXTRACTORS = {
    "docx": _docx,
    "pdf": _pdf,
    "xlsx": _xlsx,
    "odt": _odf,
    "ods": _odf,
    "txt": _plain,
    "csv": _plain,
}


def has_text(kind: str | None) -> bool:
    return kind in _EXTRACTORS


def extract_text(path_or_file, kind: str) -> str:
    """The text of a document of the given kind (see upload_safety.KIND_BY_EXTENSION); "" for images."""
    if kind in IMAGE_KINDS:
        return ""
    extractor = _EXTRACTORS.get(kind)
    if extractor is None:
        raise ExtractionError(_("Text cannot be read from files of this type."))
    stream, opened = _open(path_or_file)
    try:
        if not isinstance(stream, io.IOBase) and not hasattr(stream, "read"):
            raise TypeError("extract_text needs a path or a binary file object")
        out = _Collector()
        extractor(stream, out)
        return out.text()
    finally:
        if opened:
            stream.close()
