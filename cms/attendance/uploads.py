"""Attendance from a file: CSV or XLSX with one row per class and day (columns in ``COLUMNS``, the header
in Ukrainian as in the template, or the English keys).

Each row is checked on its own; bad rows are reported with their line number and reason and the good rows
are saved, each day of the file through ``services.submit_attendance`` (one transaction per day)."""

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from cms.library.upload_safety import check_upload

from . import services
from .models import AttendanceSettings, LearningMode
from .services import ClassReport, Problem

# key, header in the template, description (shown under the upload form and in the template's notes)
COLUMNS = [
    ("date", "дата", gettext_lazy("date of the school day, DD.MM.YYYY or YYYY-MM-DD")),
    ("class", "клас", gettext_lazy("the class as the portal knows it, e.g. 5-А")),
    ("enrolled", "за списком", gettext_lazy("pupils enrolled")),
    ("present", "присутні", gettext_lazy("pupils present")),
    ("absent_illness", "хвороба", gettext_lazy("absent through illness")),
    ("absent_valid", "інша поважна причина", gettext_lazy("absent for another valid reason")),
    ("absent_unexcused", "без причини", gettext_lazy("absent without a reason")),
    ("mode", "режим", gettext_lazy("очно, дистанційно or змішано (in_person, remote, mixed)")),
    ("remote", "дистанційно учнів", gettext_lazy("for a mixed class: how many present pupils learn remotely")),
    ("in_shelter", "в укритті", gettext_lazy("on a day of an air-raid alert: pupils in the shelter; empty otherwise")),
]
HEADER_TO_KEY = {header: key for key, header, _d in COLUMNS} | {key: key for key, _h, _d in COLUMNS}
REQUIRED = {"date", "class", "enrolled", "present"}
MODE_WORDS = {
    "очно": LearningMode.IN_PERSON,
    "дистанційно": LearningMode.REMOTE,
    "змішано": LearningMode.MIXED,
    **{value: value for value in LearningMode.values},
}
MAX_ROWS = 5000


@dataclass
class UploadResult:
    saved: int = 0
    days: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


class UnreadableFile(Exception):
    pass


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Відвідуваність"
    sheet.append([header for _k, header, _d in COLUMNS])
    notes = workbook.create_sheet("Пояснення")
    for key, header, description in COLUMNS:
        notes.append([header, key, str(description)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(uploaded_file) -> list[tuple[int, dict]]:
    """(line number, {key: text}) for every non-empty row; raises ``ValidationError`` for an unsafe file and
    ``UnreadableFile`` for a file without the columns."""
    kind = check_upload(uploaded_file)
    if kind == "csv":
        raw = uploaded_file.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnreadableFile(_("The CSV file is not in UTF-8. Save it again as “CSV UTF-8”.")) from None
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
        table = list(csv.reader(io.StringIO(text), dialect))
    elif kind == "xlsx":
        workbook = load_workbook(uploaded_file, read_only=True, data_only=True)
        table = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 1)]
    else:
        raise UnreadableFile(_("Upload a CSV or XLSX file."))
    if not table:
        raise UnreadableFile(_("The file is empty."))
    header = [HEADER_TO_KEY.get(str(cell or "").strip().lower()) for cell in table[0]]
    missing = REQUIRED - set(header)
    if missing:
        names = ", ".join(h for k, h, _d in COLUMNS if k in missing)
        raise UnreadableFile(_("The file has no column(s): %(names)s. Start from the template.") % {"names": names})
    if len(table) > MAX_ROWS + 1:
        raise UnreadableFile(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        values = {key: cell for key, cell in zip(header, cells, strict=False) if key}
        if any(str(v).strip() for v in values.values() if v is not None):
            rows.append((line, values))
    return rows


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError


def _number(value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    raise ValueError


def parse_row(values: dict) -> tuple[dt.date, ClassReport]:
    """The date and report of one row; ``ValueError`` with a reason for what cannot be read."""
    try:
        date = _date(values.get("date"))
    except ValueError:
        raise ValueError(_("The date is not a date (DD.MM.YYYY).")) from None
    numbers = {}
    for key in ("enrolled", "present", "absent_illness", "absent_valid", "absent_unexcused", "remote", "in_shelter"):
        try:
            numbers[key] = _number(values.get(key))
        except ValueError:
            label = next(h for k, h, _d in COLUMNS if k == key)
            raise ValueError(_("“%(column)s” is not a whole number.") % {"column": label}) from None
    mode_text = str(values.get("mode") or "очно").strip().lower()
    if mode_text not in MODE_WORDS:
        raise ValueError(_("Unknown learning mode “%(mode)s”.") % {"mode": mode_text})
    for key in ("absent_illness", "absent_valid", "absent_unexcused"):
        numbers[key] = numbers[key] or 0
    return date, ClassReport(class_name=str(values.get("class") or "").strip(), mode=MODE_WORDS[mode_text], **numbers)


def import_file(*, school, uploaded_file, user) -> UploadResult:
    """Check every row, save the good ones; raises ``ValidationError``/``UnreadableFile`` for the whole file."""
    rows = read_rows(uploaded_file)
    config = AttendanceSettings.load()
    classes = services.active_classes(school)
    result = UploadResult()
    by_day: dict[dt.date, list[tuple[int, ClassReport]]] = defaultdict(list)
    seen = set()
    for line, values in rows:
        try:
            date, report = parse_row(values)
        except ValueError as exc:
            result.problems.append((line, str(exc)))
            continue
        problems: list[Problem] = services.check_date(date, config) + services.check_row(report, None, classes)
        if (date, report.class_name) in seen:
            problems.append(Problem(_("The same class and day are already given above.")))
        if problems:
            result.problems.append((line, " ".join(p.message for p in problems)))
            continue
        seen.add((date, report.class_name))
        by_day[date].append((line, report))
    for date, entries in sorted(by_day.items()):
        try:
            submission = services.submit_attendance(
                school=school, date=date, reports=[r for _l, r in entries], user=user, source="upload"
            )
        except services.AttendanceRefused as exc:  # e.g. the cut-off passed while the file was read
            result.problems += [(line, str(exc)) for line, _r in entries]
            continue
        result.saved += submission.created + submission.updated + submission.unchanged
        result.days += 1
    result.problems.sort()
    return result


__all__ = ["COLUMNS", "UnreadableFile", "ValidationError", "import_file", "template_workbook"]
