from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cms.org.demo import load_demo


class Command(BaseCommand):
    help = "Load the registry, the districts, the roles and the demo users (idempotent)."

    def handle(self, *args, **options):
        result = load_demo(settings.DEMO_PASSWORD)
        self.stdout.write(
            _("Demo loaded: %(schools)d schools (%(working)d working), %(errors)d registry rows not taken.") % result
        )
