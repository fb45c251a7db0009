#!/usr/bin/env python
"""Where a whole-day attendance submission spends its CPU: ``POST /api/attendance/`` called in this process
through Django's WSGI handler (every middleware, DRF, the view, the service), on PostgreSQL — a profiling
harness beside ``attendance_ingest.py``, not a throughput benchmark. It counts CPU time (this process's
``time.process_time`` and the PostgreSQL cluster's processes from /proc) and SQL statements, so a shared
machine's other load changes its figures little.

    .venv/bin/python benchmarks/ingest_profile.py                        # a private cluster, 500 submissions
    .venv/bin/python benchmarks/ingest_profile.py --requests 1000 --cprofile 40
    .venv/bin/python benchmarks/ingest_profile.py --database-url postgres://ecab@127.0.0.1:5561/ecab

Without ``--database-url`` it starts ``attendance_ingest.py``'s private PostgreSQL 15 cluster (port 5546 by
default, fsync on unless ``--fast-pg``; removed at the end), migrates and loads the demo; with it, it uses that
database (migrated and loaded by it when empty) and reads the CPU of the server's processes when the data
directory is readable. Either way it gives each working school a director with an API token (the benchmark's
``seed``) and empties the 15-day submission window first, so every measured request is a new school and day.

Printed: the CPU ms per request of the bare baselines (a GET, and a POST parsing the same body,
``benchmarks/bench_urls.py``) and of whole-day submissions (new, under a new ``Idempotency-Key``) and their
replays, in this process and in PostgreSQL; the statements of one submission as Django's cursor sends them
(the health check ``SELECT 1`` of a reused connection is not among them: it bypasses the cursor wrapper), with
the CPU this process spent inside each; with ``--cprofile N`` the functions of the submissions by cumulative
and by own time (cProfile's overhead inflates Python-heavy functions: read its shares, not its milliseconds).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import attendance_ingest as ingest  # noqa: E402
from benchmarks.common import PING_PATH, proc_children, proc_cpu_seconds  # noqa: E402

WARMUP = 30
_LITERAL_RE = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def log(message: str) -> None:
    print(f"[ingest_profile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class ClusterCPU:
    """CPU seconds of the PostgreSQL cluster's processes (the postmaster and its children), when readable."""

    def __init__(self, data_dir: Path | None):
        self.pid_file = data_dir / "postmaster.pid" if data_dir else None

    def seconds(self) -> float:
        if self.pid_file is None:
            return float("nan")
        try:
            postmaster = int(self.pid_file.read_text().split()[0])
        except OSError:
            return float("nan")
        return proc_cpu_seconds([postmaster, *proc_children(postmaster)])


class Statements:
    """Statements Django's cursor sends while active, by shape, with this process's CPU inside each."""

    def __init__(self):
        self.shapes: Counter[str] = Counter()
        self.cpu: Counter[str] = Counter()
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = _LITERAL_RE.sub("?", sql)[:110]
            self.shapes[shape] += 1
            self.cpu[shape] += time.process_time() - started
            self.count += 1


#: Steps of a submission whose CPU (inclusive, this process) is reported with ``--phases``: (module, name).
PHASES = [
    ("django.core.handlers.wsgi", "WSGIHandler.__call__"),
    ("django.core.handlers.base", "BaseHandler.get_response"),
    ("django.core.handlers.base", "BaseHandler._get_response"),
    ("django.db", "close_old_connections"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.close_if_health_check_failed"),
    ("rest_framework.views", "APIView.dispatch"),
    ("rest_framework.views", "APIView.initialize_request"),
    ("rest_framework.views", "APIView.initial"),
    ("cms.api.authentication", "TokenAuthentication.authenticate_credentials"),
    ("cms.api.authentication", "TokenRead.get"),
    ("rest_framework.views", "APIView.finalize_response"),
    ("django.template.response", "SimpleTemplateResponse.render"),
    ("cms.attendance.api", "AttendanceSubmit.post"),
    ("cms.attendance.api", "_fingerprint"),
    ("cms.attendance.writes", "claim_idempotency_key"),
    ("cms.attendance.api", "AttendanceSubmit._submit"),
    ("cms.attendance.api", "parse_submission"),
    ("cms.attendance.services", "submit_attendance"),
    ("cms.attendance.models", "AttendanceSettings.load"),
    ("cms.attendance.services", "class_refs"),
    ("cms.attendance.services", "settings_and_classes"),
    ("cms.attendance.services", "check_submission"),
    ("cms.attendance.services", "_lock_school_day"),
    ("cms.attendance.services", "_write_class_days"),
    ("cms.attendance.services", "_apply_to_district"),
    ("cms.attendance.services", "_log"),
    ("cms.attendance.alerts", "evaluate"),
    ("cms.attendance.services", "_update_enrolment"),
    ("cms.attendance.api", "totals"),
    ("django.db.models.query", "QuerySet.update"),
    ("cms.attendance.writes", "save_idempotent_response"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.commit"),
]


class Phases:
    """Inclusive CPU of the functions of ``PHASES`` (those that exist), while installed."""

    def __init__(self):
        self.cpu: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.patched = []

    def install(self) -> None:
        import importlib
        import inspect

        for module_name, name in PHASES:
            owner = importlib.import_module(module_name)
            *path, attr = name.split(".")
            for part in path:
                owner = getattr(owner, part, None)
            raw = inspect.getattr_static(owner, attr, None) if owner is not None else None
            if raw is None:
                continue
            is_classmethod = isinstance(raw, classmethod)
            function = raw.__func__ if is_classmethod else raw
            timed = self._timed(name, function)
            setattr(owner, attr, classmethod(timed) if is_classmethod else timed)
            self.patched.append((owner, attr, raw))

    def uninstall(self) -> None:
        for owner, attr, raw in reversed(self.patched):
            setattr(owner, attr, raw)
        self.patched = []

    def _timed(self, name, function):
        import functools

        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[name] += time.process_time() - started
                self.calls[name] += 1

        return timed


def wsgi_environ(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> dict:
    """The environ gunicorn builds for ``attendance_ingest.py``'s clients (``http.client``, keep-alive)."""
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8780",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8780",
        "HTTP_ACCEPT_ENCODING": "identity",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return environ


def call(app, environ: dict) -> tuple[str, dict, bytes]:
    result = {}

    def start_response(status, headers, exc_info=None):
        result["status"], result["headers"] = status, dict(headers)

    response = app(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: Django closes obsolete connections, as under gunicorn
    return result["status"], result["headers"], body


def submissions(schools: list[dict], window: list[dt.date], run: str, seed: int):
    """(token, body, key) of new whole-day submissions over distinct schools and days, as
    ``attendance_ingest.Work`` makes them (its replays left out: this harness replays measured ones)."""
    work = ingest.Work(schools, window, per_class=False, run=run, seed=seed)
    while (item := work.next()) is not None:
        kind, token, body, key = item
        if kind == "new":
            yield token, body, key


def submit_environ(token: str, body: bytes, key: str) -> dict:
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": key}
    return wsgi_environ("POST", ingest.SUBMIT_PATH, body, headers)


def measure(app, environs: list[dict], cluster: ClusterCPU, expect: tuple[str, ...]) -> dict:
    from django.db import connection

    statements = Statements()
    replayed = 0
    db0, cpu0, wall0 = cluster.seconds(), time.process_time(), time.perf_counter()
    with connection.execute_wrapper(statements):
        for environ in environs:
            status, headers, body = call(app, environ)
            replayed += headers.get("Idempotent-Replayed") == "true"
            if not status.startswith(expect):
                raise RuntimeError(f"{environ['PATH_INFO']}: {status} {body[:300]!r}")
    n = len(environs)
    return {
        "requests": n,
        "cpu_ms": 1000 * (time.process_time() - cpu0) / n,
        "db_cpu_ms": 1000 * (cluster.seconds() - db0) / n,
        "wall_ms": 1000 * (time.perf_counter() - wall0) / n,
        "statements": statements.count / n,
        "replayed": replayed,
        "statements_by_shape": statements,
    }


def setup_database(args, tmp: Path):
    """The database URL and the cluster (started here unless ``--database-url``)."""
    if args.database_url:
        return args.database_url, None
    cluster = ingest.Cluster(args.pg_port, durable=not args.fast_pg)
    log(f"PostgreSQL 15 cluster on 127.0.0.1:{args.pg_port} in {cluster.tmp}")
    cluster.start()
    return cluster.url, cluster


def prepare(tmp: Path) -> list[dict]:
    from django.core.management import call_command

    from cms.org.models import School

    call_command("migrate", verbosity=0)
    if not School.objects.exists():
        log("loading the demo")
        call_command("load_demo", verbosity=0)
    out = tmp / "schools.json"
    with contextlib.redirect_stdout(io.StringIO()):
        ingest.seed(out)
    return json.loads(out.read_text())


def report(results: dict, args) -> None:
    rule = "=" * 100
    print(rule)
    print(
        f"Attendance ingest profile — POST /api/attendance/ in process (WSGI handler), PostgreSQL, "
        f"{args.requests} whole-day submissions"
    )
    print(rule)
    print(f"   {'':<36}{'requests':>9}{'CPU ms':>9}{'db CPU ms':>11}{'wall ms':>9}{'statements':>12}{'replayed':>10}")
    for name, r in results.items():
        print(
            f"   {name:<36}{r['requests']:>9}{r['cpu_ms']:>9.2f}{r['db_cpu_ms']:>11.2f}{r['wall_ms']:>9.2f}"
            f"{r['statements']:>12.1f}{r['replayed']:>10}"
        )
    day = results["whole-day submissions (new)"]
    print()
    print("   Statements of the new whole-day submissions (per request; this process's CPU ms inside each):")
    statements = day["statements_by_shape"]
    for shape, count in statements.shapes.most_common():
        print(f"   {count / day['requests']:>5.2f} x {1000 * statements.cpu[shape] / count:>6.3f}  {shape}")
    print(rule)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="whole-day submissions measured (default 500)")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="also cProfile them: N functions")
    parser.add_argument("--cprofile-out", type=Path, help="with --cprofile: also save the profile to this file")
    parser.add_argument("--phases", action="store_true", help="also the CPU of each step of a submission")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of a private cluster")
    parser.add_argument("--pg-data", type=Path, help="its data directory (for the server's CPU), if readable")
    parser.add_argument("--pg-port", type=int, default=5546, help="port of the private cluster (default 5546)")
    parser.add_argument("--fast-pg", action="store_true", help="the private cluster without fsync")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ecab-ingest-profile-"))
    cluster = None
    try:
        url, cluster = setup_database(args, tmp)
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": ingest.BENCH_SETTINGS,
                "DATABASE_URL": url,
                "DEBUG": "false",
                "TWO_FACTOR_REQUIRED_ROLES": "",
                "ECAB_BENCH_TMP": str(tmp),
                # One server process for the whole run, so its CPU is read whole (a connection closed for
                # its age takes its process's CPU with it).
                "DATABASE_CONN_MAX_AGE": "3600",
            }
        )
        os.environ.pop("REDIS_URL", None)
        import django

        django.setup()
        from django.core.handlers.wsgi import WSGIHandler

        schools = prepare(tmp)
        data_dir = cluster.tmp / "data" if cluster else args.pg_data
        cpu = ClusterCPU(data_dir)
        today = dt.datetime.now(ZoneInfo("Europe/Kyiv")).date()
        window = [today - dt.timedelta(days=n) for n in range(ingest.WINDOW_DAYS)]
        ingest.reset_window(url, window[-1])
        app = WSGIHandler()
        work = submissions(schools, window, run=f"p{time.time():.0f}", seed=7)
        wanted = WARMUP + 2 * args.requests + (args.requests if args.phases and args.cprofile else 0)
        sent = [item for item, _n in zip(work, range(wanted), strict=False)]
        new = [submit_environ(*item) for item in sent]
        # Repeats of the first measured submissions with their keys: answered from the idempotency record.
        replays = [submit_environ(*item) for item in sent[WARMUP : WARMUP + max(1, args.requests // 5)]]
        whole_day = json.loads(next(e for e in new)["wsgi.input"].getvalue())
        echo_body = json.dumps({"date": whole_day["date"], "classes": whole_day["classes"]}).encode()
        log(f"{len(schools)} schools; warming up")
        measure(app, new[:WARMUP], cpu, ("200", "201"))
        echo_headers = {"Content-Type": "application/json"}
        results = {
            "baseline: trivial GET": measure(
                app, [wsgi_environ("GET", PING_PATH) for _ in range(args.requests)], cpu, ("200",)
            ),
            "baseline: JSON POST (one day)": measure(
                app,
                [wsgi_environ("POST", ingest.ECHO_PATH, echo_body, echo_headers) for _ in range(args.requests)],
                cpu,
                ("200",),
            ),
            "whole-day submissions (new)": measure(app, new[WARMUP : WARMUP + args.requests], cpu, ("201",)),
            "  repeats (Idempotency-Key)": measure(app, replays, cpu, ("201",)),
        }
        report(results, args)
        if args.phases:
            phases = Phases()
            phases.install()
            try:
                measure(app, new[WARMUP + args.requests : WARMUP + 2 * args.requests], cpu, ("201",))
            finally:
                phases.uninstall()
            print(f"CPU ms per request inside each step (inclusive) of {args.requests} more new submissions:")
            for _module, name in PHASES:
                if phases.calls[name]:
                    per_call = phases.calls[name] / args.requests
                    print(f"   {1000 * phases.cpu[name] / args.requests:>7.3f}  {per_call:>5.2f} calls  {name}")
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            measure(app, new[-args.requests :], cpu, ("201",))
            profiler.disable()
            if args.cprofile_out:
                profiler.dump_stats(args.cprofile_out)
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats(order).print_stats(args.cprofile)
                print(f"cProfile of {args.requests} new whole-day submissions, by {order}:")
                print(out.getvalue().split("\n", 6)[-1] if order == "cumulative" else out.getvalue())
        if args.json:
            for r in results.values():
                r["statements_by_shape"] = dict(r["statements_by_shape"].shapes)
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if cluster:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
