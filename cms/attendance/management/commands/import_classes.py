from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.attendance.classes import import_classes


class Command(BaseCommand):
    help = "Create the classes of every working school from the Ministry of Finance school network CSV."

    def add_arguments(self, parser):
        parser.add_argument("csv", type=Path, help="kyiv_schools_mof_zzso_YYYY.csv (pupils and classes per school)")

    def handle(self, *args, csv: Path, **options):
        if not csv.is_file():
            raise CommandError(f"No such file: {csv}")
        counts = import_classes(csv)
        self.stdout.write(
            f"{counts['schools']} schools: {counts['classes']} classes, {counts['pupils']} pupils "
            f"({counts['estimated']} schools estimated by type)."
        )
