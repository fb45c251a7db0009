"""The attendance dashboards: who sees which page, the numbers they show (as submitted through the one
submission service), schools not reported, thresholds, alerts, trends a year back, the live contract and
bounded query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.attendance import selectors
from cms.attendance.metrics import format_count, format_share, metrics_of
from cms.attendance.models import Alert, AttendanceSettings, DistrictDay, SchoolClass, SchoolDay
from cms.attendance.services import today
from cms.org.models import School
from tests.attendance.helpers import report, submit
from tests.factories import SchoolFactory


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def live_text(html: str, key: str) -> str:
    """The text of the element marked ``data-live="key"``."""
    match = re.search(rf'data-live="{re.escape(key)}"[^>]*>([^<]*)<', html)
    assert match, f"no data-live={key}"
    return match.group(1)


def _submit_a_and_c(world):
    submit(world, "school_a", world.school_a, [report("1-А", 25, ill=2, valid=1), report("5-А", 28, unexcused=1)])
    submit(world, "school_c", world.school_c, [report("5-А", 26, ill=4, mode="remote")])


# --- who sees what -----------------------------------------------------------------------------------


def test_home_sends_each_role_to_its_own_dashboard(world, client_for):
    url = reverse("attendance:home")
    assert 'data-dashboard="attendance-city"' in _html(client_for("don").get(url))
    assert client_for("own_ruo").get(url)["Location"] == reverse("attendance:district", args=[world.district.slug])
    assert client_for("other_ruo").get(url)["Location"] == reverse(
        "attendance:district", args=[world.other_district.slug]
    )
    assert client_for("school_b").get(url)["Location"] == reverse("attendance:school", args=[world.school_b.pk])
    assert client_for("site_admin").get(url).status_code == 403


def test_nav_links_to_attendance_for_unit_roles_only(world, client_for):
    for actor in ("don", "own_ruo", "school_a"):
        assert 'data-nav="attendance"' in _html(client_for(actor).get(reverse("dashboard:home")))
    assert 'data-nav="attendance"' not in _html(client_for("site_admin").get(reverse("dashboard:home")))


@pytest.mark.parametrize(
    ("actor", "status"),
    [("don", 200), ("own_ruo", 200), ("other_ruo", 404), ("school_a", 404), ("site_admin", 403)],
)
def test_district_page_is_its_office_and_the_departments(world, client_for, actor, status):
    response = client_for(actor).get(reverse("attendance:district", args=[world.district.slug]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("actor", "status"),
    [("don", 200), ("own_ruo", 200), ("school_a", 200), ("school_b", 404), ("other_ruo", 404), ("school_c", 404)],
)
def test_school_page_is_the_schools_its_offices_and_the_departments(world, client_for, actor, status):
    assert client_for(actor).get(reverse("attendance:school", args=[world.school_a.pk])).status_code == status


def test_class_of_another_school_answers_404(world, client_for):
    class_c = world.school_c.classes.get()
    client = client_for("don")
    assert client.get(reverse("attendance:class", args=[world.school_a.pk, class_c.pk])).status_code == 404
    assert client.get(reverse("attendance:class", args=[world.school_c.pk, class_c.pk])).status_code == 200
    assert (
        client_for("school_a").get(reverse("attendance:class", args=[world.school_c.pk, class_c.pk])).status_code == 404
    )


def test_school_page_links_to_the_form_only_for_the_school(world, client_for):
    url = reverse("attendance:school", args=[world.school_a.pk])
    submit_url = reverse("attendance:submit")
    assert f'href="{submit_url}' in _html(client_for("school_a").get(url))
    assert f'href="{submit_url}' not in _html(client_for("own_ruo").get(url))
    assert f'href="{submit_url}' not in _html(client_for("don").get(url))


def test_directly_managed_schools_have_a_page_for_the_department(world, client_for):
    direct = SchoolFactory(district=None, short_name="Київський ліцей-інтернат")
    SchoolClass.objects.create(school=direct, name="8-А", grade=8, enrolled=20)
    html = _html(client_for("don").get(reverse("attendance:district", args=["direct"])))
    assert "Київський ліцей-інтернат" in html and f'data-not-reported="{direct.pk}"' in html
    assert "Гімназія № 236" not in html


# --- the numbers ---------------------------------------------------------------------------------------


def test_city_shows_what_was_submitted(world, client_for):
    _submit_a_and_c(world)
    html = _html(client_for("don").get(reverse("attendance:home")))
    # City: 25 + 28 + 26 enrolled; absent 3 + 1 + 4; ill 2 + 4; remote the 22 present of C's remote class.
    assert live_text(html, "city:enrolled") == "79"
    assert live_text(html, "city:present") == "71"
    assert live_text(html, "city:schools_reported") == "2"
    assert live_text(html, "city:present_share") == "89,9%"
    assert live_text(html, "city:illness_share") == "7,6%"
    assert live_text(html, "city:remote") == "22"
    assert live_text(html, "city:remote_share") == "27,8%"
    assert live_text(html, f"district:{world.district.pk}:enrolled") == "53"
    assert live_text(html, f"district:{world.district.pk}:present") == "49"
    assert live_text(html, f"district:{world.other_district.pk}:absent_illness") == "4"
    assert f'href="{reverse("attendance:district", args=[world.district.slug])}' in html
    assert 'data-live-date="' + today().isoformat() + '"' in html
    assert "attendance/live.js" in html


def test_city_totals_equal_the_district_rows(world, client_for):
    _submit_a_and_c(world)
    rows, city = selectors.district_rows(world.users["don"], today())
    assert city["enrolled"] == sum(row.metrics["enrolled"] or 0 for row in rows)
    assert city == metrics_of(
        {
            name: sum(getattr(day, name) for day in DistrictDay.objects.filter(date=today()))
            for name in ("enrolled", "present", "absent_illness", "absent_valid", "absent_unexcused", "remote")
        }
        | {"in_shelter": 0, "schools_reported": 2}
    )


def test_district_page_shows_its_schools_only(world, client_for):
    _submit_a_and_c(world)
    html = _html(client_for("own_ruo").get(reverse("attendance:district", args=[world.district.slug])))
    assert live_text(html, f"district:{world.district.pk}:enrolled") == "53"
    assert live_text(html, f"school:{world.school_a.pk}:classes_reported") == "2"
    assert live_text(html, f"school:{world.school_a.pk}:absent_share") == "7,5%"
    assert live_text(html, f"school:{world.school_b.pk}:present") == "—"
    assert "Ліцей № 143" not in html and f"school:{world.school_c.pk}:" not in html


def test_school_and_class_pages_show_the_classes(world, client_for):
    _submit_a_and_c(world)
    class_1a = world.school_a.classes.get(name="1-А")
    html = _html(client_for("own_ruo").get(reverse("attendance:school", args=[world.school_a.pk])))
    assert live_text(html, f"school:{world.school_a.pk}:present") == "49"
    assert reverse("attendance:class", args=[world.school_a.pk, class_1a.pk]) in html
    assert "5-Б" in html  # not reported yet, still listed
    html = _html(client_for("school_a").get(reverse("attendance:class", args=[world.school_a.pk, class_1a.pk])))
    assert today().strftime("%d.%m.%Y") in html and "88,0%" in html  # 22 of 25 present


def test_not_reported_lists_working_schools_without_a_report(world, client_for):
    SchoolFactory(district=world.district, short_name="Закритий ліцей", is_active=False, status="ліквідовано")
    submit(world, "school_a", world.school_a, [report("1-А", 25)])
    html = _html(client_for("don").get(reverse("attendance:home")))
    section = html[html.index('id="not-reported-title"') :]
    assert f'data-not-reported="{world.school_b.pk}"' in section
    assert f'data-not-reported="{world.school_c.pk}"' in section
    assert f'data-not-reported="{world.school_a.pk}"' not in section
    assert "Закритий ліцей" not in section
    assert "<span data-not-reported-count>2</span>" in section[:200]
    groups = selectors.not_reported(world.users["own_ruo"], today())
    assert [[s.pk for s in g.schools] for g in groups] == [[world.school_b.pk]]


def test_schools_over_the_threshold(world, client_for):
    AttendanceSettings.objects.update_or_create(defaults={"school_absent_share": 25})
    submit(world, "school_b", world.school_b, [report("1-А", 30, ill=5, unexcused=3)])  # 26,7 %
    submit(world, "school_c", world.school_c, [report("5-А", 26, ill=6)])  # 23,1 %
    html = _html(client_for("don").get(reverse("attendance:home")))
    section = html[html.index('id="over-threshold-title"') : html.index('id="alerts-title"')]
    assert "Ліцей № 241" in section and "26,7%" in section
    assert "Ліцей № 143" not in section
    html = _html(client_for("other_ruo").get(reverse("attendance:district", args=[world.other_district.slug])))
    section = html[html.index('id="over-threshold-title"') : html.index('id="alerts-title"')]
    assert "Ліцей № 143" not in section and "Ліцей № 241" not in section


def test_alerts_are_shown_to_the_district_and_the_city(world, client_for):
    submit(world, "school_c", world.school_c, [report("5-А", 26, ill=8)])  # 30,8 % ill: over 20 %
    assert Alert.objects.filter(school=world.school_c).exists()
    for actor, url in (
        ("don", reverse("attendance:home")),
        ("other_ruo", reverse("attendance:district", args=[world.other_district.slug])),
        ("school_c", reverse("attendance:school", args=[world.school_c.pk])),
    ):
        section = _html(client_for(actor).get(url)).split('id="alerts-title"')[1]
        assert "alert-row" in section and "Ліцей № 143" in section, actor
    section = _html(client_for("own_ruo").get(reverse("attendance:district", args=[world.district.slug])))
    assert "alert-row" not in section


def test_another_day_is_chosen_with_the_date_picker(world, client_for):
    yesterday = today() - dt.timedelta(days=1)
    submit(world, "school_a", world.school_a, [report("1-А", 25, ill=1)], date=yesterday)
    client = client_for("don")
    html = _html(client.get(reverse("attendance:home"), {"date": yesterday.isoformat()}))
    assert f'data-live-date="{yesterday.isoformat()}"' in html and live_text(html, "city:enrolled") == "25"
    assert live_text(_html(client.get(reverse("attendance:home"))), "city:enrolled") == "—"
    html = _html(client.get(reverse("attendance:home"), {"date": "not-a-date"}))
    assert f'data-live-date="{today().isoformat()}"' in html


# --- trends ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_trend_compares_with_the_same_period_a_year_earlier(world, client_for, period):
    day = today()
    a_year_earlier = day - dt.timedelta(days=364) if period != "month" else selectors.year_earlier(day)
    submit(world, "school_a", world.school_a, [report("1-А", 25, ill=5)], date=a_year_earlier)  # 80 % present
    submit(world, "school_a", world.school_a, [report("1-А", 25, ill=1)])  # 96 % present
    for actor, url in (
        ("don", reverse("attendance:home")),
        ("own_ruo", reverse("attendance:district", args=[world.district.slug])),
        ("school_a", reverse("attendance:school", args=[world.school_a.pk])),
    ):
        response = client_for(actor).get(url, {"period": period})
        points = response.context["trend"]["points"]
        assert len(points) == selectors.TREND_POINTS[period]
        last = points[-1]
        assert last.current["present_share"] == Decimal("96.0"), actor
        assert last.earlier["present_share"] == Decimal("80.0"), actor
        assert last.earlier["illness_share"] == Decimal("20.0"), actor
        assert all(p.current["present_share"] is None for p in points[:-1])
        html = response.content.decode()
        assert 'class="series-earlier"' in html and "96,0%" in html and "80,0%" in html


def test_trend_by_week_and_month_sums_the_days(world):
    second = today()
    first = second - dt.timedelta(days=1)
    submit(world, "school_a", world.school_a, [report("1-А", 25, ill=5)], date=first)  # 80 % present
    submit(world, "school_a", world.school_a, [report("1-А", 25)], date=second)  # 100 % present
    rows = selectors.school_trend_rows(world.users["school_a"], world.school_a)
    for period in ("week", "month"):
        together = selectors.bucket_of(first, period) == selectors.bucket_of(second, period)
        last = selectors.trend(rows, second, period)[-1].current
        assert last["present_share"] == (Decimal("90.0") if together else Decimal("100.0")), period
    days = selectors.trend(rows, second, "day")
    assert [p.current["present_share"] for p in days[-2:]] == [Decimal("80.0"), Decimal("100.0")]


def test_months_and_weeks_reach_back_a_year(world):
    day = dt.date(2026, 3, 31)
    keys = [p.key for p in selectors.trend(DistrictDay.objects.none(), day, "month")]
    assert keys[0] == dt.date(2025, 4, 1) and keys[-1] == dt.date(2026, 3, 1)
    weeks = [p.key for p in selectors.trend(DistrictDay.objects.none(), day, "week")]
    assert weeks[-1] == dt.date(2026, 3, 30) and all(w.weekday() == 0 for w in weeks) and len(set(weeks)) == 12
    assert selectors.year_earlier(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)


# --- the live contract ----------------------------------------------------------------------------------


def test_server_formats_numbers_as_live_js():
    """live.js: Intl.NumberFormat("uk-UA") — a no-break space between thousands, a decimal comma."""
    assert format_count(5) == "5"
    assert format_count(1234) == "1\u00a0234"
    assert format_count(1234567) == "1\u00a0234\u00a0567"
    assert format_count(None) == "—"
    assert format_share(Decimal("12.5")) == "12,5%"
    assert format_share(Decimal("100")) == "100,0%"
    assert format_share(Decimal("0")) == "0,0%"
    assert format_share(None) == "—"


def test_shares_round_half_up_as_live_js():
    # live.js: Math.round(part * 1000 / whole) / 10; 249 of 2000 is 12.45 %, shown 12,5 %.
    shares = metrics_of({"enrolled": 2000, "present": 1751, "absent_illness": 249})
    assert format_share(shares["illness_share"]) == "12,5%"


def test_every_live_cell_is_a_known_metric(world, client_for):
    _submit_a_and_c(world)
    known = set(selectors.metrics_of(None))
    for url in (
        reverse("attendance:home"),
        reverse("attendance:district", args=[world.district.slug]),
        reverse("attendance:school", args=[world.school_a.pk]),
    ):
        html = _html(client_for("don").get(url))
        cells = re.findall(r'data-live="(city|district:\d+|school:\d+):([a-z_]+)"', html)
        assert cells, url
        assert {metric for _key, metric in cells} <= known


# --- query counts ----------------------------------------------------------------------------------------


def _add_schools(world, count: int, district) -> None:
    """``count`` more working schools of ``district``, half of them reported (through the service)."""
    for index in range(count):
        school = SchoolFactory(district=district)
        SchoolClass.objects.create(school=school, name="1-А", grade=1, enrolled=20)
        if index % 2:
            submit(world, "school_a", school, [report("1-А", 20, ill=index % 7)])


def _query_count(client, url: str) -> int:
    client.get(url)  # warm: the map's outline and the settings
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    ("actor", "url_of"),
    [
        ("don", lambda w: reverse("attendance:home")),
        ("don", lambda w: reverse("attendance:home") + "?period=month"),
        ("own_ruo", lambda w: reverse("attendance:district", args=[w.district.slug])),
        ("own_ruo", lambda w: reverse("attendance:district", args=[w.district.slug]) + "?format=xlsx"),
    ],
)
def test_query_count_does_not_grow_with_schools(world, client_for, actor, url_of, django_assert_max_num_queries):
    _submit_a_and_c(world)
    client, url = client_for(actor), url_of(world)
    few = _query_count(client, url)  # 3 schools
    assert few <= 16
    _add_schools(world, 27, world.district)  # 30 schools
    assert School.objects.count() >= 30
    assert _query_count(client, url) == few


def test_school_page_query_count_does_not_grow_with_classes(world, client_for):
    client = client_for("school_a")
    url = reverse("attendance:school", args=[world.school_a.pk])
    submit(world, "school_a", world.school_a, [report("1-А", 25)])
    few = _query_count(client, url)
    SchoolClass.objects.bulk_create(
        SchoolClass(school=world.school_a, name=f"{g}-В", grade=g, enrolled=20) for g in range(1, 12)
    )
    submit(world, "school_a", world.school_a, [report(f"{g}-В", 20, ill=1) for g in range(1, 12)])
    assert SchoolDay.objects.get(school=world.school_a, date=today()).classes_reported == 12
    assert _query_count(client, url) == few
