import csv
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cms.accounts.services import issue_unit_accounts


class Command(BaseCommand):
    help = (
        "Create the unit accounts of the department, every district office and every working school in bulk. "
        "Initial passwords go to a CSV file readable by its owner only, never to the output; every account must "
        "change its password at first sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True, help="CSV file for the initial passwords.")
        parser.add_argument("--reset", action="store_true", help="Issue new passwords for existing accounts too.")

    def handle(self, *args, output: Path, reset: bool, **options):
        if output.exists():
            raise CommandError(_("%(path)s exists; choose a new file.") % {"path": output})
        output.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            issued = issue_unit_accounts(reset=reset)
        except Exception:
            os.close(fd)
            output.unlink()
            raise
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["login", "initial_password", "unit", "new"])
            for account in issued:
                writer.writerow([account.username, account.password, account.unit, int(account.created)])
        created = sum(a.created for a in issued)
        self.stdout.write(
            _("Accounts: %(created)d created, %(reset)d re-keyed. Passwords written to %(path)s.")
            % {"created": created, "reset": len(issued) - created, "path": output}
        )
