"""The editors' admin: a filtered listing of regulations, bulk archiving and status changes, and Wagtail's page bulk
actions on the pages of the user's scope."""

import functools
import operator

import django_filters
from django import forms
from django.contrib.auth import get_permission_codename
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction
from wagtail.admin.views.pages.bulk_actions.move import MoveBulkAction
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.admin.views.pages.bulk_actions.unpublish import UnpublishBulkAction
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.views.pages.search import page_filter_search
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Page
from wagtail.permissions import page_permission_policy

from cms.library.models import DocumentKind, LegalStatus
from cms.org.scope import pages_hidden_in_admin, subtree

from . import services
from .models import PortalPage, RegulationPage


class RegulationAdminFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DocumentKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LegalStatus.choices)
    issuer = django_filters.CharFilter(label=_("Issuing body"), lookup_expr="icontains")
    year = django_filters.NumberFilter(label=_("Year"), field_name="document_date", lookup_expr="year")
    archived = django_filters.BooleanFilter(
        label=_("Archived"), field_name="archived_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = RegulationPage
        fields = []


#: The page permissions that make a page explorable in the admin (Wagtail's ``explorable_instances``).
EXPLORING_ACTIONS = ("add", "change", "publish", "lock", "unlock", "bulk_delete")


#: No page, as a filter on a field an engine's query keeps (one on a page type's key would be left out).
NO_PAGE = Q(path__in=[])


def explorable_subtrees(user) -> Q:
    """The pages below (and at) those of the user's page permissions that let it explore them, as ranges of
    paths: a filter Wagtail's search backends apply in an engine's query. Wagtail also lets a user explore the
    ancestors of those pages, which are sections, never an act (a regulation has no subpages)."""
    if not user.is_active:
        return NO_PAGE
    if user.is_superuser:
        return Q()
    codenames = {get_permission_codename(action, Page._meta) for action in EXPLORING_ACTIONS}
    subtrees = [
        subtree(permission.page.path)
        for permission in page_permission_policy.get_cached_permissions_for_user(user)
        if permission.permission.codename in codenames
    ]
    return functools.reduce(operator.or_, subtrees) if subtrees else NO_PAGE


class RegulationIndexView(IndexView):
    def get_base_queryset(self):
        # Wagtail narrows the listing to the pages the user may explore by ``pk__in`` them: a filter on the
        # type's pointer key, which Wagtail's search backends leave out of an engine's query, so a search on
        # OpenSearch counted the acts of every district ("1-1 of 1" and no row). The same pages as ranges of
        # paths, which the engine applies.
        pages = super().get_base_queryset()
        return pages.filter(explorable_subtrees(self.request.user)) if self.is_searching else pages


class RegulationListingViewSet(PageListingViewSet):
    model = RegulationPage
    icon = "doc-full"
    menu_label = _("Regulations")
    add_to_admin_menu = True
    name = "regulations"
    filterset_class = RegulationAdminFilterSet
    index_view_class = RegulationIndexView


class ScopedPageBulkAction(PageBulkAction):
    """A page bulk action on the pages of the user's scope only, as the explorer and the choosers list them
    (``wagtail_hooks``: another district's section and the pages behind a view restriction the user does not
    pass are left out): Wagtail listed every page the request named, by title, those the user may not act on
    among them ("You cannot…"), so an office could read another district's titles by their ids. Such pages are
    now neither listed nor acted on, and a request naming only them answers 404. A base of Wagtail's own page
    bulk actions too (:data:`SCOPED_WAGTAIL_BULK_ACTIONS`): their own listing steps (a move's common parent) see
    the scoped pages."""

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        hidden = pages_hidden_in_admin(self.request.user)
        if hidden is None:
            return objects, extra
        named = [page.pk for page in [*objects, *extra["items_with_no_access"]]]
        outside = set(Page.objects.filter(pk__in=named).filter(hidden).values_list("pk", flat=True))
        if not outside:
            return objects, extra
        objects = [page for page in objects if page.pk not in outside]
        no_access = [page for page in extra["items_with_no_access"] if page.pk not in outside]
        if not objects and not no_access:
            raise Http404
        return objects, {**extra, "items_with_no_access": no_access}

    def get_all_objects_in_listing_query(self, parent_id):
        query = self.request.GET.get("q", "")
        if not query:
            return super().get_all_objects_in_listing_query(parent_id)
        # All of a search's results: Wagtail searches the pages' keys (a ``values_list``), and its OpenSearch and
        # Elasticsearch backends read each result as a page (``.pk`` of a key: a 500). The pages are searched
        # here, as Wagtail's search of them (under the listing's page, when it has one), and their keys given.
        pages = Page.objects.all() if parent_id is None else get_object_or_404(Page, id=parent_id).get_descendants()
        return [page.pk for page in page_filter_search(query, pages)[0]]


def _scoped(action: type[PageBulkAction]) -> type[PageBulkAction]:
    """Wagtail's page bulk action ``action`` on the scoped pages: :class:`ScopedPageBulkAction` right below it."""
    return type(f"Scoped{action.__name__}", (action, ScopedPageBulkAction), {"__module__": __name__})


#: Wagtail's page bulk actions, each on the scoped pages; registered after Wagtail's (``wagtail_hooks``), in
#: their place.
SCOPED_WAGTAIL_BULK_ACTIONS = [
    _scoped(action) for action in (DeleteBulkAction, MoveBulkAction, PublishBulkAction, UnpublishBulkAction)
]


class ArchiveBulkAction(ScopedPageBulkAction):
    display_name = _("Archive")
    action_type = "archive"
    aria_label = _("Move the selected pages to the archive")
    template_name = "pages/admin/confirm_bulk_archive.html"
    action_priority = 60

    def check_perm(self, page):
        return (
            isinstance(page.specific_deferred, PortalPage)
            and page.permissions_for_user(self.request.user).can_publish()
        )

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return services.archive_pages(objects, user=user), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d page moved to the archive.", "%(count)d pages moved to the archive.", num_parent_objects
        ) % {"count": num_parent_objects}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=LegalStatus.choices)


class StatusBulkAction(ScopedPageBulkAction):
    display_name = _("Change status")
    action_type = "change_status"
    aria_label = _("Change the legal status of the selected regulations")
    template_name = "pages/admin/confirm_bulk_status.html"
    action_priority = 65
    form_class = StatusForm

    def check_perm(self, page):
        return page.specific_class is RegulationPage and page.permissions_for_user(self.request.user).can_publish()

    def get_execution_context(self):
        return {**super().get_execution_context(), "status": self.cleaned_form.cleaned_data["status"]}

    @classmethod
    def execute_action(cls, objects, user=None, status=None, **kwargs):
        return services.set_regulation_status(objects, status=status, user=user), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Status changed for %(count)d regulation.", "Status changed for %(count)d regulations.", num_parent_objects
        ) % {"count": num_parent_objects}
