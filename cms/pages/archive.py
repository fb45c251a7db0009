"""The archive listing: archived and aged-out pages in scope, by year and kind."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from cms.org.scope import visible

from .models.base import archived_q

ARCHIVED_TYPES = ["regulationpage", "announcementpage", "reportpage", "studypage", "experiencearticlepage"]
PAGE_SIZE = 25


def _kind_choices():
    types = ContentType.objects.filter(app_label="pages", model__in=ARCHIVED_TYPES)
    return [(ct.pk, ct.model_class()._meta.verbose_name) for ct in types]


class ArchiveFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), field_name="first_published_at", lookup_expr="year")
    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="content_type", choices=_kind_choices)
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="icontains")

    class Meta:
        model = Page
        fields = ["year", "kind", "q"]


def archived_pages(user):
    """Archived content pages in the user's scope, newest first. Archiving fields live on each page type's
    table, so the condition is applied per type and the ids unioned."""
    from django.apps import apps

    condition = Q(pk__in=[])
    for model_name in ARCHIVED_TYPES:
        model = apps.get_model("pages", model_name)
        condition |= Q(pk__in=model.objects.filter(archived_q(model)).values("pk"))
    return visible(user, Page).filter(condition).order_by("-first_published_at")


def archive_context(request) -> dict:
    archive_filter = ArchiveFilter(
        request.GET or None, queryset=archived_pages(request.user).select_related("content_type")
    )
    items = Paginator(archive_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"filter": archive_filter, "items": items, "query": query.urlencode()}
