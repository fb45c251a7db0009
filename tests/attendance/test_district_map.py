"""The city map: the real district boundaries projected to SVG on the server, cached, coloured by share
absent through the same classes live.js sets."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
    # Each area links to its district's page on the same day, as the table does.
    assert f'href="{reverse("attendance:district", args=[holosiiv.slug])}?date={today().isoformat()}"' in html
    assert "<title>Голосіївський: 15,0%</title>" in html
    assert html.count('class="swatch share-') == len(ABSENT_BUCKETS) + 1  # the legend


# --- a district's page: its own district alone ---------------------------------------------------------


def _map_section(html: str) -> str:
    (section,) = re.findall(r'<section class="card" aria-labelledby="map-title">.*?</section>', html, re.S)
    return section


@pytest.fixture
def reported(kyiv):
    """Голосіївський 15 % absent and Оболонський 35 % absent today, and Голосіївський's office."""
    setup_roles()
    holosiiv, obolon = District.objects.get(name="Голосіївський"), District.objects.get(name="Оболонський")
    for district, username, ill in ((holosiiv, "dir-h", 3), (obolon, "dir-o", 7)):
        school = SchoolFactory(district=district)
        SchoolClass.objects.create(school=school, name="5-А", grade=5, enrolled=20)
        director = make_user(Role.SCHOOL_DIRECTOR, school=school, username=username)
        submit_attendance(
            school=school, date=today(), reports=[report("5-А", 20, ill=ill)], user=director, source="form"
        )
    return holosiiv, obolon, make_user(Role.RUO_STAFF, district=holosiiv, username="ruo-h")


def test_district_page_maps_its_own_district_alone(reported, client):
    holosiiv, _obolon, ruo = reported
    sign_in(client, ruo)
    section = _map_section(client.get(reverse("attendance:district", args=[holosiiv.slug])).content.decode())
    ((path, colour, district_id),) = re.findall(
        r'<path d="([^"]+)" class="district-area no-data ?([a-z0-9-]*)" data-live-fill="district:(\d+)"', section
    )
    assert (int(district_id), colour) == (holosiiv.pk, f"share-{absent_bucket(15)}")
    # Fitted to the map's width by the city map's projection: the one district fills it.
    xs = _numbers(path)[0::2]
    assert min(xs) <= district_map.PADDING + 1 and max(xs) >= district_map.WIDTH - district_map.PADDING - 1
    # Text alternatives: a title naming the district, a description, the figure in words (updated live).
    assert re.search(r'<svg viewBox="0 0 600 \d+" aria-labelledby="map-svg-title map-svg-desc"', section)
    assert "<title>Голосіївський: 15,0%</title>" in section
    assert '<desc id="map-svg-desc">' in section
    assert f'<strong data-live="district:{holosiiv.pk}:absent_share">15,0%</strong>' in section
    assert section.count('class="swatch share-') == len(ABSENT_BUCKETS) + 1  # the city map's legend
    assert "<a " not in section  # no link to the page it is on


@pytest.mark.parametrize("actor", ["ruo", "don"])
def test_no_other_district_is_on_a_district_map(reported, client, actor):
    holosiiv, _obolon, ruo = reported
    sign_in(client, ruo if actor == "ruo" else make_user(Role.DON_ANALYST, username="analyst-district"))
    section = _map_section(client.get(reverse("attendance:district", args=[holosiiv.slug])).content.decode())
    for other in District.objects.exclude(pk=holosiiv.pk):
        assert other.name not in section, other.name
        assert f"district:{other.pk}" not in section, other.name
    assert "35,0" not in section  # Оболонський's share absent
    assert section.count("<path ") == 1


def test_the_district_outline_is_read_through_the_scope_module(reported):
    holosiiv, obolon, ruo = reported
    other = make_user(Role.RUO_STAFF, district=obolon, username="ruo-o")
    assert district_map.district_outline(other, holosiiv).shapes == {}  # out of its scope: nothing read
    district_map.clear_cache()
    assert set(district_map.district_outline(ruo, holosiiv).shapes) == {holosiiv.pk}


def test_the_map_reads_the_boundary_only_when_the_outline_cache_is_cold(reported, client):
    """One query more (the district's boundary, through the scope module) with a cold cache, none warm; the
    rest of the page's count is pinned, and shown not to grow with the schools, in test_dashboards.py."""
    holosiiv, _obolon, ruo = reported
    sign_in(client, ruo)
    url = reverse("attendance:district", args=[holosiiv.slug])
    client.get(url)  # the settings and the session
    captured = {}
    for cache in ("cold", "warm"):
        if cache == "cold":
            district_map.clear_cache()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        captured[cache] = [query["sql"] for query in queries.captured_queries]
    map_read = '"org_districtboundary"."geometry"'
    assert len(captured["cold"]) == len(captured["warm"]) + 1
    assert len([sql for sql in captured["cold"] if map_read in sql]) == 1
    assert not [sql for sql in captured["warm"] if map_read in sql]


def test_the_directly_managed_schools_page_has_no_map(reported, client):
    sign_in(client, make_user(Role.DON_ANALYST, username="analyst-direct"))
    html = client.get(reverse("attendance:district", args=["direct"])).content.decode()
    assert 'aria-labelledby="map-title"' not in html
