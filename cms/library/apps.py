from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "cms.library"
    label = "library"
    verbose_name = _("Document library")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the text extraction receivers
