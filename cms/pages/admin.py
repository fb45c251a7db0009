"""The editors' admin: a filtered listing of regulations and bulk archiving and status changes."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction
from wagtail.admin.viewsets.pages import PageListingViewSet

from cms.library.models import DocumentKind, LegalStatus

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


class RegulationListingViewSet(PageListingViewSet):
    model = RegulationPage
    icon = "doc-full"
    menu_label = _("Regulations")
    add_to_admin_menu = True
    name = "regulations"
    filterset_class = RegulationAdminFilterSet


class ArchiveBulkAction(PageBulkAction):
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


class StatusBulkAction(PageBulkAction):
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
