"""The query log: what people search for and how many results they got — never who searched."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QueryLogEntry(models.Model):
    """One query text on one day: how often it was searched, how often that found nothing (in the searcher's
    scope, with the searcher's filters) and how many results it last had."""

    query = models.CharField(_("query"), max_length=255)
    day = models.DateField(_("day"), db_index=True)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    results = models.PositiveIntegerField(_("results"), default=0)
    unanswered = models.PositiveIntegerField(_("searches that found nothing"), default=0)

    class Meta:
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")
        constraints = [models.UniqueConstraint(fields=["query", "day"], name="one_log_entry_per_query_and_day")]

    def __str__(self) -> str:
        return f"{self.query} ({self.day})"
