from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from cms.accounts.roles import has_capability
from cms.org.models import District, School
from cms.org.scope import visible

from .base import PortalPage, current_q


class ExperienceIndexPage(PortalPage):
    """Experience sharing (обмін досвідом): the city listing of every district's approved articles."""

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ExperienceDistrictPage"]
    max_count = 1

    class Meta:
        verbose_name = _("experience sharing")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["can_write_article"] = has_capability(request.user, "write_articles")
        context["articles"] = (
            visible(request.user, ExperienceArticlePage.objects.descendant_of(self))
            .filter(current_q())
            .select_related("author_school__district")
            .order_by("-first_published_at")
        )
        return context


class ExperienceDistrictPage(PortalPage):
    """A district's articles. Its moderation workflow is reviewed by that district's office."""

    district = models.OneToOneField(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")

    content_panels = [*PortalPage.content_panels, FieldPanel("district")]
    parent_page_types = ["pages.ExperienceIndexPage"]
    subpage_types = ["pages.ExperienceArticlePage"]

    class Meta:
        verbose_name = _("district experience")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["can_write_article"] = has_capability(request.user, "write_articles")
        context["articles"] = (
            visible(request.user, ExperienceArticlePage.objects.child_of(self))
            .filter(current_q())
            .select_related("author_school__district")
            .order_by("-first_published_at")
        )
        return context


class ExperienceArticlePage(PortalPage):
    """An article written by school staff in the portal; its HTML is sanitised before it is stored."""

    lemma_body_fields = ("body",)

    author_school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("text"))

    content_panels = [*PortalPage.content_panels, FieldPanel("author_school"), FieldPanel("body")]
    parent_page_types = ["pages.ExperienceDistrictPage"]
    subpage_types = []
    search_fields = [*PortalPage.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("experience article")
        verbose_name_plural = _("experience articles")

    def save(self, *args, **kwargs):
        from cms.pages.sanitise import sanitise_html

        self.body = sanitise_html(self.body)
        super().save(*args, **kwargs)
