from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from cms.org.models import District

from .base import PortalPage


class DistrictSectionPage(PortalPage):
    """A district office's own section: its regulations and announcements. Only that district's schools and
    office, and the department, read it (``cms.org.scope``)."""

    district = models.OneToOneField(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*PortalPage.content_panels, FieldPanel("district"), FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.RegulationIndexPage", "pages.AnnouncementIndexPage"]

    class Meta:
        verbose_name = _("district section")
