"""Attendance in the scope module: the department sees the city, a district office its district's schools,
a school itself. Only a school writes its own attendance; the site administrator sees none of it."""

from django.db.models import QuerySet

from cms.accounts.roles import Role
from cms.org.scope import Scope, read_rule, write_rule

SCHOOL_WRITERS = {Role.SCHOOL_DIRECTOR, Role.SCHOOL_DEPUTY}


def _by_school(scope: Scope, qs: QuerySet, school_field: str = "school") -> QuerySet:
    if scope.is_city:
        return qs
    if scope.is_district:
        return qs.filter(**{f"{school_field}__district_id": scope.district_id})
    if scope.is_school:
        return qs.filter(**{f"{school_field}_id": scope.school_id})
    return qs.none()


@read_rule("attendance.SchoolClass")
@read_rule("attendance.ClassDay")
@read_rule("attendance.SchoolDay")
@read_rule("attendance.Alert")
def attendance_read(scope: Scope, qs: QuerySet) -> QuerySet:
    return _by_school(scope, qs)


@write_rule("attendance.SchoolClass")
@write_rule("attendance.ClassDay")
def attendance_write(scope: Scope, qs: QuerySet) -> QuerySet:
    if scope.is_school and scope.role in SCHOOL_WRITERS:
        return qs.filter(school_id=scope.school_id)
    return qs.none()


@write_rule("attendance.SchoolDay")
@write_rule("attendance.DistrictDay")
@write_rule("attendance.Alert")
def derived_write(scope: Scope, qs: QuerySet) -> QuerySet:
    """Totals and alerts are derived by the submission service, never written by hand."""
    return qs.none()


@read_rule("attendance.DistrictDay")
def district_days_read(scope: Scope, qs: QuerySet) -> QuerySet:
    if scope.is_city:
        return qs
    if scope.is_district:
        return qs.filter(district_id=scope.district_id)
    return qs.none()
