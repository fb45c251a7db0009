"""The attendance dashboards: the city (the department), a district (its office and the department), a
school (itself, its district office, the department) and a class. Each page answers ``?format=xlsx`` and
``?format=csv`` with its tables, and the city's ``?format=docx`` with the daily summary.

Who may open what is decided by the scope module: another district's or school's page answers 404.
"""

import datetime as dt
import itertools

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.accounts.roles import has_capability
from cms.org.models import District, School
from cms.org.scope import Scope, get_visible_or_404, scope_of

from . import district_map, exports, selectors, services
from .charts import Series, line_chart
from .forms import DayForm
from .metrics import ABSENT_BUCKETS, METRIC_LABELS, labelled
from .models import AttendanceSettings, SchoolClass

DIRECT_SLUG = "direct"  # the district page of the schools the department manages directly
PERIOD_LABELS = {
    "day": gettext_lazy("By day"),
    "week": gettext_lazy("By week"),
    "month": gettext_lazy("By month"),
}


def _scope(request) -> Scope:
    if not has_capability(request.user, "attendance"):
        raise PermissionDenied
    return scope_of(request.user)


def chosen_date(request) -> dt.date:
    form = DayForm(request.GET)
    return form.cleaned_data["date"] if form.is_valid() else services.today()


def chosen_period(request) -> str:
    period = request.GET.get("period", "day")
    return period if period in selectors.PERIODS else "day"


TABLE_METRICS = (
    "enrolled",
    "present",
    "present_share",
    "absent_share",
    "absent_illness",
    "illness_share",
    "remote_share",
    "in_shelter",
    "shelter_share",
)


def _columns(reported: str) -> list[tuple[str, str]]:
    """The metric columns of a dashboard table (``reported``: schools_reported, classes_reported or none)."""
    return labelled(*([reported] if reported else []), *TABLE_METRICS)


def _stats(reported: str) -> list[tuple[str, str, str | None]]:
    """The blocks of totals above a dashboard: (label, count metric, share metric)."""
    return [
        (METRIC_LABELS[reported], reported, None),
        (METRIC_LABELS["enrolled"], "enrolled", None),
        (METRIC_LABELS["present"], "present", "present_share"),
        (METRIC_LABELS["absent_illness"], "absent_illness", "illness_share"),
        (METRIC_LABELS["remote"], "remote", "remote_share"),
        (_("In the shelter (of present)"), "in_shelter", "shelter_share"),
    ]


def _with_date(url: str, date: dt.date) -> str:
    return f"{url}?date={date.isoformat()}"


def _district_url(district: District | None, date: dt.date) -> str:
    return _with_date(reverse("attendance:district", args=[district.slug if district else DIRECT_SLUG]), date)


def _school_url_prefix() -> str:
    """The school page's URL without its id: long lists of schools append the id instead of reversing
    the URL once per school."""
    return reverse("attendance:school", args=[0]).removesuffix("0/")


def _crumbs(request, date: dt.date, *, district=None, school=None, school_class=None) -> list[tuple[str, str]]:
    """The way back up: the city (department), the district (department and district office), the school."""
    scope = scope_of(request.user)
    crumbs = []
    if scope.is_city:
        crumbs.append((_("The city"), _with_date(reverse("attendance:home"), date)))
    if school is not None:
        district = school.district
    if scope.is_city or scope.is_district:
        crumbs.append((selectors.district_label(district), _district_url(district, date)))
    if school is not None:
        school_url = _with_date(reverse("attendance:school", args=[school.pk]), date)
        crumbs.append((selectors.school_label(school), school_url))
    if school_class is not None:
        crumbs.append((school_class.name, ""))
    if crumbs:
        crumbs[-1] = (crumbs[-1][0], "")
    return crumbs if len(crumbs) > 1 else []


def _trend(rows, date: dt.date, period: str) -> dict:
    points = selectors.trend(rows, date, period)
    labels = [point.label for point in points]
    description = _("%(period)s up to %(date)s; the dashed line is the same period a year earlier.") % {
        "period": PERIOD_LABELS[period],
        "date": date.strftime("%d.%m.%Y"),
    }

    def chart(title: str, metric: str):
        return line_chart(
            title,
            description,
            labels,
            [
                Series(_("This period"), [p.current[metric] for p in points], "series-current"),
                Series(_("A year earlier"), [p.earlier[metric] for p in points], "series-earlier"),
            ],
        )

    return {
        "period": period,
        "periods": list(PERIOD_LABELS.items()),
        "points": points,
        "charts": [
            chart(_("Share present"), "present_share"),
            chart(_("Share absent through illness"), "illness_share"),
        ],
    }


def _legend() -> list[tuple[str, str]]:
    bounds = [0, *ABSENT_BUCKETS]
    legend = [(f"share-{i}", f"{low}–{high}%") for i, (low, high) in enumerate(itertools.pairwise(bounds))]
    legend.append((f"share-{len(ABSENT_BUCKETS)}", f"≥ {ABSENT_BUCKETS[-1]}%"))
    return legend


def _respond(request, template: str, context: dict, tables, name: str):
    fmt = request.GET.get("format")
    if fmt:
        return exports.export_response(fmt, tables(context), name, context["date"])
    return render(request, template, context)


# --- the city ------------------------------------------------------------------------------------


def home(request):
    """Each role's attendance: the department the city, a district office its district, a school itself."""
    scope = _scope(request)
    if scope.is_district:
        district = get_visible_or_404(request.user, District, pk=scope.district_id)
        return redirect("attendance:district", slug=district.slug)
    if scope.is_school:
        return redirect("attendance:school", pk=scope.school_id)
    if not scope.is_city:
        raise PermissionDenied
    return city(request)


def city_context(request, date: dt.date, period: str) -> dict:
    user = request.user
    config = AttendanceSettings.load(request_or_site=request)
    rows, totals = selectors.district_rows(user, date)
    for row in rows:
        row.url = _district_url(row.district, date)
    not_reported = selectors.not_reported(user, date)
    outline, areas = district_map.map_areas(rows)
    return {
        "date": date,
        "totals": totals,
        "live_key": "city",
        "rows": rows,
        "columns": _columns("schools_reported"),
        "stats": _stats("schools_reported"),
        "not_reported": not_reported,
        "school_url": _school_url_prefix(),
        "not_reported_count": sum(len(group.schools) for group in not_reported),
        "threshold": config.school_absent_share,
        "over_threshold": selectors.over_threshold(user, date, config.school_absent_share),
        "alerts": selectors.alerts_for(user, date),
        "outline": outline,
        "areas": areas,
        "legend": _legend(),
        "trend": _trend(selectors.city_trend_rows(user), date, period),
    }


def city_tables(context: dict) -> list[exports.Table]:
    return [
        exports.metrics_table(_("Districts"), _("District"), context["rows"], extra=labelled("schools_reported")),
        *_common_tables(context),
    ]


def _not_reported_table(context: dict) -> exports.Table:
    return exports.Table(
        _("Not reported yet"),
        [_("District"), _("School"), _("EDEBO code")],
        [
            [group.label, school.label, school.edebo_code]
            for group in context["not_reported"]
            for school in group.schools
        ],
    )


def _over_threshold_table(context: dict) -> exports.Table:
    return exports.metrics_table(
        _("Over the threshold"),
        _("School"),
        context["over_threshold"],
    )


def _alerts_table(context: dict) -> exports.Table:
    return exports.Table(
        _("Alerts"),
        [_("Date"), _("School"), _("Class"), _("Rule"), _("Share, %"), _("Days running")],
        [
            [
                alert.date.strftime("%d.%m.%Y"),
                selectors.school_label(alert.school),
                alert.school_class.name,
                alert.get_rule_display(),
                alert.share,
                alert.days,
            ]
            for alert in context["alerts"]
        ],
    )


def _common_tables(context: dict) -> list[exports.Table]:
    return [
        _not_reported_table(context),
        _over_threshold_table(context),
        _alerts_table(context),
        exports.trend_table(context["trend"]["points"]),
    ]


def city(request):
    date, period = chosen_date(request), chosen_period(request)
    context = city_context(request, date, period)
    if request.GET.get("format") == "docx":
        return exports.docx_response(exports.city_summary_docx(context), date)
    return _respond(request, "attendance/city.html", context, city_tables, "city")


# --- a district ----------------------------------------------------------------------------------


def _district_or_404(request, slug: str) -> District | None:
    """The district of the page (None: the schools managed directly, the department's only)."""
    scope = _scope(request)
    if scope.is_city and slug == DIRECT_SLUG:
        return None
    if not (scope.is_city or scope.is_district):
        raise Http404
    return get_visible_or_404(request.user, District, slug=slug)


def district(request, slug: str):
    district = _district_or_404(request, slug)
    user = request.user
    date, period = chosen_date(request), chosen_period(request)
    config = AttendanceSettings.load(request_or_site=request)
    rows, totals = selectors.school_rows(user, date, district=district)
    for row in rows:
        row.url = _with_date(reverse("attendance:school", args=[row.school.pk]), date)
    not_reported = selectors.not_reported(user, date, district=district)
    outline, areas = district_map.district_area(user, district, totals) if district else (None, [])
    context = {
        "date": date,
        "district": district,
        "district_label": selectors.district_label(district),
        "slug": slug,
        "totals": totals,
        "live_key": f"district:{district.pk}" if district else "",
        "rows": rows,
        "columns": _columns("classes_reported"),
        "stats": _stats("schools_reported"),
        "crumbs": _crumbs(request, date, district=district),
        "not_reported": not_reported,
        "school_url": _school_url_prefix(),
        "not_reported_count": sum(len(group.schools) for group in not_reported),
        "threshold": config.school_absent_share,
        "over_threshold": selectors.over_threshold(user, date, config.school_absent_share, district=district),
        "alerts": selectors.alerts_for(user, date, district=district),
        "trend": _trend(selectors.district_trend_rows(user, district), date, period),
        "map_district": district,
        "outline": outline,
        "areas": areas,
        "legend": _legend(),
    }
    return _respond(request, "attendance/district.html", context, district_tables, slug)


def district_tables(context: dict) -> list[exports.Table]:
    return [
        exports.metrics_table(_("Schools"), _("School"), context["rows"], extra=labelled("classes_reported")),
        *_common_tables(context),
    ]


# --- a school and a class ------------------------------------------------------------------------


def _school_or_404(request, pk: int) -> School:
    _scope(request)
    schools = School.objects.select_related("district")
    return get_visible_or_404(request.user, schools, pk=pk)


def school(request, pk: int):
    school = _school_or_404(request, pk)
    user = request.user
    date, period = chosen_date(request), chosen_period(request)
    rows, totals = selectors.class_rows(user, school, date)
    for row in rows:
        row.url = _with_date(reverse("attendance:class", args=[school.pk, row.school_class.pk]), date)
    since = date - dt.timedelta(days=selectors.HISTORY_DAYS - 1)
    context = {
        "date": date,
        "school": school,
        "totals": totals,
        "live_key": f"school:{school.pk}",
        "rows": rows,
        "columns": _columns(""),
        "history_columns": _columns("classes_reported"),
        "stats": _stats("classes_reported"),
        "crumbs": _crumbs(request, date, school=school),
        "history": selectors.school_day_rows(user, school, date),
        "alerts": selectors.alerts_for(user, date, since=since, school=school),
        "trend": _trend(selectors.school_trend_rows(user, school), date, period),
        "may_submit": has_capability(user, "submit_attendance") and scope_of(user).school_id == school.pk,
    }
    return _respond(request, "attendance/school.html", context, school_tables, f"school-{school.edebo_code}")


def school_tables(context: dict) -> list[exports.Table]:
    return [
        exports.metrics_table(_("Classes"), _("Class"), context["rows"]),
        exports.metrics_table(_("By day"), _("Date"), context["history"], extra=labelled("classes_reported")),
        _alerts_table(context),
        exports.trend_table(context["trend"]["points"]),
    ]


def school_class(request, pk: int, class_pk: int):
    school = _school_or_404(request, pk)
    user = request.user
    school_class = get_visible_or_404(user, SchoolClass.objects.filter(school=school), pk=class_pk)
    date, period = chosen_date(request), chosen_period(request)
    context = {
        "date": date,
        "school": school,
        "school_class": school_class,
        "columns": _columns(""),
        "crumbs": _crumbs(request, date, school=school, school_class=school_class),
        "history": selectors.class_day_rows(user, school_class, date),
        "trend": _trend(selectors.class_trend_rows(user, school_class), date, period),
    }
    return _respond(
        request, "attendance/class.html", context, class_tables, f"school-{school.edebo_code}-class-{school_class.pk}"
    )


def class_tables(context: dict) -> list[exports.Table]:
    return [
        exports.metrics_table(_("By day"), _("Date"), context["history"]),
        exports.trend_table(context["trend"]["points"]),
    ]
