from rest_framework import serializers

from cms.api.base import ScopedListAPIView, ScopedRetrieveAPIView

from .models import Community


class CommunitySerializer(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "kind", "district", "description"]


class CommunityList(ScopedListAPIView):
    serializer_class = CommunitySerializer
    scoped_queryset = Community.objects.select_related("district").order_by("kind", "name")


class CommunityDetail(ScopedRetrieveAPIView):
    serializer_class = CommunitySerializer
    scoped_queryset = Community.objects.select_related("district")
