"""Wagtail's locked pages and workflow reports with filters in the user's scope.

Their rows are the pages the user may edit, but their "locked by" and "requested by" filters offered everyone who
had locked a page or started a workflow anywhere: a district office read the names of another district's office
and school directors there. The filters now offer the users the scope module lets the user see (``users_read``).
The views are served at Wagtail's own addresses (``urlpatterns``, before the admin's in ``cms.urls``), so Wagtail's
links and names lead to them.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.urls import path
from wagtail.admin.views.reports.locked_pages import LockedPagesReportFilterSet, LockedPagesView
from wagtail.admin.views.reports.workflows import WorkflowReportFilterSet, WorkflowView
from wagtail.models import WorkflowState

from cms.org.scope import visible


def _users_who_locked(request):
    users = visible(request.user, get_user_model())
    return users.filter(locked_pages__isnull=False).order_by(get_user_model().USERNAME_FIELD).distinct()


def _users_who_requested(request):
    users = visible(request.user, get_user_model())
    requested = WorkflowState.objects.filter(requested_by__isnull=False).values("requested_by")
    return users.filter(pk__in=requested).order_by(get_user_model().USERNAME_FIELD)


class ScopedLockedPagesFilterSet(LockedPagesReportFilterSet):
    locked_by = django_filters.ModelChoiceFilter(field_name="locked_by", queryset=_users_who_locked)


class ScopedWorkflowFilterSet(WorkflowReportFilterSet):
    requested_by = django_filters.ModelChoiceFilter(field_name="requested_by", queryset=_users_who_requested)


class ScopedLockedPagesView(LockedPagesView):
    filterset_class = ScopedLockedPagesFilterSet


class ScopedWorkflowView(WorkflowView):
    filterset_class = ScopedWorkflowFilterSet


urlpatterns = [
    path("locked/", ScopedLockedPagesView.as_view()),
    path("locked/results/", ScopedLockedPagesView.as_view(results_only=True)),
    path("workflow/", ScopedWorkflowView.as_view()),
    path("workflow/results/", ScopedWorkflowView.as_view(results_only=True)),
]
