"""The attendance API for e-journal systems: ``POST /api/attendance/`` (token of a school account) and the
scoped read of daily totals, ``GET /api/attendance/days/``.

A POST with an ``Idempotency-Key`` header is done once: its response is stored under the key (per user) and
replayed for every repeat, with ``Idempotent-Replayed: true``; a repeat still running elsewhere waits for the
first to finish (the key's row is inserted first, in the same transaction). Reusing a key with another body
is refused. Without a key, a resubmission of a class and day updates its row, never duplicates it."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.accounts.roles import has_capability
from cms.api.base import ScopedAPIMixin, ScopedListAPIView, valid_filter_qs
from cms.org.models import School
from cms.org.scope import scope_of, visible

from . import services
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
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint, status_code=0, body={}
                    )
            except IntegrityError:
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
            record.status_code, record.body = response.status_code, response.data
            record.save(update_fields=["status_code", "body"])
        return response

    def _submit(self, request) -> Response:
        serializer = SubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        school = (
            visible(request.user, School.objects.select_related("district"))
            .filter(pk=scope_of(request.user).school_id)
            .first()
        )
        if school is None or data.get("school", school.edebo_code) != school.edebo_code:
            raise NotFound
        reports = [services.ClassReport(**row) for row in data["classes"]]
        try:
            submission = services.submit_attendance(
                school=school, date=data["date"], reports=reports, user=request.user, source="api"
            )
        except services.AttendanceRefused as exc:
            return Response({"error": "invalid", "detail": [p.as_dict() for p in exc.problems]}, 400)
        body = {
            "school": school.edebo_code,
            "date": data["date"].isoformat(),
            "created": submission.created,
            "updated": submission.updated,
            "unchanged": submission.unchanged,
            "alerts": len(submission.alerts),
            "totals": TotalsSerializer(submission.school_day).data,
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
