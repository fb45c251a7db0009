from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.pages.models import RegulationIndexPage
from cms.pages.regulations_import import ImportFolderError, import_regulations

BAR_WIDTH = 30


class ProgressBar:
    """An in-place «[#####     ] 37/104» line."""

    def __init__(self, out):
        self.out = out

    def __call__(self, done: int, total: int, name: str) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        line = f"\r[{'#' * filled}{' ' * (BAR_WIDTH - filled)}] {done}/{total}"
        self.out.write(line + ("\n" if done == total else ""), style_func=str, ending="")
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Import a folder of normative acts (.txt, .docx, .pdf; optional index.csv and sources.md) into the "
        "normative base. Idempotent: a re-import revises changed acts and never duplicates. Files that cannot be "
        "imported are listed with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--parent", type=int, help="ID of the normative base page to import into (default: the city's)."
        )

    def handle(self, *args, directory: Path, parent: int | None, verbosity: int, **options):
        parent_page = None
        if parent is not None:
            page = Page.objects.filter(pk=parent).first()
            parent_page = page.specific if page is not None else None
            if not isinstance(parent_page, RegulationIndexPage):
                raise CommandError(_("Page %(id)s is not a normative base.") % {"id": parent})
        try:
            report = import_regulations(
                directory, parent=parent_page, progress=ProgressBar(self.stderr) if verbosity > 0 else None
            )
        except ImportFolderError as exc:
            raise CommandError(str(exc)) from exc

        if verbosity > 1:
            for label, names in ((_("created"), report.created), (_("updated"), report.updated)):
                for name in names:
                    self.stdout.write(f"  {label}: {name}")
        self.stdout.write(
            _(
                "Regulations: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(failed)d failed; "
                "%(links)d links between acts added. Time: %(seconds).1f s."
            )
            % {
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
                "failed": len(report.failed),
                "links": report.links,
                "seconds": report.elapsed,
            }
        )
        if report.failed:
            self.stderr.write(_("Not imported:"))
            for name, reason in report.failed:
                self.stderr.write(f"  {name}: {reason}")
