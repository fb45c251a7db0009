#!/usr/bin/env python
"""Attendance dashboards benchmark: response time of the city, district and school pages with one and with
five years of attendance history.

Run on demand (this is not a test), from the repository root:

    .venv/bin/python benchmarks/attendance_dashboards.py [--requests 100]
    .venv/bin/python benchmarks/attendance_dashboards.py --database postgres [--pg-port 5547]

A fresh SQLite database in a temp dir (or the database named by DATABASE_URL — use a throwaway one):
migrate, the real districts and schools of ../shared/data with their classes (``import_classes``), a DON
and an RUO account, then the last year of history by ``generate_attendance --school-days-only``: a school
day for every working school on every school day of the calendar, summed from the generator's class
numbers, and the district days beside them, as the submission service keeps them (no class rows: the
dashboards read the totals). Each page is requested in-process through Django's test client (the whole
middleware stack and template rendering, no network): warm-up, then ``--requests`` timed requests; p50,
p95 and the number of queries. Then the history is extended to five years and the same pages measured
again. The temp dir is removed at the end.

``--database postgres``: a private PostgreSQL 15 cluster instead (the one of ``attendance_ingest.py``: a temp
dir, fsync on, removed at the end), every working school's classes (``import_classes``) and the history written
by ``generate_attendance`` — class, school and district days over the school calendar — for one year, then
four more years before it (``--years 1`` only with ``--one-year``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

BUDGET_MS = 150
PAGES = [
    ("city, by day", "don", "/attendance/?date={day}&period=day"),
    ("city, by week", "don", "/attendance/?date={day}&period=week"),
    ("city, by month", "don", "/attendance/?date={day}&period=month"),
    ("city, none reported", "don", "/attendance/?date={empty}&period=month"),
    ("city, XLSX", "don", "/attendance/?date={day}&period=month&format=xlsx"),
    ("city, DOCX", "don", "/attendance/?date={day}&format=docx"),
    ("district, by day", "ruo", "/attendance/district/{slug}/?date={day}&period=day"),
    ("district, by month", "ruo", "/attendance/district/{slug}/?date={day}&period=month"),
    ("school, by month", "don", "/attendance/school/{school}/?date={day}&period=month"),
]


def _setup_django(tmp: Path, database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    os.environ["ECAB_BENCH_TMP"] = str(tmp)
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def _load_registry() -> None:
    from django.conf import settings
    from django.core.management import call_command

    from cms.accounts.permissions import setup_roles
    from cms.org.importers import import_districts, import_schools

    call_command("migrate", verbosity=0)
    data = Path(settings.SHARED_DATA_DIR)
    import_districts(data / "districts" / "kyiv_districts_slim.geojson")
    import_schools(next((data / "schools").glob("kyiv_schools_edebo_*.csv")))
    setup_roles()


def _users():
    from cms.accounts.models import User
    from cms.accounts.roles import Role
    from cms.accounts.services import assign_role
    from cms.org.models import District

    district = District.objects.order_by("name").first()
    don = assign_role(user=User.objects.create(username="bench-don"), role=Role.DON_ANALYST)
    ruo = assign_role(user=User.objects.create(username="bench-ruo"), role=Role.RUO_STAFF, district=district)
    return {"don": don, "ruo": ruo}, district


def generate_attendance(first, last, *, school_days_only: bool) -> str:
    """Class (unless ``school_days_only``), school and district days from ``first`` to ``last`` (whole years)
    with the project's generator."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    years = max(1, round(((last - first).days + 1) / 365))
    call_command("generate_attendance", years=years, until=last, school_days_only=school_days_only, stdout=out)
    return out.getvalue().strip()


def measure(clients, district, school_pk: int, day, requests: int) -> list[tuple[str, float, float, int]]:
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for label, actor, template in PAGES:
        empty = day + dt.timedelta(days=1)
        url = template.format(slug=district.slug, school=school_pk, day=day.isoformat(), empty=empty.isoformat())
        client = clients[actor]
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1]
        results.append((label, p50, p95, len(queries.captured_queries)))
    return results


def report(title: str, rows) -> None:
    print(f"\n{title}")
    print(f"  {'page':22} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  budget {BUDGET_MS} ms")
    for label, p50, p95, queries in rows:
        verdict = "ok" if p95 <= BUDGET_MS else "OVER"
        print(f"  {label:22} {p50:8.1f} {p95:8.1f} {queries:8d}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and its database (path printed)")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="sqlite (default) or a private PostgreSQL 15",
    )
    parser.add_argument("--pg-port", type=int, default=5547, help="port of the private PostgreSQL (default 5547)")
    parser.add_argument("--one-year", action="store_true", help="measure one year of history only")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ecab-attendance-bench-"))
    cluster = None
    if args.keep:
        print(f"database kept in {tmp}")
    try:
        if args.database == "postgres":
            from benchmarks.attendance_ingest import Cluster

            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            cluster = Cluster(args.pg_port, durable=True)
            print(f"PostgreSQL 15 cluster on 127.0.0.1:{args.pg_port} in {cluster.tmp}", flush=True)
            cluster.start()
        _setup_django(tmp, cluster.url if cluster else None)
        import datetime as dt

        from django.db import connection
        from django.test import Client

        from cms.attendance.classes import import_classes
        from cms.attendance.models import ClassDay, DistrictDay, SchoolDay
        from cms.attendance.services import today
        from cms.org.models import School

        started = time.perf_counter()
        _load_registry()
        users, district = _users()
        clients = {}
        for actor, user in users.items():
            clients[actor] = Client(HTTP_HOST="127.0.0.1")
            clients[actor].force_login(user)
        school_pk = School.objects.working().filter(district=district).values_list("pk", flat=True).first()
        last = today() - dt.timedelta(days=1)  # the last day with data; the next one has no report yet
        while last.weekday() > 4:
            last -= dt.timedelta(days=1)
        one_year = last - dt.timedelta(days=365)
        from django.conf import settings

        from cms.org.demo import CLASSES_FILE

        import_classes(Path(settings.SHARED_DATA_DIR) / CLASSES_FILE)
        # SQLite: the school and district days only (the dashboards read those; millions of class rows
        # would take long to write there). PostgreSQL: class days too, as a real year has them.
        rows = generate_attendance(one_year + dt.timedelta(days=1), last, school_days_only=not cluster)
        last = SchoolDay.objects.latest("date").date  # the calendar's last school day (not in a holiday)
        print(f"registry and one year of history ({rows}) in {time.perf_counter() - started:.0f} s", flush=True)

        def title(years: str) -> str:
            class_days = f"{ClassDay.objects.count():,} class days, " if cluster else ""
            return (
                f"{years} ({connection.vendor}): {class_days}{SchoolDay.objects.count():,} school days, "
                f"{DistrictDay.objects.count():,} district days"
            )

        if cluster:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        report(title("One year"), measure(clients, district, school_pk, last, args.requests))
        if args.one_year:
            return
        started = time.perf_counter()
        rows = generate_attendance(
            last - dt.timedelta(days=5 * 365) + dt.timedelta(days=1), one_year, school_days_only=not cluster
        )
        if cluster:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"\nfour more years ({rows}) in {time.perf_counter() - started:.0f} s", flush=True)
        report(title("Five years"), measure(clients, district, school_pk, last, args.requests))
    finally:
        if cluster:
            from django.db import connections

            connections.close_all()
            cluster.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
