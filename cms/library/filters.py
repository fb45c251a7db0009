"""Filters of the library listings, shared by the portal pages and the JSON API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection

from cms.org.models import District
from cms.org.scope import district_collection_ids
from cms.pages.models import RegulationPage

from .models import DocumentKind, LegalStatus, LibraryDocument, issuer_contains

ORDERINGS = [
    ("-date", _("newest first")),
    ("date", _("oldest first")),
    ("title", _("by title")),
    ("number", _("by number")),
]


class _LibraryFilterBase(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or number"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DocumentKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LegalStatus.choices)
    issuer = django_filters.CharFilter(label=_("Issuing body"), method="filter_issuer")
    year = django_filters.NumberFilter(label=_("Year"), field_name="document_date", lookup_expr="year")
    order = django_filters.ChoiceFilter(label=_("Sort"), choices=ORDERINGS, method="filter_order", empty_label=None)

    date_field = "document_date"

    def filter_issuer(self, queryset, name, value):
        return queryset.filter(issuer_contains(value))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(number__icontains=value))

    def filter_order(self, queryset, name, value):
        field = {"date": self.date_field, "title": "title", "number": "number"}[value.lstrip("-")]
        return queryset.order_by(f"{'-' if value.startswith('-') else ''}{field}", "pk")

    @property
    def qs(self):
        qs = super().qs
        if not (self.form.is_bound and self.form.is_valid() and self.form.cleaned_data.get("order")):
            qs = qs.order_by(f"-{self.date_field}", "pk")
        return qs


class DocumentFilter(_LibraryFilterBase):
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.all(), method="filter_district"
    )
    collection = django_filters.ModelChoiceFilter(label=_("Collection"), queryset=Collection.objects.none())

    class Meta:
        model = LibraryDocument
        fields = ["q", "kind", "status", "issuer", "year", "district", "collection", "order"]

    def __init__(self, *args, readable_collections=None, **kwargs):
        super().__init__(*args, **kwargs)
        collections = Collection.objects.filter(depth__gt=1)
        if readable_collections is not None:
            condition = Q(pk__in=[])
            for path in readable_collections:
                condition |= Q(path__startswith=path)
            collections = collections.filter(condition)
        self.filters["collection"].queryset = collections.order_by("path")

    def filter_district(self, queryset, name, value):
        """The district's documents: in its collection and the collections under it."""
        return queryset.filter(collection_id__in=district_collection_ids(value.pk))


class RegulationFilter(_LibraryFilterBase):
    class Meta:
        model = RegulationPage
        fields = ["q", "kind", "status", "issuer", "year", "order"]
