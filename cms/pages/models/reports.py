from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.org.scope import visible

from .base import AttachmentBase, PortalPage, attachments_panel, current_q


class ReportIndexPage(PortalPage):
    """Current analytical reports (актуальні звіти), by year."""

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ReportPage"]

    class Meta:
        verbose_name = _("reports")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        reports = visible(request.user, ReportPage.objects.child_of(self).filter(current_q())).order_by(
            "-year", "title"
        )
        context["reports_by_year"] = _group_by_year(reports)
        return context


def _group_by_year(pages) -> list[tuple[int, list]]:
    groups: dict[int, list] = {}
    for page in pages:
        groups.setdefault(page.year, []).append(page)
    return sorted(groups.items(), reverse=True)


class ReportPage(PortalPage):
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    body = RichTextField(_("text"), blank=True)

    content_panels = [*PortalPage.content_panels, FieldPanel("year"), FieldPanel("body"), attachments_panel()]
    settings_panels = [*PortalPage.settings_panels, *PortalPage.freshness_panels]
    parent_page_types = ["pages.ReportIndexPage"]
    subpage_types = []
    search_fields = [*PortalPage.search_fields, index.SearchField("body"), index.FilterField("year")]

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")


class ReportAttachment(AttachmentBase):
    page = ParentalKey(ReportPage, on_delete=models.CASCADE, related_name="attachments")


class StudyIndexPage(PortalPage):
    """Monitoring studies and testing."""

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.StudyPage"]

    class Meta:
        verbose_name = _("monitoring studies")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        studies = visible(request.user, StudyPage.objects.child_of(self).filter(current_q())).order_by("-year", "title")
        context["studies_by_year"] = _group_by_year(studies)
        return context


class StudyPage(PortalPage):
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    body = RichTextField(_("text"), blank=True)

    content_panels = [*PortalPage.content_panels, FieldPanel("year"), FieldPanel("body"), attachments_panel()]
    settings_panels = [*PortalPage.settings_panels, *PortalPage.freshness_panels]
    parent_page_types = ["pages.StudyIndexPage"]
    subpage_types = []
    search_fields = [*PortalPage.search_fields, index.SearchField("body"), index.FilterField("year")]

    class Meta:
        verbose_name = _("monitoring study")
        verbose_name_plural = _("monitoring studies")


class StudyAttachment(AttachmentBase):
    page = ParentalKey(StudyPage, on_delete=models.CASCADE, related_name="attachments")
