"""Wagtail's page listings with filters that offer only what the user's rows hold: the explorer, the locked pages
report and the two workflow reports.

Their rows are in the user's scope (the pages the admin lists to it, the pages it may edit), but their filters
offered every object of the site: the explorer's "owner" and "edited by" everyone who owned or edited a page
anywhere, the reports' "locked by" and "requested by" everyone who locked a page or started a workflow, their
"workflow" and "task" every district's workflow («Модерація статей: Оболонський район»). A district office read the
names of another district's office and school directors there. Each filter now offers the objects its rows
name, among the users the scope module lets the user see (``visible``).

The views are served at Wagtail's own addresses (``urlpatterns``, before the admin's in ``cms.urls``), the
explorer's under its own names, so that ``cms.org.admin_views`` guards them.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import path
from wagtail.admin.views.pages.listing import ExplorableIndexView, GenericPageFilterSet
from wagtail.admin.views.reports.locked_pages import LockedPagesReportFilterSet, LockedPagesView
from wagtail.admin.views.reports.workflows import (
    WorkflowReportFilterSet,
    WorkflowTasksReportFilterSet,
    WorkflowTasksView,
    WorkflowView,
)
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page, PageLogEntry
from wagtail.permissions import page_permission_policy

from cms.org.scope import pages_in_admin, visible


class _ChoicesFromRows:
    """A filterset whose filters of objects offer those the rows it is given hold (``queryset``: what the listing
    shows the user before it is filtered). ``choices_from`` maps a filter's name to the keys of its objects the
    rows name; a filter of users offers those the scope module lets the user see among them."""

    choices_from: dict[str, Callable[[QuerySet], QuerySet]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, keys_in in self.choices_from.items():
            if name not in self.filters:
                continue
            objects = self.filters[name]
            choices = objects.get_queryset(self.request)
            if choices.model is get_user_model():
                choices = visible(self.request.user, choices)
            objects.queryset = choices.filter(pk__in=keys_in(self.queryset))


class _FilteredOnRows:
    """A listing view that gives its filterset its rows (:class:`_ChoicesFromRows`)."""

    def rows_for_choices(self) -> QuerySet:
        return self.get_queryset()

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "queryset": self.rows_for_choices()}


def _field(name: str) -> Callable[[QuerySet], QuerySet]:
    return lambda rows: rows.values(name)


def _page_editors(pages: QuerySet) -> QuerySet:
    return PageLogEntry.objects.filter(action="wagtail.edit", page__in=pages.values("pk")).values("user_id")


class ScopedPageFilterSet(_ChoicesFromRows, GenericPageFilterSet):
    choices_from = {"owner": _field("owner_id"), "edited_by": _page_editors}


class ScopedExplorableIndexView(_FilteredOnRows, ExplorableIndexView):
    base_filterset_class = ScopedPageFilterSet

    def rows_for_choices(self) -> QuerySet:
        # A filter searches the whole tree the user may explore, not the page's children alone.
        explorable = page_permission_policy.explorable_instances(self.request.user)
        return pages_in_admin(self.request.user).filter(pk__in=explorable.values("pk"))


class ScopedPageViewSet(PageViewSet):
    """Wagtail's page views (of every page type: the portal registers no other) with the scoped explorer."""

    index_view_class = ScopedExplorableIndexView
    filterset_class = ScopedPageFilterSet


scoped_pages = ScopedPageViewSet()


class ScopedLockedPagesFilterSet(_ChoicesFromRows, LockedPagesReportFilterSet):
    choices_from = {"locked_by": _field("locked_by_id")}


class ScopedWorkflowFilterSet(_ChoicesFromRows, WorkflowReportFilterSet):
    choices_from = {"requested_by": _field("requested_by_id"), "workflow": _field("workflow_id")}


class ScopedWorkflowTasksFilterSet(_ChoicesFromRows, WorkflowTasksReportFilterSet):
    choices_from = {"workflow": _field("workflow_state__workflow_id"), "task": _field("task_id")}


class ScopedLockedPagesView(_FilteredOnRows, LockedPagesView):
    filterset_class = ScopedLockedPagesFilterSet

    def rows_for_choices(self) -> QuerySet:
        # The report's pages, as Wagtail's ``get_queryset`` finds them (it reads the filters on its way).
        user = self.request.user
        editable = page_permission_policy.instances_user_has_permission_for(user, "change")
        return (editable | Page.objects.filter(locked_by=user)).filter(locked=True)


class ScopedWorkflowView(_FilteredOnRows, WorkflowView):
    filterset_class = ScopedWorkflowFilterSet


class ScopedWorkflowTasksView(_FilteredOnRows, WorkflowTasksView):
    filterset_class = ScopedWorkflowTasksFilterSet


#: Under the admin's ``pages/``, with Wagtail's names.
explorer_urlpatterns = [
    path("", scoped_pages.index_view, name="wagtailadmin_explore_root"),
    path("<int:parent_page_id>/", scoped_pages.index_view, name="wagtailadmin_explore"),
    path("<int:parent_page_id>/results/", scoped_pages.index_results_view, name="wagtailadmin_explore_results"),
]
#: Under the admin's ``reports/``.
report_urlpatterns = [
    path("locked/", ScopedLockedPagesView.as_view()),
    path("locked/results/", ScopedLockedPagesView.as_view(results_only=True)),
    path("workflow/", ScopedWorkflowView.as_view()),
    path("workflow/results/", ScopedWorkflowView.as_view(results_only=True)),
    path("workflow_tasks/", ScopedWorkflowTasksView.as_view()),
    path("workflow_tasks/results/", ScopedWorkflowTasksView.as_view(results_only=True)),
]
