"""The document library: a Wagtail document with the metadata of an official document and its text."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document
from wagtail.models import Collection
from wagtail.search import index

from cms.groups.models import Community
from cms.org.models import District
from search.indexing import LEMMA_SEARCH_FIELDS, LemmatisedMixin


class DocumentKind(models.TextChoices):
    LAW = "law", _("law")
    RESOLUTION = "resolution", _("resolution")
    ORDER = "order", _("order")
    LETTER = "letter", _("letter")
    DIRECTIVE = "directive", _("directive")
    DECISION = "decision", _("decision")
    REGULATION = "regulation", _("regulation (положення)")
    METHODICAL = "methodical", _("methodical recommendations")
    REPORT = "report", _("report")
    FORM = "form", _("form or template")
    OTHER = "other", _("other")


class LegalStatus(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    AMENDED = "amended", _("in force, amended")
    REPEALED = "repealed", _("repealed")


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for text extraction")
    DONE = "done", _("text extracted")
    FAILED = "failed", _("text extraction failed")
    NOT_APPLICABLE = "not_applicable", _("no text to extract")


class LibraryDocument(LemmatisedMixin, AbstractDocument):
    lemma_title_fields = ("title", "number")
    lemma_body_fields = ("issuer", "extracted_text")

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    number = models.CharField(_("number"), max_length=64, blank=True, db_index=True)
    document_date = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=255, blank=True)
    language = models.CharField(
        _("language"), max_length=8, default="uk", choices=[("uk", _("Ukrainian")), ("en", _("English"))]
    )
    status = models.CharField(_("status"), max_length=16, choices=LegalStatus.choices, default=LegalStatus.IN_FORCE)
    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    extraction_status = models.CharField(
        _("text extraction"),
        max_length=16,
        choices=ExtractionStatus.choices,
        default=ExtractionStatus.PENDING,
        editable=False,
    )
    extraction_error = models.TextField(_("extraction error"), blank=True, editable=False)

    admin_form_fields = (*Document.admin_form_fields, "kind", "number", "document_date", "issuer", "language", "status")

    # The lemmas first, as on the pages: in PostgreSQL's body vector a field after a long text has every word
    # at the last position (16,383), where a word already there keeps its first weight only
    # (``search.postgres_index.weights_of``).
    search_fields = [
        *LEMMA_SEARCH_FIELDS,
        *AbstractDocument.search_fields,
        index.SearchField("number", boost=5),
        index.SearchField("issuer"),
        index.FilterField("issuer"),
        index.SearchField("extracted_text"),
        index.FilterField("kind"),
        index.FilterField("status"),
        index.FilterField("document_date"),
        index.FilterField("collection_id"),
    ]

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        permissions = [("choose_document", "Can choose document")]


#: Apostrophes as typed (a keyboard's «'», the typographic «’», the letter-like «ʼ», a backtick) and as issuing
#: bodies' names are stored (the first three).
APOSTROPHES = "'’ʼ`"
_STORED_APOSTROPHES = "'’ʼ"


def issuer_contains(text: str) -> models.Q:
    """The issuing bodies whose name contains ``text`` in any case, its apostrophes read alike: «здоров'я»
    finds «Міністерство охорони здоров’я України». Shared by the library's issuer filter and the search's."""
    if not any(char in APOSTROPHES for char in text):
        return models.Q(issuer__icontains=text)
    condition = models.Q(pk__in=[])
    for apostrophe in _STORED_APOSTROPHES:
        condition |= models.Q(
            issuer__icontains=text.translate(str.maketrans(APOSTROPHES, apostrophe * len(APOSTROPHES)))
        )
    return condition


class CollectionAudience(models.Model):
    """Who may read the documents of a collection (and of its sub-collections).

    A collection without an audience is the department's own: only city-level users read it.
    """

    class Level(models.TextChoices):
        CITY = "city", _("everyone in the city")
        DISTRICT = "district", _("one district")
        COMMUNITY = "community", _("one community")

    collection = models.OneToOneField(Collection, on_delete=models.CASCADE, related_name="audience")
    level = models.CharField(_("audience"), max_length=16, choices=Level.choices)
    district = models.OneToOneField(District, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    community = models.OneToOneField(Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("collection audience")
        verbose_name_plural = _("collection audiences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="city", district__isnull=True, community__isnull=True)
                | models.Q(level="district", district__isnull=False, community__isnull=True)
                | models.Q(level="community", district__isnull=True, community__isnull=False),
                name="collection_audience_matches_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.collection}: {self.get_level_display()}"
