from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cms.org.importers import ImportFileError, import_districts

DEFAULT_FILE = settings.SHARED_DATA_DIR / "districts" / "kyiv_districts_slim.geojson"


class Command(BaseCommand):
    help = "Create or update Kyiv's districts and their polygons from a GeoJSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)

    def handle(self, *args, file: Path, **options):
        try:
            report = import_districts(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Districts: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        )
        for index, reason in report.errors:
            self.stderr.write(_("  feature %(index)d: %(reason)s") % {"index": index, "reason": reason})
