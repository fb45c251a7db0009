from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.org.scope import visible

from .base import AttachmentBase, PortalPage, attachments_panel, current_q


class YearPage(PortalPage):
    """A publication of a year with a text and attached files: a report or a monitoring study."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    body = RichTextField(_("text"), blank=True)

    lemma_body_fields = ("body",)
    content_panels = [*PortalPage.content_panels, FieldPanel("year"), FieldPanel("body"), attachments_panel()]
    settings_panels = [*PortalPage.settings_panels, *PortalPage.freshness_panels]
    subpage_types = []
    search_fields = [*PortalPage.search_fields, index.SearchField("body"), index.FilterField("year")]

    class Meta:
        abstract = True


class YearIndexPage(PortalPage):
    """A listing of its children by year, newest first; ``child_model`` names the kind of child."""

    child_model: type[YearPage]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = visible(request.user, self.child_model.objects.child_of(self).filter(current_q()))
        groups: dict[int, list] = {}
        for page in children.order_by("-year", "title"):
            groups.setdefault(page.year, []).append(page)
        context["by_year"] = sorted(groups.items(), reverse=True)
        return context


class ReportPage(YearPage):
    parent_page_types = ["pages.ReportIndexPage"]

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")


class ReportIndexPage(YearIndexPage):
    """Current analytical reports (актуальні звіти), by year."""

    child_model = ReportPage
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ReportPage"]

    class Meta:
        verbose_name = _("reports")


class ReportAttachment(AttachmentBase):
    page = ParentalKey(ReportPage, on_delete=models.CASCADE, related_name="attachments")


class StudyPage(YearPage):
    parent_page_types = ["pages.StudyIndexPage"]

    class Meta:
        verbose_name = _("monitoring study")
        verbose_name_plural = _("monitoring studies")


class StudyIndexPage(YearIndexPage):
    """Monitoring studies and testing."""

    child_model = StudyPage
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.StudyPage"]

    class Meta:
        verbose_name = _("monitoring studies")


class StudyAttachment(AttachmentBase):
    page = ParentalKey(StudyPage, on_delete=models.CASCADE, related_name="attachments")
