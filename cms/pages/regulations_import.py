"""Import a folder of normative acts into the normative base.

The folder holds .txt, .docx and .pdf files, one act each, and optionally

- ``index.csv`` (columns file, number, title, kind, date, url, ...): the metadata of each file;
- ``sources.md``: a Markdown table with the columns file ... note, whose notes say which acts are historical
  or were replaced (those are imported as repealed, and the act that replaced them is linked with ``replaces``).

Every file becomes a live RegulationPage; .docx and .pdf originals are also stored as library documents in the
city collection and attached to their page. Re-importing is idempotent: a page is found by its number, else by
its file name (``RegulationPage.source_file``), and is only revised when something changed. Amending laws
(«Про внесення змін до ...») are linked with ``amends`` to the acts they name, where those are imported.
One file is one transaction: a file that cannot be imported is reported with the reason and leaves nothing behind.
"""

import csv
import hashlib
import io
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cms.library.models import DocumentKind, LegalStatus, LibraryDocument

from .models import RegulationAttachment, RegulationIndexPage, RegulationPage

logger = logging.getLogger(__name__)

INDEX_FILE = "index.csv"
SOURCES_FILE = "sources.md"
SUPPORTED_EXTENSIONS = (".txt", ".docx", ".pdf")
ATTACHED_EXTENSIONS = (".docx", ".pdf")
SUMMARY_LENGTH = 300
TITLE_LENGTH = 255
SLUG_LENGTH = 100
VERKHOVNA_RADA = "Верховна Рада України"

# Kinds as index.csv (or a file name prefix such as law_/amend_) spells them -> DocumentKind.
KINDS = {
    "law": DocumentKind.LAW,
    "amending-law": DocumentKind.LAW,
    "constitution": DocumentKind.LAW,
    "code": DocumentKind.LAW,
    "закон": DocumentKind.LAW,
    "кодекс": DocumentKind.LAW,
    "конституція": DocumentKind.LAW,
    "resolution": DocumentKind.RESOLUTION,
    "постанова": DocumentKind.RESOLUTION,
    "order": DocumentKind.ORDER,
    "наказ": DocumentKind.ORDER,
    "letter": DocumentKind.LETTER,
    "лист": DocumentKind.LETTER,
    "directive": DocumentKind.DIRECTIVE,
    "розпорядження": DocumentKind.DIRECTIVE,
    "decision": DocumentKind.DECISION,
    "рішення": DocumentKind.DECISION,
    "regulation": DocumentKind.REGULATION,
    "положення": DocumentKind.REGULATION,
    "methodical": DocumentKind.METHODICAL,
    "report": DocumentKind.REPORT,
    "form": DocumentKind.FORM,
    "other": DocumentKind.OTHER,
}
# Acts of the Verkhovna Rada: laws, codes, the Constitution.
RADA_KINDS = {"law", "amending-law", "constitution", "code", "закон", "кодекс", "конституція"}
# File name prefixes of the laws folder: law_2145-19_pro-osvitu.txt, amend_..., constitution_...
PREFIX_KINDS = {"law": "law", "amend": "amending-law", "constitution": "constitution", "code": "code"}
AMENDING_TITLE = re.compile(r"^Про\s+внесення\s+змін", re.IGNORECASE)

# The header block of the laws folder's .txt files (metadata, not the act's text).
HEADER_LINE = re.compile(
    r"^(Назва|Номер \(zakon\.rada\.gov\.ua\)|Дата|Офіційне джерело|Статус \(за даними джерела\)|Отримано з):\s*(.*)$"
)

# «Закону України "Про освіту"», «законів України "Про освіту" та "Про ..."».
LAW_WORD = re.compile(r"\b[Зз]акон\w*\s+України\s+")
QUOTED = re.compile(r'\s*["«„“]([^"«»„“”]+)["»”“]')
QUOTE_SEPARATOR = re.compile(r"\s*(?:,|та|і|й)\s*")
GAZETTE = re.compile(r"\s*\(Відомості")
NUMBER_REF = re.compile(r"№\s*(\d+(?:/\d+)?-(?:[IVXLC]+|ВР|\d+))\b")

REPEALED_NOTE = re.compile(
    r"\b(?:historical|superseded|repealed|no longer in force|втратив чинність|скасовано)\b"
    r"|(?<!being )(?<!largely )(?<!partly )\breplaced by\b",
    re.IGNORECASE,
)
REPLACED_BY = re.compile(r"(?<!being )(?<!largely )(?<!partly )\breplaced by (?:the )?(?:Law )?(?:№\s*)?(\d[\w/]*-\w+)")
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# Ukrainian national transliteration (Cabinet of Ministers resolution No. 55 of 2010), for ASCII page slugs.
TRANSLITERATION = str.maketrans(
    {
        **dict(zip("абвгґдезиіклмнопрстуфыэ", "abvhgdezyiklmnoprstufye", strict=True)),
        **{"є": "ie", "ж": "zh", "ї": "i", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch"},
        **{"ю": "iu", "я": "ia", "ё": "io", "ь": "", "ъ": "", "’": "", "'": "", "ʼ": ""},
    }
)

ProgressCallback = Callable[[int, int, str], None]


class ImportFolderError(Exception):
    """The folder as a whole cannot be imported (not one file's problem)."""


class BadFile(Exception):
    """One file cannot be imported; the message says why."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    links: int = 0  # amends/replaces links added
    elapsed: float = 0.0

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.failed)


@dataclass
class Entry:
    """What index.csv (or, without it, the file name) says about one file."""

    file: str
    number: str = ""
    title: str = ""
    kind: str = ""
    document_date: date | None = None
    url: str = ""

    @property
    def is_amending(self) -> bool:
        return self.kind == "amending-law" or self.file.startswith("amend_") or bool(AMENDING_TITLE.match(self.title))


@dataclass(frozen=True)
class SourceNote:
    repealed: bool
    replaced_by: str = ""  # the number of the act that replaced it


# --- Metadata ---------------------------------------------------------------------------------------------------


def rada_number(value: str) -> str:
    """The zakon.rada.gov.ua form of a law's number: «2145-VIII» -> «2145-19», «651-XIV» -> «651-14»."""
    value = value.strip()
    match = re.fullmatch(r"(\d+)-([IVXLC]+)", value)
    if not match:
        return value
    numerals = [ROMAN[c] for c in match.group(2)]
    convocation = sum(-n if n < following else n for n, following in zip(numerals, [*numerals[1:], 0], strict=True))
    # Laws of the convocations since 2012 are numbered VII, VIII, IX...; before, XII, XIV...; the site adds 11.
    return f"{match.group(1)}-{convocation if convocation >= 12 else convocation + 11}"


def read_index(directory: Path) -> dict[str, dict[str, str]]:
    path = directory / INDEX_FILE
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "file" not in reader.fieldnames:
                raise ImportFolderError(_("index.csv has no «file» column."))
            rows = {}
            for row in reader:
                values = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
                if values.get("file"):
                    rows[values["file"]] = values
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFolderError(_("Cannot read index.csv: %(error)s") % {"error": exc}) from exc
    return rows


def read_source_notes(directory: Path) -> dict[str, SourceNote]:
    """The notes column of the Markdown table in sources.md, by file name."""
    path = directory / SOURCES_FILE
    if not path.is_file():
        return {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFolderError(_("Cannot read sources.md: %(error)s") % {"error": exc}) from exc
    notes: dict[str, SourceNote] = {}
    columns: list[str] | None = None
    for line in lines:
        line = line.strip()
        if not line.startswith("|"):
            columns = None
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if columns is None:
            columns = [cell.lower() for cell in cells]
            continue
        if "file" not in columns or "note" not in columns or all(re.fullmatch(r":?-+:?", c) for c in cells if c):
            continue
        row = dict(zip(columns, cells, strict=False))
        name, note = row.get("file", "").strip("` "), row.get("note", "")
        if name and note:
            replaced = REPLACED_BY.search(note)
            notes[name] = SourceNote(
                repealed=bool(REPEALED_NOTE.search(note)),
                replaced_by=rada_number(replaced.group(1)) if replaced else "",
            )
    return notes


def parse_date(value: str) -> date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise BadFile(_("invalid date in index.csv: «%(value)s»") % {"value": value})


def make_entry(name: str, row: dict[str, str] | None) -> Entry:
    if row is None:
        return Entry(file=name, kind=PREFIX_KINDS.get(name.split("_", 1)[0].lower(), ""))
    return Entry(
        file=name,
        number=row.get("number", ""),
        title=" ".join(row.get("title", "").split()),
        kind=row.get("kind", "").lower(),
        document_date=parse_date(row.get("date", "")),
        url=row.get("url", ""),
    )


# --- Text extraction --------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            text = ""
        if _looks_ukrainian(text):
            return text
    raise BadFile(_("the text is not in a readable encoding (UTF-8 or Windows-1251 expected)"))


def _looks_ukrainian(text: str) -> bool:
    """Windows-1251 decodes almost any bytes: only take it when the result is mostly Cyrillic text."""
    letters = [c for c in text if c.isalpha()]
    if not letters or any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        return False
    return sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters) >= 0.6


def read_docx(data: bytes) -> str:
    """Paragraphs and tables in document order; a table row becomes «cell | cell | cell»."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
                lines.append("")
            else:
                lines.append(block.text)
    except Exception as exc:  # python-docx raises zip, XML and key errors on damaged files
        raise BadFile(_("cannot read the Word document: %(error)s") % {"error": exc}) from exc
    return "\n".join(lines)


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:
            if any(cell._tc is element for element in seen):  # a merged cell repeats in every column it spans
                continue
            seen.append(cell._tc)
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadFile(_("the PDF is protected by a password"))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except BadFile:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise BadFile(_("cannot read the PDF: %(error)s") % {"error": exc}) from exc


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def split_header(text: str) -> tuple[dict[str, str], str]:
    """The «Назва: ...» header block of the laws folder's files, and the text after it."""
    lines = text.split("\n")
    header: dict[str, str] = {}
    position = 0
    while position < len(lines) and (match := HEADER_LINE.match(lines[position].strip())):
        header[match.group(1)] = match.group(2).strip()
        position += 1
    if "Назва" not in header:
        return {}, text
    return header, "\n".join(lines[position:]).strip()


def shorten(text: str, length: int) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut[length // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def summary_html(text: str) -> str:
    return f"<p>{escape(shorten(text, SUMMARY_LENGTH))}</p>"


def amended_titles(title: str, text: str) -> list[str]:
    """Titles of the laws an amending law names: in its title, else where the text first cites them."""
    titles = _quoted_law_titles(title)
    if not titles:
        titles = _quoted_law_titles(text, gazette=True)
    return titles


def _quoted_law_titles(text: str, *, gazette: bool = False) -> list[str]:
    titles: list[str] = []
    for match in LAW_WORD.finditer(text):
        position = match.end()
        while quoted := QUOTED.match(text, position):
            position = quoted.end()
            name = " ".join(quoted.group(1).split())
            if name.startswith("Про") and name not in titles and (not gazette or GAZETTE.match(text, position)):
                titles.append(name)
            separator = QUOTE_SEPARATOR.match(text, position)
            if separator is None:
                break
            position = separator.end()
    return titles


# --- The import -------------------------------------------------------------------------------------------------


def import_regulations(
    directory: Path, *, parent: RegulationIndexPage | None = None, progress: ProgressCallback | None = None
) -> ImportReport:
    """Import every .txt/.docx/.pdf file of ``directory`` under ``parent`` (default: the city normative base).

    ``progress(done, total, file_name)`` is called after each file. Raises ImportFolderError when the folder,
    its index.csv or the parent cannot be used; single files that fail are listed in ``report.failed``.
    """
    started = time.monotonic()
    directory = Path(directory)
    if not directory.is_dir():
        raise ImportFolderError(_("%(path)s is not a folder.") % {"path": directory})
    parent = _parent(parent)
    index = read_index(directory)
    importer = _Importer(parent, index, read_source_notes(directory))

    jobs: list[tuple[str, Entry | None, str]] = []  # (file name, its entry, or why it cannot be imported)
    present = set()
    for path in sorted(directory.iterdir()):
        if not path.is_file() or _is_metadata(path.name):
            continue
        present.add(path.name)
        try:
            jobs.append((path.name, make_entry(path.name, index.get(path.name)), ""))
        except BadFile as exc:
            jobs.append((path.name, None, str(exc)))
    missing = _("listed in index.csv, but the file is missing")
    jobs += [(name, None, missing) for name in index if name not in present]
    jobs.sort(key=_order)

    for done, (name, entry, error) in enumerate(jobs, start=1):
        if entry is None:
            importer.report.failed.append((name, error))
        else:
            importer.run(directory / name, entry)
        if progress is not None:
            progress(done, len(jobs), name)
    importer.report.elapsed = time.monotonic() - started
    return importer.report


def _order(job: tuple[str, Entry | None, str]) -> tuple:
    """Failures first; then older acts before newer and amending laws last, so what they replace or amend is there."""
    name, entry, _error = job
    if entry is None:
        return (0, False, date.min, name)
    return (1, entry.is_amending, entry.document_date or date.min, name)


def _parent(parent) -> RegulationIndexPage:
    if parent is None:
        from .tree import city_regulation_index

        try:
            return city_regulation_index()
        except RegulationIndexPage.DoesNotExist as exc:
            raise ImportFolderError(_("There is no city normative base yet: create the page tree first.")) from exc
    parent = parent.specific
    if not isinstance(parent, RegulationIndexPage):
        raise ImportFolderError(_("Acts can only be imported into a normative base page."))
    return parent


def _is_metadata(name: str) -> bool:
    lowered = name.lower()
    return lowered in (INDEX_FILE, SOURCES_FILE) or lowered.startswith((".", "readme"))


class _Importer:
    def __init__(self, parent: RegulationIndexPage, index: dict[str, dict[str, str]], notes: dict[str, SourceNote]):
        self.parent = parent
        self.index = index
        self.notes = notes
        self.report = ImportReport()
        self.numbers: dict[str, str] = {}  # number -> file, in this run
        self._collection = None
        self._new_files: list[str] = []

    def run(self, path: Path, entry: Entry) -> None:
        self._new_files = []
        try:
            with transaction.atomic():
                outcome = self.import_file(path, entry)
        except BadFile as exc:
            self._fail(path.name, str(exc))
        except ValidationError as exc:
            self._fail(path.name, "; ".join(exc.messages))
        except Exception as exc:  # one file's failure must not stop the others
            logger.exception("Importing %s failed", path)
            self._fail(path.name, str(exc) or exc.__class__.__name__)
        else:
            getattr(self.report, outcome).append(path.name)
            if entry.number:
                self.numbers[entry.number] = path.name

    def _fail(self, name: str, reason: str) -> None:
        self.report.failed.append((name, reason))
        self._collection = None  # it may have been created in the transaction that rolled back
        for file_name in self._new_files:  # the database rolled back; the stored files go too
            LibraryDocument._meta.get_field("file").storage.delete(file_name)

    # One file ---------------------------------------------------------------------------------------------------

    def import_file(self, path: Path, entry: Entry) -> str:
        extension = path.suffix.lower()
        if extension not in SUPPORTED_EXTENSIONS:
            raise BadFile(
                _("unsupported file type «%(extension)s» (.txt, .docx and .pdf are imported)")
                % {"extension": extension or path.name}
            )
        if entry.number in self.numbers:
            raise BadFile(
                _("the number %(number)s is already taken by %(file)s")
                % {"number": entry.number, "file": self.numbers[entry.number]}
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadFile(_("cannot read the file: %(error)s") % {"error": exc.strerror or exc}) from exc
        if not data.strip():
            raise BadFile(_("the file is empty"))
        if extension == ".txt":
            raw = decode_text(data)
        elif extension == ".docx":
            raw = read_docx(data)
        else:
            raw = read_pdf(data)
        header, text = split_header(normalise(raw))
        if not text:
            if extension == ".pdf":
                raise BadFile(_("no text could be extracted from the PDF (a scan?)"))
            raise BadFile(_("the file contains no text"))

        title = entry.title or header.get("Назва", "")
        if not title and extension != ".pdf":
            title = text.split("\n", 1)[0]
        title = title or Path(path.name).stem.replace("_", " ")
        note = self.notes.get(path.name)
        values = {
            "title": shorten(title, TITLE_LENGTH),
            "number": entry.number,
            "document_date": entry.document_date,
            "kind": KINDS.get(entry.kind, DocumentKind.OTHER),
            "issuer": VERKHOVNA_RADA if entry.kind in RADA_KINDS else "",
            "status": LegalStatus.REPEALED if note and note.repealed else LegalStatus.IN_FORCE,
            "source_url": entry.url,
            "summary": summary_html(text),
            "text": text,
            "source_file": path.name,
        }
        amends = (
            self._amended(entry, title, text, path.name) if entry.is_amending or AMENDING_TITLE.match(title) else []
        )
        replaces = self._replaced(entry.number, path.name)
        attachment = (path.name, data) if extension in ATTACHED_EXTENSIONS else None

        page = self._find(entry.number, path.name)
        if page is None:
            self._create(path, values, amends, replaces, attachment)
            return "created"
        return "updated" if self._update(page, values, amends, replaces, attachment) else "unchanged"

    def _create(self, path: Path, values: dict, amends: list, replaces: list, attachment) -> RegulationPage:
        page = RegulationPage(slug=self._slug(path), **values)
        if attachment is not None:
            document = self._new_document(*attachment, values)
            page.attachments = [RegulationAttachment(document=document, caption=attachment[0])]
        page.amends = amends
        page.replaces = replaces
        self.parent.add_child(instance=page)
        page.save_revision().publish()
        self.report.links += len(amends) + len(replaces)
        return page

    def _update(self, page: RegulationPage, values: dict, amends: list, replaces: list, attachment) -> bool:
        """Revise and publish the page if what the source says differs from it. Editors' work stays: the summary
        is only rewritten when the text changes, the status only set when sources.md says the act was repealed,
        and links are only ever added."""
        values = dict(values)
        if page.text == values["text"]:
            del values["summary"]
        if values["status"] != LegalStatus.REPEALED:
            del values["status"]
        changed = [name for name, value in values.items() if getattr(page, name) != value]
        current_amends = {act.pk for act in page.amends.all()}
        current_replaces = {act.pk for act in page.replaces.all()}
        new_amends = [act for act in amends if act.pk not in current_amends and act.pk != page.pk]
        new_replaces = [act for act in replaces if act.pk not in current_replaces and act.pk != page.pk]
        document_values = {**values, "status": values.get("status", page.status)}
        document_changed = attachment is not None and self._sync_document(page, attachment, document_values)
        if not (changed or new_amends or new_replaces or document_changed):
            return False
        for name in changed:
            setattr(page, name, values[name])
        if new_amends:
            page.amends = [*page.amends.all(), *new_amends]
        if new_replaces:
            page.replaces = [*page.replaces.all(), *new_replaces]
        page.save_revision().publish()
        self.report.links += len(new_amends) + len(new_replaces)
        return True

    # Relations --------------------------------------------------------------------------------------------------

    def _find(self, number: str, file_name: str) -> RegulationPage | None:
        pages = RegulationPage.objects.child_of(self.parent)
        page = pages.filter(number=number).first() if number else None
        return page or pages.filter(source_file=file_name).first()

    def _amended(self, entry: Entry, title: str, text: str, file_name: str) -> list[RegulationPage]:
        """The imported acts an amending law amends (best effort): by the numbers and the titles it names."""
        pages = RegulationPage.objects.child_of(self.parent).exclude(source_file=file_name)
        if entry.number:
            pages = pages.exclude(number=entry.number)
        found: dict[int, RegulationPage] = {}
        for number in NUMBER_REF.findall(title):
            for page in pages.filter(number=rada_number(number)):
                found[page.pk] = page
        for name in amended_titles(title, text):
            candidates = list(pages.filter(title=name))
            if entry.document_date is not None:  # an act can only amend what existed on its date
                candidates = [
                    page
                    for page in candidates
                    if page.document_date is None or page.document_date <= entry.document_date
                ]
            if candidates:
                latest = max(candidates, key=lambda page: page.document_date or date.min)
                found[latest.pk] = latest
        return list(found.values())

    def _replaced(self, number: str, file_name: str) -> list[RegulationPage]:
        """The imported acts sources.md says this one replaced."""
        if not number:
            return []
        replaced = []
        for old_file, note in self.notes.items():
            if note.replaced_by == number and old_file != file_name:
                old = self._find(self.index.get(old_file, {}).get("number", ""), old_file)
                if old is not None:
                    replaced.append(old)
        return replaced

    def _slug(self, path: Path) -> str:
        base = slugify(path.stem.lower().translate(TRANSLITERATION))[:SLUG_LENGTH].strip("-_") or "act"
        siblings = set(self.parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
        slug, counter = base, 1
        while slug in siblings:
            counter += 1
            slug = f"{base}-{counter}"
        return slug

    # Documents --------------------------------------------------------------------------------------------------

    def _document_values(self, values: dict) -> dict:
        """The metadata of the attached original. Its text is the library's: cms.library.signals queues the
        extraction whenever a document's file is new or changed."""
        return {
            "title": values["title"],
            "kind": values["kind"],
            "number": values["number"],
            "document_date": values["document_date"],
            "issuer": values["issuer"],
            "status": values["status"],
        }

    def _new_document(self, name: str, data: bytes, values: dict) -> LibraryDocument:
        from cms.accounts.permissions import city_collection

        if self._collection is None:
            self._collection = city_collection()
        document = LibraryDocument(collection=self._collection, **self._document_values(values))
        self._store_file(document, name, data)
        document.save()
        return document

    def _store_file(self, document: LibraryDocument, name: str, data: bytes) -> None:
        document.file.save(name, ContentFile(data), save=False)
        self._new_files.append(document.file.name)
        document.file_size = len(data)
        document.file_hash = hashlib.sha1(data, usedforsecurity=False).hexdigest()

    def _sync_document(self, page: RegulationPage, attachment: tuple[str, bytes], values: dict) -> bool:
        """Bring the attached original up to date: its file and its metadata. True if anything changed."""
        name, data = attachment
        file_hash = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        attachments = list(page.attachments.all())
        current = next((a for a in attachments if a.document.file_hash == file_hash), None) or next(
            (a for a in attachments if a.caption == name), None
        )
        if current is None:
            page.attachments.add(RegulationAttachment(document=self._new_document(name, data, values), caption=name))
            return True
        document, changed = current.document, False
        if document.file_hash != file_hash:
            old_file = document.file.name
            self._store_file(document, name, data)
            storage = document.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
            changed = True
        for field_name, value in self._document_values(values).items():
            if getattr(document, field_name) != value:
                setattr(document, field_name, value)
                changed = True
        if changed:
            document.save()
        return changed
