"""JSON API of the library: our listings, and Wagtail's API v2 for pages and documents, all scoped."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page

from cms.api.base import ScopedListAPIView, valid_filter_qs
from cms.org.admin_views import keys_named
from cms.org.scope import images_in_admin, readable_collection_paths, scope_of, visible
from cms.pages.models import RegulationPage

from .filters import DocumentFilter, RegulationFilter
from .models import LibraryDocument


class DocumentSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)
    collection = serializers.CharField(source="collection.name", read_only=True)

    class Meta:
        model = LibraryDocument
        fields = [
            "id",
            "title",
            "kind",
            "number",
            "document_date",
            "issuer",
            "status",
            "language",
            "collection",
            "url",
            "created_at",
        ]


class DocumentList(ScopedListAPIView):
    serializer_class = DocumentSerializer
    scoped_queryset = LibraryDocument.objects.select_related("collection")

    def get_queryset(self):
        paths = readable_collection_paths(scope_of(self.request.user))
        return valid_filter_qs(
            DocumentFilter(self.request.GET or None, queryset=super().get_queryset(), readable_collections=paths)
        )


class RegulationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RegulationPage
        fields = ["id", "title", "kind", "number", "document_date", "issuer", "status", "subjects", "url"]

    def get_url(self, page) -> str:
        return page.get_url(request=self.context.get("request"))


class RegulationList(ScopedListAPIView):
    serializer_class = RegulationSerializer
    scoped_queryset = RegulationPage.objects.all()

    def get_queryset(self):
        return valid_filter_qs(RegulationFilter(self.request.GET or None, queryset=super().get_queryset()))


class _FoundByKey:
    """Wagtail's API ``find`` (``?id=``) answers 404 for an id that is no key, as for one not there: it failed
    (500) on «abc» and, on SQLite, on a number past 64 bits."""

    def find_object(self, queryset, request):
        if "id" in request.GET:
            try:
                keys_named([request.GET["id"]])
            except Http404:
                raise Http404("not found") from None  # Wagtail's answer for a key not there
        return super().find_object(queryset, request)


class _ScopedWagtailAPI(_FoundByKey):
    """Wagtail's API v2 endpoints, authenticated and filtered through the scope module."""

    permission_classes = [IsAuthenticated]

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


class ScopedPagesAPIViewSet(_ScopedWagtailAPI, PagesAPIViewSet):
    def get_base_queryset(self):
        return visible(self.request.user, super().get_base_queryset())

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is Page:
            return queryset
        # One page type: Wagtail narrows the type's pages by ``pk__in`` the scoped pages, a filter on the type's
        # pointer key, which Wagtail's search backends leave out of an engine's query: OpenSearch counted
        # (``meta.total_count``) the type's pages out of the user's scope, and unpublished ones. The scope is put
        # on the type's queryset too, as filters the engine applies (``live``, ``path``).
        return visible(self.request.user, queryset)


class ScopedDocumentsAPIViewSet(_ScopedWagtailAPI, DocumentsAPIViewSet):
    model = LibraryDocument

    def get_queryset(self):
        return visible(self.request.user, super().get_queryset())


wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", ScopedPagesAPIViewSet)
wagtail_api.register_endpoint("documents", ScopedDocumentsAPIViewSet)


# Wagtail's admin API (``/admin/api/main/``, ``library.wagtail_hooks``): its documents and images endpoints listed
# every document and image by title, tags and download address, leaving out only the privacy-restricted collections.


class ScopedDocumentsAdminAPIViewSet(_FoundByKey, DocumentsAdminAPIViewSet):
    model = LibraryDocument

    def get_queryset(self):
        return visible(self.request.user, super().get_queryset())


class ScopedImagesAdminAPIViewSet(_FoundByKey, ImagesAdminAPIViewSet):
    def get_queryset(self):
        return super().get_queryset().filter(pk__in=images_in_admin(self.request.user).values("pk"))
