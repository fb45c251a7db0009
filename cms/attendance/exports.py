"""Exports of the attendance dashboards: the tables of any view as XLSX or CSV, and the city's daily
summary as DOCX. They are built from the same context the page shows (same selectors, same scope).

CSV is written for Excel with Ukrainian regional settings: UTF-8 with a byte-order mark, ";" between
fields and a decimal comma in shares.
"""

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .alerts import describe
from .metrics import METRIC_LABELS, format_metric, labelled

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("xlsx", "csv")


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]


EXPORTED_METRICS = (
    "enrolled",
    "present",
    "present_share",
    "absent",
    "absent_share",
    "absent_illness",
    "illness_share",
    "absent_valid",
    "absent_unexcused",
    "remote",
    "remote_share",
    "in_shelter",
    "shelter_share",
)
SUMMARY_DISTRICT_METRICS = (
    "schools_reported",
    "enrolled",
    "present_share",
    "illness_share",
    "remote_share",
    "shelter_share",
)


def metrics_table(title: str, first_header: str, rows, *, extra: Sequence[tuple[str, str]] = ()) -> Table:
    """A table of dashboard rows (``selectors.Row``): a label and every metric."""
    columns = [*extra, *labelled(*EXPORTED_METRICS)]
    return Table(
        title,
        [first_header, *(header for _name, header in columns)],
        [[row.label, *(row.metrics.get(name) for name, _header in columns)] for row in rows],
    )


def trend_table(points) -> Table:
    return Table(
        _("Trend"),
        [
            _("Period"),
            METRIC_LABELS["present_share"],
            _("A year earlier"),
            METRIC_LABELS["illness_share"],
            _("A year earlier"),
        ],
        [
            [
                point.label,
                point.current["present_share"],
                point.earlier["present_share"],
                point.current["illness_share"],
                point.earlier["illness_share"],
            ]
            for point in points
        ],
    )


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def xlsx_bytes(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, workbook.sheetnames))
        sheet.append([str(header) for header in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_plain(value) for value in row])
        sheet.freeze_panes = "B2"
        sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, taken: list[str]) -> str:
    """Excel's limits: 31 characters, none of []:*?/\\, unique."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31]
    name, n = clean, 2
    while name in taken:
        name = f"{clean[:28]} {n}"
        n += 1
    return name


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


def csv_bytes(tables: list[Table]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows([_csv_value(value) for value in row] for row in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_response(fmt: str, tables: list[Table], name: str, date: dt.date) -> HttpResponse:
    """``name``-``date``.xlsx or .csv of ``tables``."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(tables), content_type=XLSX)
    elif fmt == "csv":
        response = HttpResponse(csv_bytes(tables), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(True, f"attendance-{name}-{date.isoformat()}.{fmt}")
    return response


# --- the city's daily summary ---------------------------------------------------------------------


def city_summary_docx(context: dict) -> bytes:
    """The city's day as a Word document: totals, the districts, schools not reported, alerts."""
    from docx import Document

    date = context["date"]
    city = context["totals"]
    document = Document()
    document.add_heading(_("Attendance in Kyiv's schools"), level=0)
    document.add_paragraph(_("Daily summary for %(date)s") % {"date": date.strftime("%d.%m.%Y")})

    document.add_heading(_("The city"), level=1)
    totals = document.add_table(rows=0, cols=2)
    totals.style = "Table Grid"
    for name, header in labelled("schools_reported", *EXPORTED_METRICS):
        cells = totals.add_row().cells
        value = city.get(name)
        cells[0].text = header
        cells[1].text = format_metric(value, name)

    document.add_heading(_("Districts"), level=1)
    columns = labelled(*SUMMARY_DISTRICT_METRICS)
    table = document.add_table(rows=1, cols=len(columns) + 1)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("District"), *(h for _n, h in columns)], strict=True):
        cell.text = text
    for row in context["rows"]:
        cells = table.add_row().cells
        cells[0].text = row.label
        for cell, (name, _header) in zip(cells[1:], columns, strict=True):
            value = row.metrics.get(name)
            cell.text = format_metric(value, name)

    document.add_heading(_("Schools not reported yet"), level=1)
    document.add_paragraph(
        ngettext(
            "%(count)s working school has not reported for the day.",
            "%(count)s working schools have not reported for the day.",
            context["not_reported_count"],
        )
        % {"count": context["not_reported_count"]}
    )
    for group in context["not_reported"]:
        document.add_paragraph(f"{group.label}: {len(group.schools)}", style="List Bullet")

    document.add_heading(_("Alerts"), level=1)
    if not context["alerts"]:
        document.add_paragraph(_("No alerts for the day."))
    for alert in context["alerts"]:
        document.add_paragraph(describe(alert), style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_response(content: bytes, date: dt.date) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"attendance-summary-{date.isoformat()}.docx")
    return response
