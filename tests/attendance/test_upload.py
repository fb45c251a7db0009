"""Attendance from a CSV or XLSX file: good rows kept, bad rows reported with line and reason."""

import datetime as dt
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.attendance.models import ClassDay, SchoolDay

HEADER = "дата;клас;за списком;присутні;хвороба;інша поважна причина;без причини;режим;дистанційно учнів;в укритті"


def csv_file(lines: list[str], name: str = "attendance.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8-sig"), "text/csv")


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("attendance.xlsx", buffer.getvalue())


def upload(client, file):
    return client.post("/attendance/upload/", {"file": file})


def test_a_csv_with_good_and_bad_rows_keeps_the_good_ones(world, client_for, today):
    yesterday = today - dt.timedelta(days=1)
    d, y = today.strftime("%d.%m.%Y"), yesterday.isoformat()
    response = upload(
        client_for("school_a"),
        csv_file(
            [
                f"{d};1-А;25;23;2;0;0;очно;;",
                f"{d};5-А;28;20;3;0;0;очно;;",  # does not add up
                f"{d};9-Я;20;20;0;0;0;очно;;",  # unknown class
                f"{y};5-Б;27;26;0;1;0;змішано;4;",
                f"{d};5-Б;27;двадцять;0;0;0;очно;;",  # not a number
                f"{d};1-А;25;25;0;0;0;очно;;",  # the same class and day again
                f"{y};1-А;25;25;0;0;0;дистанційно;;",
                f"{d};5-Б;27;27;0;0;0;очно;;25",
            ]
        ),
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.saved == 4
    lines = dict(result.problems)
    assert set(lines) == {3, 4, 6, 7}
    assert "мають дорівнювати" in lines[3]
    assert "Невідомий клас «9-Я»" in lines[4]
    assert "не ціле число" in lines[6]
    assert "уже є вище" in lines[7]
    content = response.content.decode()
    assert "Відхилено 4 рядки" in content and "Збережено 4 рядки" in content
    assert ClassDay.objects.filter(school=world.school_a).count() == 4
    mixed = ClassDay.objects.get(school_class__name="5-Б", date=yesterday)
    assert (mixed.mode, mixed.remote, mixed.absent_valid) == ("mixed", 4, 1)
    sheltered = ClassDay.objects.get(school_class__name="5-Б", date=today)
    assert sheltered.sheltered and sheltered.in_shelter == 25
    assert SchoolDay.objects.get(school=world.school_a, date=today).in_shelter == 25


def test_an_xlsx_upload_with_english_keys_and_dates(world, client_for, today):
    response = upload(client_for("school_a"), xlsx_file([[today, "5-А", 28, 27, 1, 0, 0, "in_person", None, None]]))
    assert response.context["result"].saved == 1
    assert ClassDay.objects.get(school=world.school_a).absent_illness == 1


def test_a_file_without_the_columns_is_refused_whole(world, client_for):
    file = SimpleUploadedFile("a.csv", "клас,учні\n5-А,28\n".encode(), "text/csv")
    response = upload(client_for("school_a"), file)
    assert "немає стовпців" in response.content.decode()
    assert response.context["result"] is None
    assert not ClassDay.objects.exists()


def test_an_unsafe_or_foreign_file_is_refused(world, client_for):
    fake = SimpleUploadedFile("attendance.xlsx", b"MZ\x90\x00 not a workbook")
    response = upload(client_for("school_a"), fake)
    assert response.context["form"].errors["file"]
    assert not ClassDay.objects.exists()
    pdf = SimpleUploadedFile("attendance.pdf", b"%PDF-1.4\n%test\n")
    assert "CSV або XLSX" in upload(client_for("school_a"), pdf).content.decode()


def test_a_csv_not_in_utf8_is_refused_with_advice(world, client_for, today):
    file = SimpleUploadedFile("a.csv", f"{HEADER}\n{today:%d.%m.%Y};1-А;25;25;0;0;0;очно;;\n".encode("cp1251"))
    response = upload(client_for("school_a"), file)
    assert "CSV UTF-8" in response.content.decode()


def test_rows_of_another_school_are_unknown_classes(world, client_for, today):
    response = upload(client_for("school_c"), csv_file([f"{today:%d.%m.%Y};1-А;25;25;0;0;0;очно;;"]))
    assert response.context["result"].saved == 0
    assert not ClassDay.objects.exists()


def test_the_template_has_every_column_and_reads_back(world, client_for):
    response = client_for("school_a").get("/attendance/upload/template.xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADER.split(";")
    assert workbook.worksheets[1].max_row == 10
