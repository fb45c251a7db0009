from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.org.scope import visible

from .base import PortalPage, current_q


class AnnouncementIndexPage(PortalPage):
    """Announcements: the department's for the city, or a district office's under its section."""

    parent_page_types = ["pages.HomePage", "pages.DistrictSectionPage"]
    subpage_types = ["pages.AnnouncementPage"]

    class Meta:
        verbose_name = _("announcements")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        announcements = AnnouncementPage.current().child_of(self).order_by("-pinned", "-first_published_at")
        context["announcements"] = visible(request.user, announcements)
        return context


class AnnouncementPage(PortalPage):
    lemma_body_fields = ("body",)
    body = RichTextField(_("text"), features=["bold", "italic", "link", "ul", "ol", "h3"])
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Shown above the others until it expires."))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)

    content_panels = [*PortalPage.content_panels, FieldPanel("body"), FieldPanel("pinned"), FieldPanel("expires_at")]
    settings_panels = [*PortalPage.settings_panels, *PortalPage.freshness_panels]
    parent_page_types = ["pages.AnnouncementIndexPage"]
    subpage_types = []
    search_fields = [*PortalPage.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    @classmethod
    def current(cls):
        """Live, not expired, not archived."""
        return cls.objects.filter(current_q()).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
