"""What every content page of the portal shares: an owner and a review date, archiving, scoped serving."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page
from wagtail.search import index

from search.indexing import LEMMA_SEARCH_FIELDS, LemmatisedMixin


class FreshnessMixin(models.Model):
    """Every page has an owner who keeps it current, and a date by which it must be reviewed."""

    content_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("content owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who keeps this page current; sees it in the review list when it is due."),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True, db_index=True)

    freshness_panels = [MultiFieldPanel([FieldPanel("content_owner"), FieldPanel("review_by")], heading=_("Freshness"))]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.review_by is None:
            self.review_by = timezone.localdate() + timedelta(days=settings.ECAB_REVIEW_INTERVAL_DAYS)
        super().save(*args, **kwargs)


class ArchivableMixin(models.Model):
    """Pages leave the current listings for the archive when an editor archives them or when they age out."""

    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, db_index=True)
    #: Whether the page leaves the current listings by itself after ECAB_ARCHIVE_AFTER_DAYS. An act in force
    #: does not: regulations leave only when an editor archives them.
    ages_into_archive = True

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None or (self.ages_into_archive and self.listing_date < archive_cutoff())

    @property
    def listing_date(self) -> date:
        published = self.first_published_at or timezone.now()
        return timezone.localtime(published).date()


def archive_cutoff() -> date:
    return timezone.localdate() - timedelta(days=settings.ECAB_ARCHIVE_AFTER_DAYS)


def current_q(model=None) -> models.Q:
    """Pages (of ``model``) still in the current listings: not archived and, where pages age, not aged out."""
    if model is not None and not model.ages_into_archive:
        return models.Q(archived_at__isnull=True)
    cutoff = archive_cutoff()
    return models.Q(archived_at__isnull=True) & (
        models.Q(first_published_at__isnull=True) | models.Q(first_published_at__date__gte=cutoff)
    )


def archived_q(model=None) -> models.Q:
    return ~current_q(model)


class PortalPage(LemmatisedMixin, FreshnessMixin, ArchivableMixin, Page):
    """Base of every content page: freshness, archiving and Ukrainian search lemmas. Serving is scoped for
    every page by the ``before_serve_page`` hook in ``cms/pages/wagtail_hooks.py``."""

    search_fields = [*Page.search_fields, *LEMMA_SEARCH_FIELDS, index.FilterField("archived_at")]

    class Meta:
        abstract = True


class AttachmentBase(Orderable):
    """A document attached to a page."""

    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL, verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    panels = [FieldPanel("document"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        abstract = True


def attachments_panel(relation: str = "attachments"):
    return InlinePanel(relation, heading=_("Attached documents"), label=_("document"))


__all__ = [
    "ArchivableMixin",
    "AttachmentBase",
    "FreshnessMixin",
    "ParentalKey",
    "PortalPage",
    "archived_q",
    "current_q",
]
