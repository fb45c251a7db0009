from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cms.groups.services import sync_district_communities
from cms.org.importers import ImportFileError, import_schools
from cms.org.models import School


class Command(BaseCommand):
    help = (
        "Create or update schools from the ЄДЕБО registry CSV. Idempotent: a re-import updates, never "
        "duplicates. Rows that cannot be taken are listed with their line and reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args, file: Path, encoding: str, **options):
        try:
            report = import_schools(file, encoding=encoding)
        except (ImportFileError, OSError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        communities = sync_district_communities()
        working = School.objects.working().count()
        self.stdout.write(
            _(
                "Schools: %(created)d created, %(updated)d updated, %(unchanged)d unchanged; %(errors)d rows not "
                "taken. In the portal: %(total)d schools, %(working)d working, %(city)d managed by the city "
                "directly. District communities: %(added)d memberships added, %(removed)d removed."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "errors": len(report.errors),
                "total": School.objects.count(),
                "working": working,
                "city": School.objects.filter(district__isnull=True).count(),
                "added": communities["added"],
                "removed": communities["removed"],
            }
        )
        for line, reason in report.errors:
            self.stderr.write(_("  line %(line)d: %(reason)s") % {"line": line, "reason": reason})
