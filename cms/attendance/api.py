"""The attendance API for e-journal systems: ``POST /api/attendance/`` (token of a school account) and the
scoped read of daily totals, ``GET /api/attendance/days/``.

A POST with an ``Idempotency-Key`` header is done once: its response is stored under the key (per user) and
replayed for every repeat, with ``Idempotent-Replayed: true``; a repeat still running elsewhere waits for the
first to finish (the key's row is inserted first, in the same transaction). Reusing a key with another body
is refused. Without a key, a resubmission of a class and day updates its row, never duplicates it."""

import datetime as dt
import hashlib
import json
import re

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.accounts.roles import has_capability
from cms.api.base import ScopedAPIMixin, ScopedListAPIView, valid_filter_qs
from cms.org.scope import own_school

from . import services, writes
from .models import IdempotentRequest, LearningMode, SchoolDay

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ClassRowSerializer(serializers.Serializer):
    class_name = serializers.CharField(max_length=20, help_text="The class as the portal knows it, e.g. «5-А».")
    enrolled = serializers.IntegerField(min_value=0)
    present = serializers.IntegerField(min_value=0)
    absent_illness = serializers.IntegerField(min_value=0, default=0)
    absent_valid = serializers.IntegerField(min_value=0, default=0)
    absent_unexcused = serializers.IntegerField(min_value=0, default=0)
    mode = serializers.ChoiceField(choices=LearningMode.choices, default=LearningMode.IN_PERSON)
    remote = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    in_shelter = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None, help_text="Pupils in the shelter; null: none."
    )


class SubmissionSerializer(serializers.Serializer):
    date = serializers.DateField()
    school = serializers.CharField(
        required=False, help_text="ЄДЕБО code of the school; optional, it must be the token's own school."
    )
    classes = ClassRowSerializer(many=True, allow_empty=False, max_length=200)


class TotalsSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.edebo_code")
    school_name = serializers.CharField(source="school.short_name")
    district = serializers.CharField(source="district.slug", default=None)

    class Meta:
        model = SchoolDay
        fields = [
            "school",
            "school_name",
            "district",
            "date",
            "classes_reported",
            "enrolled",
            "present",
            "absent_illness",
            "absent_valid",
            "absent_unexcused",
            "remote",
            "in_shelter",
            "sheltered",
        ]


class SubmissionResultSerializer(serializers.Serializer):
    school = serializers.CharField()
    date = serializers.DateField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    alerts = serializers.IntegerField()
    totals = TotalsSerializer()


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class RefusalSerializer(serializers.Serializer):
    error = serializers.CharField()
    detail = ProblemSerializer(many=True)


MAX_ROWS = 200
MAX_CLASS_NAME = 20
_WHOLE = re.compile(r"-?[0-9]+(\.0*)?")
_ROW_DEFAULTS = {"absent_illness": 0, "absent_valid": 0, "absent_unexcused": 0, "remote": None, "in_shelter": None}
_NULLABLE = ("remote", "in_shelter")


def _whole_number(value) -> int:
    """An integer as ``serializers.IntegerField`` takes it (5, 5.0, "5"); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip().split(".")[0])
    raise ValueError


def _parse_row(row, index: int, problems: list) -> services.ClassReport | None:
    if not isinstance(row, dict):
        problems.append(services.Problem(_("Each class must be a JSON object."), index))
        return None
    values, bad = {}, False
    name = row.get("class_name")
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)
    name = name.strip() if isinstance(name, str) else None
    if not name:
        problems.append(services.Problem(_("Name the class."), index, "class_name"))
        bad = True
    elif len(name) > MAX_CLASS_NAME:
        problems.append(
            services.Problem(_("At most %(max)d characters.") % {"max": MAX_CLASS_NAME}, index, "class_name")
        )
        bad = True
    values["class_name"] = name
    for field in ("enrolled", "present", *_ROW_DEFAULTS):
        if field not in row:
            if field not in _ROW_DEFAULTS:
                problems.append(services.Problem(_("This number is required."), index, field))
                bad = True
            values[field] = _ROW_DEFAULTS.get(field)
            continue
        value = row[field]
        if value is None and field in _NULLABLE:
            values[field] = None
            continue
        try:
            values[field] = _whole_number(value)
        except ValueError:
            problems.append(services.Problem(_("Enter a whole number."), index, field))
            bad = True
            continue
        if values[field] < 0:
            problems.append(services.Problem(_("A number cannot be negative."), index, field))
            bad = True
    mode = row.get("mode", LearningMode.IN_PERSON)
    if not services.is_learning_mode(mode):
        problems.append(services.Problem(_("Unknown learning mode."), index, "mode"))
        bad = True
    values["mode"] = mode
    return None if bad else services.ClassReport(**values)


def parse_submission(data) -> tuple[dt.date, str | None, list[services.ClassReport]]:
    """The body of a submission (``SubmissionSerializer`` describes it) as the date, the school's code and
    the class reports; raises ``services.AttendanceRefused`` naming the row and field of each problem.

    Hand-written rather than the serializer's validation, which cost about a tenth of a whole-day
    submission's CPU (nested fields for ~23 rows x 10 fields, ~1.5 ms); it takes what the serializer took."""
    if not isinstance(data, dict):
        raise services.AttendanceRefused([services.Problem(_("The body must be a JSON object."))])
    problems = []
    date = None
    raw_date = data.get("date")
    if isinstance(raw_date, str):
        try:
            date = parse_date(raw_date.strip())
        except ValueError:
            date = None
    if date is None:
        problems.append(services.Problem(_("Enter a date as YYYY-MM-DD."), field="date"))
    school = data.get("school")
    if isinstance(school, int) and not isinstance(school, bool):
        school = str(school)
    if isinstance(school, str):
        school = school.strip()
    elif "school" in data:
        problems.append(services.Problem(_("Give the school's ЄДЕБО code as text."), field="school"))
    rows = data.get("classes")
    reports = []
    if not isinstance(rows, list) or not rows:
        problems.append(services.Problem(_("The submission has no classes."), field="classes"))
    elif len(rows) > MAX_ROWS:
        problems.append(
            services.Problem(_("At most %(max)d classes in one submission.") % {"max": MAX_ROWS}, field="classes")
        )
    else:
        reports = [_parse_row(row, index, problems) for index, row in enumerate(rows)]
    if problems:
        raise services.AttendanceRefused(problems)
    return date, school, reports


def _refusal(exc: services.AttendanceRefused) -> Response:
    return Response({"error": "invalid", "detail": [p.as_dict() for p in exc.problems]}, 400)


def totals(school_day: SchoolDay) -> dict:
    """``TotalsSerializer(school_day).data`` as a plain dict, without the serializer's per-field work."""
    return {
        "school": school_day.school.edebo_code,
        "school_name": school_day.school.short_name,
        "district": school_day.district.slug if school_day.district_id else None,
        "date": school_day.date.isoformat(),
        **{name: getattr(school_day, name) for name in TotalsSerializer.Meta.fields[4:]},
    }


def _fingerprint(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class AttendanceSubmit(ScopedAPIMixin, APIView):
    @extend_schema(
        operation_id="attendance_submit",
        summary="Submit a school's attendance for one day",
        request=SubmissionSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Any unique string; repeats of the request with it replay the first response.",
            )
        ],
        responses={
            201: SubmissionResultSerializer,
            200: SubmissionResultSerializer,
            400: OpenApiResponse(RefusalSerializer, description="Invalid numbers, date, class or body"),
            403: OpenApiResponse(description="The account may not submit attendance"),
            404: OpenApiResponse(description="Not the token's own school"),
            422: OpenApiResponse(description="The Idempotency-Key was used with another body"),
        },
    )
    def post(self, request):
        if not has_capability(request.user, "submit_attendance"):
            raise PermissionDenied
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return self._submit(request)
        if len(key) > 255:
            return Response({"error": "invalid", "detail": "Idempotency-Key is longer than 255 characters."}, 400)
        fingerprint = _fingerprint(request.data)
        with transaction.atomic():
            record_id = writes.claim_idempotency_key(request.user.pk, key, fingerprint, timezone.now())
            if record_id is None:
                # The first request with this key is done (or was, when our insert waited for it).
                record = IdempotentRequest.objects.get(user=request.user, key=key)
                if record.fingerprint != fingerprint:
                    return Response(
                        {
                            "error": "idempotency_key_reused",
                            "detail": "This Idempotency-Key was used with another body.",
                        },
                        422,
                    )
                return Response(record.body, record.status_code, headers={"Idempotent-Replayed": "true"})
            response = self._submit(request)
            writes.save_idempotent_response(record_id, response.status_code, response.data)
        return response

    def _submit(self, request) -> Response:
        try:
            date, code, reports = parse_submission(request.data)
        except services.AttendanceRefused as exc:
            return _refusal(exc)
        school = own_school(request.user)
        if school is None or (code is not None and code != school.edebo_code):
            raise NotFound
        try:
            submission = services.submit_attendance(
                school=school, date=date, reports=reports, user=request.user, source="api"
            )
        except services.AttendanceRefused as exc:
            return _refusal(exc)
        body = {
            "school": school.edebo_code,
            "date": date.isoformat(),
            "created": submission.created,
            "updated": submission.updated,
            "unchanged": submission.unchanged,
            "alerts": len(submission.alerts),
            "totals": totals(submission.school_day),
        }
        return Response(body, status.HTTP_201_CREATED if submission.created else status.HTTP_200_OK)


class SchoolDayFilter(filters.FilterSet):
    date = filters.DateFilter()
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")
    district = filters.CharFilter(field_name="district__slug")
    school = filters.CharFilter(field_name="school__edebo_code")

    class Meta:
        model = SchoolDay
        fields = ["date", "date_from", "date_to", "district", "school"]


class SchoolDayList(ScopedListAPIView):
    """Daily totals of the schools in the caller's scope."""

    serializer_class = TotalsSerializer
    scoped_queryset = SchoolDay.objects.select_related("school", "district").order_by("-date", "school__short_name")

    def get_queryset(self):
        if not has_capability(self.request.user, "attendance"):
            raise PermissionDenied
        return valid_filter_qs(SchoolDayFilter(self.request.query_params, queryset=super().get_queryset()))
