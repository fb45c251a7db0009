"""Scope applied to Wagtail's own page serving, explorer and choosers."""

from django.http import Http404
from wagtail import hooks
from wagtail.models import Page

from cms.org.scope import pages_hidden_in_admin, scope_of, visible

from .admin import SCOPED_WAGTAIL_BULK_ACTIONS, ArchiveBulkAction, RegulationListingViewSet, StatusBulkAction


@hooks.register("before_serve_page")
def serve_only_in_scope(page, request, serve_args, serve_kwargs):
    if not visible(request.user, Page).filter(pk=page.pk).exists():
        raise Http404


def _hide_out_of_scope(pages, user):
    hidden = pages_hidden_in_admin(user)
    return pages.exclude(hidden) if hidden is not None else pages


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    return _hide_out_of_scope(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def scope_explorer(parent_page, pages, request):
    return _hide_out_of_scope(pages, request.user)


@hooks.register("construct_reports_menu")
def hide_city_wide_reports(request, menu_items):
    """The page types report is the department's (``cms.org.admin_views.CITY_WIDE_ADMIN_VIEWS``)."""
    if not scope_of(request.user).is_city:
        menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]


@hooks.register("register_admin_viewset")
def register_regulation_listing():
    return RegulationListingViewSet()


hooks.register("register_bulk_action", ArchiveBulkAction)
hooks.register("register_bulk_action", StatusBulkAction)
for scoped_action in SCOPED_WAGTAIL_BULK_ACTIONS:  # after Wagtail's own (order 0), each in its place
    hooks.register("register_bulk_action", scoped_action, order=1)


@hooks.register("register_log_actions")
def register_page_actions(actions):
    from django.utils.translation import gettext_lazy as _

    actions.register_action("pages.archive", _("Archive"), _("Moved to the archive"))
    actions.register_action("pages.unarchive", _("Restore from the archive"), _("Restored from the archive"))
    actions.register_action("pages.status_change", _("Change status"), _("Legal status changed"))
