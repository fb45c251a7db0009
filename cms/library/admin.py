"""The editors' listing of the document library in the Wagtail admin: the documents they may edit, with
the library's own filters (kind, status, issuer, year, collection, text extraction)."""

import django_filters
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet
from wagtail.documents.permissions import permission_policy

from .models import DocumentKind, ExtractionStatus, LegalStatus, LibraryDocument


class LibraryDocumentAdminFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DocumentKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LegalStatus.choices)
    issuer = django_filters.CharFilter(label=_("Issuing body"), lookup_expr="icontains")
    year = django_filters.NumberFilter(label=_("Year"), field_name="document_date", lookup_expr="year")
    # The collections whose documents the listing may show (it offered every collection's name).
    collection = django_filters.ModelChoiceFilter(
        label=_("Collection"),
        queryset=lambda request: permission_policy.collections_user_has_any_permission_for(
            request.user, ["change", "delete"]
        ),
    )
    extraction_status = django_filters.ChoiceFilter(label=_("text extraction"), choices=ExtractionStatus.choices)

    class Meta:
        model = LibraryDocument
        fields = []


class LibraryDocumentIndexView(generic.IndexView):
    model = LibraryDocument
    permission_policy = permission_policy
    any_permission_required = ["add", "change", "delete"]
    filterset_class = LibraryDocumentAdminFilterSet
    index_url_name = "library_documents:index"
    index_results_url_name = "library_documents:index_results"
    page_title = _("Document library")
    header_icon = "doc-full"
    paginate_by = 25
    default_ordering = "-created_at"
    columns = [
        TitleColumn("title", label=_("Title"), get_url=lambda doc: reverse("wagtaildocs:edit", args=[doc.pk])),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("number", label=_("Number")),
        DateColumn("document_date", label=_("Date")),
        Column("issuer", label=_("Issuing body")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("collection", label=_("Collection")),
        Column("extraction_status", label=_("text extraction"), accessor="get_extraction_status_display"),
    ]

    def get_base_queryset(self):
        user = self.request.user
        return permission_policy.instances_user_has_any_permission_for(user, ["change", "delete"]).select_related(
            "collection"
        )


class LibraryDocumentViewSet(ViewSet):
    name = "library_documents"
    icon = "doc-full"
    menu_label = _("Document library")
    add_to_admin_menu = True
    menu_order = 310

    def get_urlpatterns(self):
        return [
            path("", LibraryDocumentIndexView.as_view(), name="index"),
            path("results/", LibraryDocumentIndexView.as_view(results_only=True), name="index_results"),
        ]

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.is_shown = lambda request: permission_policy.user_has_any_permission(
            request.user, ["add", "change", "delete"]
        )
        return item
