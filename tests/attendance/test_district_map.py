"""The city map: the real district boundaries projected to SVG on the server, cached, coloured by share
absent through the same classes live.js sets."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cms.accounts.permissions import setup_roles
from cms.accounts.roles import Role
from cms.attendance import district_map
from cms.attendance.metrics import ABSENT_BUCKETS, absent_bucket
from cms.attendance.models import SchoolClass
from cms.attendance.services import submit_attendance, today
from cms.org.importers import import_districts
from cms.org.models import District
from tests.attendance.helpers import report
from tests.conftest import sign_in
from tests.factories import SchoolFactory, make_user

DISTRICTS = Path(settings.SHARED_DATA_DIR) / "districts" / "kyiv_districts_slim.geojson"


@pytest.fixture
def kyiv(db):
    district_map.clear_cache()
    import_districts(DISTRICTS)
    yield District.objects.order_by("name")
    district_map.clear_cache()


def _numbers(path: str) -> list[int]:
    return [int(n) for n in re.findall(r"-?\d+", path)]


def test_the_ten_districts_fit_the_view_box(kyiv):
    outline = district_map.city_outline()
    assert len(outline.shapes) == 10 == kyiv.count()
    assert outline.width == district_map.WIDTH and 400 < outline.height < 800  # Kyiv is about as tall as wide
    for shape in outline.shapes.values():
        assert re.fullmatch(r"(M\d+ \d+( \d+ \d+){2,}Z)+", shape.path), shape.path[:80]
        xs, ys = _numbers(shape.path)[0::2], _numbers(shape.path)[1::2]
        assert min(xs) >= 0 and max(xs) <= outline.width
        assert min(ys) >= 0 and max(ys) <= outline.height
    # The whole map touches both sides of the view box (fitted, not just inside it).
    every_x = [x for shape in outline.shapes.values() for x in _numbers(shape.path)[0::2]]
    assert min(every_x) <= district_map.PADDING + 1 and max(every_x) >= outline.width - district_map.PADDING - 1


def test_paths_are_light(kyiv):
    outline = district_map.city_outline()
    size = sum(len(shape.path) for shape in outline.shapes.values())
    source_points = sum(len(ring) for d in kyiv for polygon in [d.boundary.geometry["coordinates"]] for ring in polygon)
    drawn_points = sum(len(_numbers(shape.path)) // 2 for shape in outline.shapes.values())
    assert size < 20_000
    assert drawn_points < source_points / 3


def test_projection_keeps_north_up_and_east_right(kyiv):
    outline = district_map.city_outline()

    def centre(name: str) -> tuple[float, float]:
        numbers = _numbers(outline.shapes[District.objects.get(name=name).pk].path)
        return sum(numbers[0::2]) / len(numbers[0::2]), sum(numbers[1::2]) / len(numbers[1::2])

    obolon, holosiiv = centre("Оболонський"), centre("Голосіївський")
    desna, sviatoshyn = centre("Деснянський"), centre("Святошинський")
    assert obolon[1] < holosiiv[1]  # Obolon is north of Holosiiv
    assert desna[0] > sviatoshyn[0]  # Desna (left bank) is east of Sviatoshyn


def test_outline_is_cached_until_a_district_changes(kyiv, django_assert_num_queries):
    first = district_map.city_outline()
    with django_assert_num_queries(0):
        assert district_map.city_outline() is first
    district = kyiv.first()
    boundary = district.boundary
    boundary.geometry = {"type": "Polygon", "coordinates": [[[30.5, 50.4], [30.6, 50.4], [30.6, 50.5], [30.5, 50.4]]]}
    boundary.save()
    second = district_map.city_outline()
    assert second is not first
    district.save()  # renamed, say
    assert district_map.city_outline() is not second


def test_geometries_other_than_polygons_are_left_out():
    outline = district_map.project(
        {
            1: {"type": "Point", "coordinates": [30.5, 50.4]},
            2: {"type": "MultiPolygon", "coordinates": [[[[30.5, 50.4], [30.6, 50.4], [30.6, 50.5], [30.5, 50.4]]]]},
            3: None,
        }
    )
    assert set(outline.shapes) == {2}


def test_city_page_draws_the_map_coloured_by_share_absent(kyiv, client):
    setup_roles()
    holosiiv = District.objects.get(name="Голосіївський")
    school = SchoolFactory(district=holosiiv)
    SchoolClass.objects.create(school=school, name="5-А", grade=5, enrolled=20)
    director = make_user(Role.SCHOOL_DIRECTOR, school=school, username="dir-map")
    submit_attendance(
        school=school, date=today(), reports=[report("5-А", 20, ill=3)], user=director, source="form"
    )  # 15 % absent
    sign_in(client, make_user(Role.DON_ANALYST, username="analyst-map"))
    html = client.get(reverse("attendance:home")).content.decode()
    areas = re.findall(
        r'<path d="[^"]+" class="district-area no-data ?([a-z0-9-]*)" data-live-fill="district:(\d+)"', html
    )
    assert len(areas) == 10
    colours = {int(district_id): css for css, district_id in areas}
    assert colours[holosiiv.pk] == f"share-{absent_bucket(15)}" == "share-3"
    assert all(css == "" for pk, css in colours.items() if pk != holosiiv.pk)  # no data: the no-data style
    assert f'href="{reverse("attendance:district", args=[holosiiv.slug])}"' in html
    assert "<title>Голосіївський: 15,0%</title>" in html
    assert html.count('class="swatch share-') == len(ABSENT_BUCKETS) + 1  # the legend
