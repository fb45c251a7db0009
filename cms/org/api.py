from django.contrib.auth.decorators import login_not_required
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.api.base import ScopedListAPIView, ScopedRetrieveAPIView, valid_filter_qs
from cms.org.scope import scope_of

from .filters import SchoolFilter
from .models import District, School


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "name_en", "slug", "katottg"]


class SchoolSerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "edebo_code",
            "edrpou",
            "name",
            "short_name",
            "kind",
            "ownership",
            "address",
            "phone",
            "website",
            "status",
            "is_active",
            "district",
            "managing_body",
        ]


class DistrictList(ScopedListAPIView):
    serializer_class = DistrictSerializer
    scoped_queryset = District.objects.order_by("name")


class SchoolList(ScopedListAPIView):
    serializer_class = SchoolSerializer
    scoped_queryset = School.objects.select_related("district").order_by("pk")

    def get_queryset(self):
        return valid_filter_qs(
            SchoolFilter(self.request.GET or None, queryset=super().get_queryset(), user=self.request.user)
        )


class SchoolDetail(ScopedRetrieveAPIView):
    serializer_class = SchoolSerializer
    scoped_queryset = School.objects.select_related("district")


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    level = serializers.CharField(allow_null=True)
    district = serializers.IntegerField(allow_null=True)
    school = serializers.IntegerField(allow_null=True)


class Me(APIView):
    """Who the caller is and the scope the server applies to it."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))

    def get(self, request):
        scope = scope_of(request.user)
        data = {
            "username": request.user.username,
            "full_name": request.user.get_full_name(),
            "role": request.user.role,
            "level": scope.level,
            "district": scope.district_id,
            "school": scope.school_id,
        }
        return Response(MeSerializer(data).data)
