from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cms.accounts.permissions import setup_roles


class Command(BaseCommand):
    help = "Create or update the role groups and their page and collection permissions (idempotent)."

    def handle(self, *args, **options):
        groups = setup_roles()
        self.stdout.write(_("Role groups in place: %(count)d.") % {"count": len(groups)})
