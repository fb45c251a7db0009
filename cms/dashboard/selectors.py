"""Reads for the dashboards, all through the scope module."""

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, NullIf

from cms.groups.models import Community
from cms.org.models import District, School
from cms.org.scope import scope_of, visible


def display_name_order():
    """Order schools by the name they are shown with: the short name, or the full name where the registry has none."""
    return Coalesce(NullIf("short_name", models.Value("")), "name")


def district_overview(user):
    """Districts in scope with their counts of schools and working schools (one query)."""
    return visible(user, District).annotate(
        school_count=Count("schools"),
        working_count=Count("schools", filter=Q(schools__is_active=True)),
    )


def school_counts(user) -> dict[str, int]:
    schools = visible(user, School)
    return schools.aggregate(
        total=Count("pk"),
        working=Count("pk", filter=Q(is_active=True)),
        city_managed=Count("pk", filter=Q(district__isnull=True)),
    )


def my_communities(user):
    return visible(user, Community).annotate(member_count=Count("memberships", distinct=True)).order_by("kind", "name")


def dashboard_context(user) -> dict:
    scope = scope_of(user)
    context = {"scope": scope}
    if scope.is_city:
        context["districts"] = district_overview(user)
        context["counts"] = school_counts(user)
    elif scope.is_district:
        context["district"] = District.objects.get(pk=scope.district_id)
        context["counts"] = school_counts(user)
        context["recent_schools"] = visible(user, School).working().order_by(display_name_order())[:10]
    elif scope.is_school:
        context["school"] = School.objects.select_related("district").get(pk=scope.school_id)
    if not scope.is_site_admin:
        context["communities"] = my_communities(user)
    return context
