from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.library.models import DocumentKind, LegalStatus
from cms.org.scope import visible

from .base import AttachmentBase, PortalPage, attachments_panel, current_q


class RegulationIndexPage(PortalPage):
    """The normative base: city-wide under the home page, or a district office's under its section."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*PortalPage.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage", "pages.DistrictSectionPage"]
    subpage_types = ["pages.RegulationPage"]

    class Meta:
        verbose_name = _("normative base")

    def get_context(self, request, *args, **kwargs):
        from cms.library.views import regulation_listing

        context = super().get_context(request, *args, **kwargs)
        context.update(
            regulation_listing(
                request, visible(request.user, RegulationPage.objects.child_of(self).filter(current_q(RegulationPage)))
            )
        )
        return context


class RegulationPage(PortalPage):
    """One act of the normative base: its metadata, its text and its attached files."""

    ages_into_archive = False
    lemma_title_fields = ("title", "number")
    lemma_body_fields = ("subjects", "issuer", "summary", "text")

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.ORDER)
    number = models.CharField(_("number"), max_length=64, blank=True, db_index=True)
    document_date = models.DateField(_("date"), null=True, blank=True, db_index=True)
    issuer = models.CharField(_("issuing body"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LegalStatus.choices, default=LegalStatus.IN_FORCE)
    subjects = models.CharField(
        _("subjects"), max_length=255, blank=True, help_text=_("Comma-separated, e.g. «зарахування, інклюзія».")
    )
    source_url = models.URLField(_("official source"), blank=True)
    summary = RichTextField(_("summary"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    text = models.TextField(_("full text"), blank=True)
    amends = ParentalManyToManyField(
        "self", verbose_name=_("amends"), blank=True, symmetrical=False, related_name="amended_by"
    )
    replaces = ParentalManyToManyField(
        "self", verbose_name=_("replaces"), blank=True, symmetrical=False, related_name="replaced_by"
    )
    # The file an act was imported from (cms.pages.regulations_import): re-imports find the page by it.
    source_file = models.CharField(_("source file"), max_length=255, blank=True, db_index=True, editable=False)

    content_panels = [
        *PortalPage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("number"),
                FieldPanel("document_date"),
                FieldPanel("issuer"),
                FieldPanel("status"),
                FieldPanel("subjects"),
                FieldPanel("source_url"),
            ],
            heading=_("Details"),
        ),
        FieldPanel("summary"),
        FieldPanel("text"),
        FieldPanel("amends"),
        FieldPanel("replaces"),
        attachments_panel(),
    ]
    settings_panels = [*PortalPage.settings_panels, *PortalPage.freshness_panels]
    parent_page_types = ["pages.RegulationIndexPage"]
    subpage_types = []

    search_fields = [
        *PortalPage.search_fields,
        index.SearchField("number", boost=5),
        index.AutocompleteField("number"),
        index.SearchField("issuer"),
        index.FilterField("issuer"),
        index.SearchField("subjects", boost=2),
        index.SearchField("summary"),
        index.SearchField("text"),
        index.FilterField("kind"),
        index.FilterField("status"),
        index.FilterField("document_date"),
    ]

    class Meta:
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")


class RegulationAttachment(AttachmentBase):
    page = ParentalKey(RegulationPage, on_delete=models.CASCADE, related_name="attachments")
