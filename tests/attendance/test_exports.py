"""Exports of the attendance dashboards: XLSX and CSV of every view, the city's DOCX summary; the files are
opened and read back, and an export outside the user's scope answers 404 like its page."""

import csv
import io

import docx
import openpyxl
import pytest
from django.urls import reverse

from cms.attendance.services import today
from tests.attendance.helpers import report, submit


def _submit(world):
    submit(world, "school_a", world.school_a, [report("1-А", 25, ill=2, valid=1), report("5-А", 28, unexcused=1)])
    submit(world, "school_c", world.school_c, [report("5-А", 26, ill=8)])  # an alert: 30,8 % ill


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_city_xlsx_has_the_district_table_and_the_rest(world, client_for):
    _submit(world)
    response = client_for("don").get(reverse("attendance:home"), {"format": "xlsx"})
    assert f"attendance-city-{today().isoformat()}.xlsx" in response["Content-Disposition"]
    book = _workbook(response)
    assert len(book.sheetnames) == 5  # districts, not reported, over the threshold, alerts, trend
    districts = _rows(book.worksheets[0])
    by_name = {row[0]: row for row in districts[1:]}
    # Columns: district, schools reported, enrolled, present, present %, ...
    assert by_name["Голосіївський"][1:4] == [1, 53, 49]
    assert by_name["Оболонський"][1:4] == [1, 26, 18]
    assert by_name["Голосіївський"][4] == pytest.approx(92.5)
    not_reported = _rows(book.worksheets[1])
    assert [row[1] for row in not_reported[1:]] == ["Ліцей № 241"]
    alerts = _rows(book.worksheets[3])
    assert any(row[1] == "Ліцей № 143" and row[2] == "5-А" for row in alerts[1:])


def test_district_csv_has_its_schools_with_a_bom_and_decimal_commas(world, client_for):
    _submit(world)
    response = client_for("own_ruo").get(reverse("attendance:district", args=[world.district.slug]), {"format": "csv"})
    assert f"attendance-{world.district.slug}-{today().isoformat()}.csv" in response["Content-Disposition"]
    rows = _csv(response)
    schools = {row[0]: row for row in rows[2:5] if row}
    assert schools["Гімназія № 236"][1:5] == ["2", "53", "49", "92,5"]
    assert schools["Ліцей № 241"][1:5] == ["", "", "", ""]
    assert "Ліцей № 143" not in response.content.decode("utf-8-sig")


def test_school_and_class_exports(world, client_for):
    _submit(world)
    client = client_for("school_a")
    book = _workbook(client.get(reverse("attendance:school", args=[world.school_a.pk]), {"format": "xlsx"}))
    classes = {row[0]: row for row in _rows(book.worksheets[0])[1:]}
    assert classes["1-А"][1:3] == [25, 22] and classes["5-Б"][1] is None
    by_day = _rows(book.worksheets[1])
    assert by_day[1][0] == today().strftime("%d.%m.%Y") and by_day[1][1:3] == [2, 53]
    class_1a = world.school_a.classes.get(name="1-А")
    rows = _csv(client.get(reverse("attendance:class", args=[world.school_a.pk, class_1a.pk]), {"format": "csv"}))
    assert rows[2][:3] == [today().strftime("%d.%m.%Y"), "25", "22"]


def test_city_docx_summary(world, client_for):
    _submit(world)
    response = client_for("don").get(reverse("attendance:home"), {"format": "docx"})
    assert response.status_code == 200
    assert f"attendance-summary-{today().isoformat()}.docx" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert today().strftime("%d.%m.%Y") in text
    assert "Ліцей № 143" in text and "5-А" in text  # the alert
    assert any(p.text.startswith("1 ") for p in document.paragraphs)  # one school not reported (B)
    city, districts = document.tables[0], document.tables[1]
    city_values = {row.cells[0].text: row.cells[1].text for row in city.rows}
    assert "79" in city_values.values() and "2" in city_values.values()  # enrolled, schools reported
    district_rows = {row.cells[0].text: [c.text for c in row.cells] for row in districts.rows[1:]}
    assert district_rows["Голосіївський"][1:3] == ["1", "53"]
    assert district_rows["Голосіївський"][3] == "92,5%"


@pytest.mark.parametrize(
    ("actor", "url_of"),
    [
        ("other_ruo", lambda w: reverse("attendance:district", args=[w.district.slug])),
        ("school_a", lambda w: reverse("attendance:district", args=[w.district.slug])),
        ("school_b", lambda w: reverse("attendance:school", args=[w.school_a.pk])),
        ("other_ruo", lambda w: reverse("attendance:school", args=[w.school_a.pk])),
    ],
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_outside_the_scope_answer_404(world, client_for, actor, url_of, fmt):
    assert client_for(actor).get(url_of(world), {"format": fmt}).status_code == 404


def test_unknown_format_answers_404(world, client_for):
    assert client_for("don").get(reverse("attendance:home"), {"format": "pdf"}).status_code == 404
    assert client_for("own_ruo").get(reverse("attendance:home"), {"format": "docx"}).status_code == 302
