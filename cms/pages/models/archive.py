from django.utils.translation import gettext_lazy as _

from .base import PortalPage


class ArchivePage(PortalPage):
    """The archive: archived and aged-out pages, browsable by year and kind. Nothing is deleted."""

    parent_page_types = ["pages.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("archive")

    def get_context(self, request, *args, **kwargs):
        from cms.pages.archive import archive_context

        context = super().get_context(request, *args, **kwargs)
        context.update(archive_context(request))
        return context
