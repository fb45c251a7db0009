import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cms.groups.models import Community, Membership
from cms.org.importers import COLUMNS, LOCATION_KATOTTG_COLUMN, ImportFileError, import_districts, import_schools
from cms.org.models import District, DistrictBoundary, School

DATA = settings.SHARED_DATA_DIR
REGISTRY = DATA / "schools" / "kyiv_schools_edebo_2023-08-02.csv"
DISTRICTS = DATA / "districts" / "kyiv_districts_slim.geojson"
HEADER = [*COLUMNS, LOCATION_KATOTTG_COLUMN]
HOLOSIIV = "UA80000000000126643"


@pytest.fixture
def districts(db):
    import_districts(DISTRICTS)


def _row(**overrides) -> dict:
    row = {
        "Повна назва": "Ліцей № 1 міста Києва",
        "Код в ЄДЕБО": "999001",
        "Скорочена назва": "Ліцей № 1",
        "Код ЄДРПОУ": "12345678",
        "Статус": "працює",
        "Тип закладу": "ліцей",
        "Форма власності": "Комунальна",
        "Місцезнаходження (юридична адреса)": "вулиця Велика Васильківська, 1",
        "Головний заклад": "",
        "Найменування органу, до сфери управління якого належить заклад освіти": (
            "Управління освіти Голосіївської районної в місті Києві державної адміністрації"
        ),
        "Телефон": "(044)1234567",
        "Веб-сайт": "",
        LOCATION_KATOTTG_COLUMN: HOLOSIIV,
    }
    row.update(overrides)
    return row


def _write(path: Path, rows: list[dict], encoding="utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_districts_from_geojson(db):
    report = import_districts(DISTRICTS)
    assert report.created == 10 and not report.errors
    assert set(District.objects.values_list("name", flat=True)) >= {"Голосіївський", "Солом’янський", "Оболонський"}
    holosiiv = District.objects.get(slug="holosiivskyi")
    assert holosiiv.boundary.geometry["type"] == "Polygon"
    again = import_districts(DISTRICTS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    DistrictBoundary.objects.filter(district=holosiiv).update(geometry={"type": "Point", "coordinates": [30, 50]})
    repaired = import_districts(DISTRICTS)
    assert (repaired.updated, repaired.unchanged) == (1, 9)
    assert DistrictBoundary.objects.get(district=holosiiv).geometry["type"] == "Polygon"


def test_a_school_read_with_its_district_does_not_read_the_boundary(db, django_assert_num_queries):
    import_districts(DISTRICTS)
    School.objects.create(edebo_code="1", name="Школа", district=District.objects.get(slug="holosiivskyi"))
    with django_assert_num_queries(1) as queries:
        school = School.objects.select_related("district").get(edebo_code="1")
    assert school.district.slug == "holosiivskyi"
    assert "geometry" not in queries.captured_queries[0]["sql"]


def test_real_registry_yields_606_schools_586_working_in_10_districts(districts):
    report = import_schools(REGISTRY)
    assert report.errors == []
    assert School.objects.count() == 606
    assert School.objects.working().count() == 586
    assert School.objects.filter(district__isnull=False).values("district").distinct().count() == 10
    # a handful are managed by the city or national bodies directly, not by a district office
    city_managed = School.objects.filter(district__isnull=True)
    assert 0 < city_managed.count() < 20
    assert all("районної" not in s.managing_body for s in city_managed)
    # closed schools are kept, inactive
    closed = School.objects.filter(status__in=School.CLOSED_STATUSES)
    assert closed.count() == 7 and not closed.filter(is_active=True).exists()
    gymnasium = School.objects.get(edebo_code="148438")
    assert gymnasium.short_name == "Гімназія № 236"
    assert gymnasium.district.name == "Голосіївський"
    assert gymnasium.edrpou == "22879470"


def test_reimport_updates_and_never_duplicates(districts, tmp_path):
    import_schools(REGISTRY)
    again = import_schools(REGISTRY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 606)
    assert School.objects.count() == 606
    path = _write(tmp_path / "one.csv", [_row(**{"Код в ЄДЕБО": "148438", "Телефон": "(044)0000000"})])
    changed = import_schools(path)
    assert (changed.created, changed.updated) == (0, 1)
    assert School.objects.get(edebo_code="148438").phone == "(044)0000000"
    assert School.objects.count() == 606


def test_bad_rows_are_reported_and_good_rows_kept(districts, tmp_path):
    rows = [
        _row(),
        _row(**{"Код в ЄДЕБО": ""}),
        _row(**{"Код в ЄДЕБО": "12A"}),
        _row(),  # duplicate code
        _row(**{"Код в ЄДЕБО": "999002", "Статус": "невідомо"}),
        _row(
            **{
                "Код в ЄДЕБО": "999003",
                "Найменування органу, до сфери управління якого належить заклад освіти": (
                    "Управління освіти Бучанської районної в місті Києві державної адміністрації"
                ),
            }
        ),
        _row(**{"Код в ЄДЕБО": "999004", LOCATION_KATOTTG_COLUMN: "UA00000000000000000"}),
        _row(**{"Код в ЄДЕБО": "999005", "Повна назва": ""}),
        _row(**{"Код в ЄДЕБО": "999006"}),
    ]
    report = import_schools(_write(tmp_path / "mixed.csv", rows))
    assert report.created == 2
    assert set(School.objects.values_list("edebo_code", flat=True)) == {"999001", "999006"}
    reasons = dict(report.errors)
    assert len(report.errors) == 7
    assert "ЄДЕБО" in reasons[3] and "12A" in reasons[4] and "повторює" in reasons[5]
    assert "невідомий статус" in reasons[6]
    assert "невідомий район" in reasons[7]
    assert "UA00000000000000000" in reasons[8]
    assert "назви" in reasons[9]


def test_bad_encoding_rows_are_reported(districts, tmp_path):
    good = _write(tmp_path / "good.csv", [_row()]).read_bytes()
    path = tmp_path / "mixed-encoding.csv"
    # a row in cp1251 inside a UTF-8 file: the whole row is refused, the good one goes in
    line = ",".join(_row(**{"Код в ЄДЕБО": "999011", "Повна назва": "Гімназія № 3"}).values()).encode("cp1251")
    path.write_bytes(good + line + b"\n")
    report = import_schools(path)
    assert report.created == 1
    assert report.errors and "кодування" in report.errors[0][1]


def test_whole_file_in_another_encoding_can_be_named(districts, tmp_path):
    path = _write(tmp_path / "cp1251.csv", [_row()], encoding="cp1251")
    with pytest.raises(ImportFileError, match="cp1251"):
        import_schools(path)
    assert import_schools(path, encoding="cp1251").created == 1


def test_missing_columns_refuse_the_file(districts, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="бракує стовпців"):
        import_schools(path)
    assert School.objects.count() == 0


def test_closing_a_school_deactivates_it_and_updates_its_community(districts, tmp_path):
    path = _write(tmp_path / "a.csv", [_row(), _row(**{"Код в ЄДЕБО": "999020"})])
    call_command("import_schools", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    community = Community.objects.get(district__slug="holosiivskyi")
    assert community.memberships.count() == 2
    _write(path, [_row(**{"Статус": "ліквідовано"}), _row(**{"Код в ЄДЕБО": "999020"})])
    call_command("import_schools", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    school = School.objects.get(edebo_code="999001")
    assert not school.is_active and school.status == "ліквідовано"
    assert list(community.memberships.values_list("school__edebo_code", flat=True)) == ["999020"]


def test_moving_a_school_moves_its_district_membership(districts, tmp_path):
    path = _write(tmp_path / "a.csv", [_row()])
    call_command("import_schools", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    body = "Управління освіти Оболонської районної в місті Києві державної адміністрації"
    _write(path, [_row(**{"Найменування органу, до сфери управління якого належить заклад освіти": body})])
    call_command("import_schools", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    school = School.objects.get(edebo_code="999001")
    assert school.district.slug == "obolonskyi"
    assert Membership.objects.filter(school=school, automatic=True).get().community.district.slug == "obolonskyi"


def test_command_prints_a_summary_and_the_rejected_lines(districts, tmp_path):
    path = _write(tmp_path / "a.csv", [_row(), _row(**{"Код в ЄДЕБО": ""})])
    out, err = io.StringIO(), io.StringIO()
    call_command("import_schools", str(path), stdout=out, stderr=err)
    assert "створено 1" in out.getvalue()
    assert "рядок 3" in err.getvalue() and "немає коду ЄДЕБО" in err.getvalue()


field_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries(dict.fromkeys(HEADER, field_text)), max_size=6))
def test_any_csv_content_is_either_imported_or_reported(districts, tmp_path_factory, rows):
    """Whatever the rows hold, the importer never crashes, never duplicates and accounts for every row."""
    path = _write(tmp_path_factory.mktemp("fuzz") / "f.csv", rows)
    before = School.objects.count()
    report = import_schools(path)
    again = import_schools(path)
    assert report.total + len(report.errors) == len(rows)
    assert School.objects.count() == before + report.created
    assert again.created == 0
