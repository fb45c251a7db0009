import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cms.attendance import history
from cms.org.models import School


class Command(BaseCommand):
    help = (
        "Generate realistic attendance history (class, school and district days) for every working school's "
        "classes. Idempotent for a range: its generated rows are replaced, submitted school days are kept."
    )

    def add_arguments(self, parser):
        span = parser.add_mutually_exclusive_group()
        span.add_argument("--years", type=int, help="the last N years (365 days each) up to --until (default 1)")
        span.add_argument("--days", type=int, help="the last N school days up to --until")
        parser.add_argument("--until", type=dt.date.fromisoformat, help="the last date, YYYY-MM-DD (default yesterday)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1): the same seed, the same rows")
        parser.add_argument("--schools", type=int, help="only the first N working schools (by id)")
        parser.add_argument(
            "--school-days-only",
            action="store_true",
            help="write the school and district days (what the dashboards read), no class days",
        )

    def handle(self, *args, years=None, days=None, until=None, seed=1, schools=None, school_days_only=False, **options):
        until = until or timezone.localdate() - dt.timedelta(days=1)
        if (years is not None and years < 1) or (days is not None and days < 1):
            raise CommandError("--years and --days must be at least 1.")
        dates = history.date_range(until=until, years=years if days is None else None, days=days)
        if not dates:
            raise CommandError(f"No school days up to {until}.")
        selected = None
        if schools is not None:
            selected = School.objects.working().filter(
                pk__in=list(School.objects.working().order_by("pk").values_list("pk", flat=True)[:schools])
            )
        verbosity = options["verbosity"]

        def progress(date):
            if verbosity > 1 and date.day == 1:
                self.stdout.write(f"  {date:%Y-%m}")

        result = history.generate(
            dates, seed=seed, schools=selected, progress=progress, school_days_only=school_days_only
        )
        self.stdout.write(
            f"{dates[0]} – {dates[-1]}: {result.days} school days, {result.schools} schools; "
            f"{result.class_days:,} class days, {result.school_days:,} school days, "
            f"{result.district_days:,} district days ({result.deleted:,} generated class days replaced, "
            f"{result.kept:,} submitted school days kept) in {result.seconds:.1f} s"
            + ("." if school_days_only else f", {result.rows_per_second:,.0f} class days/s.")
        )
