#!/usr/bin/env python
"""Login throughput benchmark: how many sign-ins per second the portal's Argon2 cost allows.

Run on demand (this is not a test), from the repository root:

    .venv/bin/python benchmarks/login_throughput.py

It measures, on the machine it runs on:

1. raw Argon2id ``verify()`` per second at the portal's cost (cms/accounts/hashers.py), at Django's
   default Argon2 cost and at OWASP's minimum profile, in one process and in two, plus memory per hash;
2. end-to-end sign-ins per second against a real server: gunicorn with 2 sync workers on 127.0.0.1, a
   fresh SQLite database in a temp dir (or the PostgreSQL database named by DATABASE_URL), demo data,
   and 200 school-director accounts hashed by the portal's hasher; each sign-in GETs the login page for
   the CSRF token, then POSTs the credentials and expects the redirect to /cabinet/;
3. beside it, on the same server, a bare-Django baseline (a trivial view, and the login page GET);
4. the trade-off: how long ~600 school directors (and 1,000 users) need to sign in after a circular.

Request counts are fixed; everything stays on 127.0.0.1; the server and the temp dir are removed at
the end, also on failure or Ctrl-C. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookies
import itertools
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402

from benchmarks.common import (  # noqa: E402
    PING_PATH,
    Server,
    background_cores,
    cpu_model,
    percentile_ms,
    proc_peak_rss_mib,
    request,
    run_step,
    system_busy_seconds,
    wait_for_quiet,
)
from cms.accounts.hashers import PortalArgon2PasswordHasher  # noqa: E402

BENCH_SETTINGS = "benchmarks.bench_settings"
LOGIN_PATH = "/"
SUCCESS_LOCATION = "/cabinet/"
USERNAME = "bench-director-{:03d}"
DIRECTORS = 600  # school directors of the city, roughly: one per working school
ALL_USERS = 1000  # everyone with an account: directors, deputies, district offices, the department
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def bench_password(i: int) -> str:
    return f"Bench-{i:03d}-Kyiv-2026!"


# --------------------------------------------------------------------------------------------------
# 1. Raw hashing
# --------------------------------------------------------------------------------------------------


@dataclass
class Profile:
    key: str
    label: str
    hasher: object  # a Django Argon2PasswordHasher instance

    @property
    def params(self) -> tuple[int, int, int]:
        return self.hasher.memory_cost, self.hasher.time_cost, self.hasher.parallelism


class OwaspMinimumHasher(Argon2PasswordHasher):
    """OWASP's lowest-memory Argon2id profile (19 MiB, two passes, one lane)."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1


def profiles() -> list[Profile]:
    return [
        Profile("portal", "portal (hashers.py)", PortalArgon2PasswordHasher()),
        Profile("owasp_min", "OWASP minimum", OwaspMinimumHasher()),
        Profile("django", "Django default", Argon2PasswordHasher()),
    ]


def _verify_loop(args) -> tuple[float, float]:
    """Verify ``count`` times; return the (start, end) of the loop on the monotonic clock."""
    hasher, encoded, password, count = args
    start = time.perf_counter()
    for _ in range(count):
        if not hasher.verify(password, encoded):
            raise RuntimeError("verify() returned False")
    return start, time.perf_counter()


def _verify_in_process(barrier, queue, args) -> None:
    _verify_loop((*args[:3], 1))  # warm up
    barrier.wait()
    queue.put(_verify_loop(args))


def parallel_spans(processes: int, args) -> list[tuple[float, float]]:
    """Run the verify loop in ``processes`` processes started together; their (start, end) spans."""
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_verify_in_process, args=(barrier, queue, args)) for _ in range(processes)]
    for proc in procs:
        proc.start()
    try:
        spans = [queue.get(timeout=600) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
    if any(proc.exitcode for proc in procs):
        raise RuntimeError("a hashing process failed")
    return spans


_MEMORY_PROBE = """
import sys
from argon2.low_level import Type, hash_secret_raw

def peak_kib():  # VmHWM is per address space (ru_maxrss would carry over the parent's size across exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

m, t, p = map(int, sys.argv[1:4])
hash_secret_raw(b"warm", b"0123456789abcdef", 1, 8, 1, 32, Type.ID)
before = peak_kib()
hash_secret_raw(b"password", b"0123456789abcdef", t, m, p, 32, Type.ID)
print(peak_kib() - before)
"""


def peak_memory_kib(m: int, t: int, p: int) -> int:
    """Peak resident memory one hash adds to a fresh process (KiB)."""
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(m), str(t), str(p)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return int(out.stdout.strip())


def children_cpu_seconds() -> float:
    times = os.times()
    return times.children_user + times.children_system


def bench_raw(target_seconds: float, repeats: int) -> dict[str, dict]:
    password = "Kyiv-Demo-2026!"
    results = {}
    for prof in profiles():
        encoded = prof.hasher.encode(password, prof.hasher.salt())
        # Calibrate on 3 verifies, then a fixed count taking ~target_seconds (bounded 10..200).
        start, end = _verify_loop((prof.hasher, encoded, password, 3))
        count = max(10, min(200, round(target_seconds / ((end - start) / 3))))
        # (rate, CPU seconds per verify, background cores); the best of the repeats is kept.
        single = dual = (0.0, 0.0, 0.0)
        for _ in range(repeats):
            wait_for_quiet()
            busy0, own0 = system_busy_seconds(), time.process_time()
            start, end = _verify_loop((prof.hasher, encoded, password, count))
            own = time.process_time() - own0  # all threads: Django's default hashes on 8
            single = max(single, (count / (end - start), own / count, background_cores(busy0, own, end - start)))
            wait_for_quiet()
            busy0, own0, t0 = system_busy_seconds(), children_cpu_seconds(), time.perf_counter()
            spans = parallel_spans(2, (prof.hasher, encoded, password, count))
            window = time.perf_counter() - t0
            bg = background_cores(busy0, children_cpu_seconds() - own0, window)
            wall = max(e for _, e in spans) - min(s for s, _ in spans)
            dual = max(dual, (2 * count / wall, 0.0, bg))
        single_rate, dual_rate = single[0], dual[0]
        m, t, p = prof.params
        results[prof.key] = {
            "label": prof.label,
            "m_kib": m,
            "t": t,
            "p": p,
            "count": count,
            "verify_ms": 1000 / single_rate,
            "verify_cpu_ms": 1000 * single[1],
            "rate_1proc": single_rate,
            "rate_2proc": dual_rate,
            "background_cores_1proc": single[2],
            "background_cores_2proc": dual[2],
            "peak_rss_kib": peak_memory_kib(m, t, p),
        }
        print(
            f"  raw {prof.label:<20} {single_rate:6.1f}/s (1 proc), {dual_rate:6.1f}/s (2 procs), "
            f"best of {repeats} x {count}",
            flush=True,
        )
    return results


# --------------------------------------------------------------------------------------------------
# 2./3. The server and the HTTP client
# --------------------------------------------------------------------------------------------------


def seed_users(count: int) -> None:
    """Run in a child process with the benchmark settings: create ``count`` school-director accounts."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher
    from django.db import transaction

    from cms.accounts.models import User
    from cms.accounts.roles import Role
    from cms.accounts.services import assign_role
    from cms.org.models import School

    if settings.DEBUG:
        raise SystemExit("the benchmark needs DEBUG off")
    if type(get_hasher("default")) is not PortalArgon2PasswordHasher:
        raise SystemExit("the default password hasher is not PortalArgon2PasswordHasher")
    schools = list(School.objects.working().order_by("pk")[:count])
    if len(schools) < count:
        raise SystemExit(f"only {len(schools)} working schools for {count} directors")
    hasher = PortalArgon2PasswordHasher()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        hashes = pool.starmap(hasher.encode, [(bench_password(i), hasher.salt()) for i in range(count)])
    with transaction.atomic():
        for i, (school, encoded) in enumerate(zip(schools, hashes, strict=True)):
            user, _created = User.objects.get_or_create(username=USERNAME.format(i))
            user.password = encoded
            user.first_name, user.last_name = "Бенчмарк", f"Директор {i:03d}"
            user.is_active, user.must_change_password = True, False
            user.save()
            assign_role(user=user, role=Role.SCHOOL_DIRECTOR, school=school)
    probe = User.objects.get(username=USERNAME.format(0))
    if not probe.check_password(bench_password(0)):
        raise SystemExit("a seeded password does not verify")
    print(
        json.dumps(
            {
                "users": User.objects.count(),
                "directors": User.objects.filter(role=Role.SCHOOL_DIRECTOR).count(),
                "working_schools": School.objects.working().count(),
                "hash_params": probe.password.split("$")[3],
            }
        )
    )


def unseed_users() -> None:
    """Remove the benchmark's accounts (used on a PostgreSQL database, which outlives the run)."""
    import django

    django.setup()
    from cms.accounts.models import User

    User.objects.filter(username__startswith=USERNAME.split("{")[0]).delete()


def cookies_of(headers) -> dict[str, str]:
    jar = http.cookies.SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


@dataclass
class Sample:
    ok: bool
    total_s: float
    post_s: float | None = None
    error: str = ""


def do_ping(port: int, _i: int) -> Sample:
    t0 = time.perf_counter()
    status, _headers, body = request("GET", port, PING_PATH)
    elapsed = time.perf_counter() - t0
    return Sample(status == 200 and body == b"ok", elapsed, error="" if status == 200 else f"HTTP {status}")


def do_login_page(port: int, _i: int) -> Sample:
    t0 = time.perf_counter()
    status, _headers, body = request("GET", port, LOGIN_PATH)
    elapsed = time.perf_counter() - t0
    ok = status == 200 and CSRF_INPUT.search(body) is not None
    return Sample(ok, elapsed, error="" if ok else f"HTTP {status}")


def do_login(port: int, i: int, users: int) -> Sample:
    user = i % users
    t0 = time.perf_counter()
    status, headers, body = request("GET", port, LOGIN_PATH)
    match = CSRF_INPUT.search(body)
    cookie = cookies_of(headers).get("csrftoken")
    if status != 200 or not match or not cookie:
        return Sample(False, time.perf_counter() - t0, error=f"login page: HTTP {status}")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": USERNAME.format(user),
            "password": bench_password(user),
        }
    ).encode()
    t1 = time.perf_counter()
    status, headers, _body = request(
        "POST",
        port,
        LOGIN_PATH,
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"},
    )
    t2 = time.perf_counter()
    location = headers.get("Location", "")
    ok = status == 302 and location == SUCCESS_LOCATION and "sessionid" in cookies_of(headers)
    return Sample(ok, t2 - t0, t2 - t1, "" if ok else f"POST: HTTP {status} -> {location or '-'}")


@dataclass
class Phase:
    name: str
    count: int
    concurrency: int
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    background_cpu_s: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    round_rates: list[float] = field(default_factory=list)
    redone: int = 0  # rounds thrown away because other processes loaded the machine meanwhile

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def failures(self) -> int:
        return len(self.samples) - len(self.ok)

    @property
    def rate(self) -> float:
        return len(self.ok) / self.wall_s

    def pct(self, q: float, attr: str = "total_s") -> float:
        return percentile_ms([getattr(s, attr) for s in self.ok if getattr(s, attr) is not None], q)

    def summary(self) -> dict:
        return {
            "count": self.count,
            "concurrency": self.concurrency,
            "ok": len(self.ok),
            "failures": self.failures,
            "wall_s": self.wall_s,
            "rate": self.rate,
            "best_round_rate": max(self.round_rates),
            "rounds": len(self.round_rates),
            "rounds_redone": self.redone,
            "p50_ms": self.pct(50),
            "p95_ms": self.pct(95),
            "post_p50_ms": self.pct(50, "post_s"),
            "post_p95_ms": self.pct(95, "post_s"),
            "server_cpu_ms": 1000 * self.server_cpu_s / max(1, len(self.samples)),
            "client_cpu_share": self.client_cpu_s / self.wall_s,
            "background_cores": self.background_cpu_s / self.wall_s,
        }


def run_phase(server: Server, phase: Phase, count: int, job) -> Phase:
    """Send ``count`` more requests of ``job`` from ``phase.concurrency`` threads; add the figures to ``phase``."""
    counter = itertools.count()
    lock = threading.Lock()
    samples: list[Sample] = []

    def worker():
        while True:
            with lock:
                i = next(counter)
            if i >= count:
                return
            try:
                sample = job(server.port, phase.count + i)
            except OSError as exc:
                sample = Sample(False, 0.0, error=f"{type(exc).__name__}: {exc}")
            samples.append(sample)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(phase.concurrency)]
    busy0, cpu0, client0 = system_busy_seconds(), server.cpu_seconds(), time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    client, server_cpu = time.process_time() - client0, server.cpu_seconds() - cpu0
    phase.background_cpu_s += wall * background_cores(busy0, client + server_cpu, wall)
    phase.wall_s += wall
    phase.client_cpu_s += client
    phase.server_cpu_s += server_cpu
    phase.count += count
    phase.samples.extend(samples)
    ok = [s for s in samples if s.ok]
    phase.round_rates.append(len(ok) / wall)
    if not ok:
        errors = sorted({s.error for s in samples})[:5]
        raise RuntimeError(f"{phase.name}: every request failed, e.g. {errors}\n{server.log_tail()}")
    print(
        f"  {phase.name:<28} {len(ok)}/{count} ok, {len(ok) / wall:7.1f}/s, "
        f"background load {background_cores(busy0, client + server_cpu, wall):.2f} cores",
        flush=True,
    )
    return phase


NOISY_CORES = 0.3  # a round during which other processes used more than this is redone ...
_redos = {"left": 8}  # ... at most this many times in a run, so the request count stays bounded


def measure_round(server: Server, phase: Phase, count: int, job) -> None:
    """Add one round of ``count`` requests to ``phase``; redo it (bounded) if the machine was busy meanwhile."""
    while True:
        wait_for_quiet()
        trial = run_phase(server, Phase(phase.name, phase.count, phase.concurrency), count, job)
        load = trial.background_cpu_s / trial.wall_s
        if load <= NOISY_CORES or _redos["left"] <= 0:
            break
        _redos["left"] -= 1
        phase.redone += 1
        print(f"  (round not counted: other processes used {load:.2f} cores meanwhile; redoing it)", flush=True)
    phase.count = trial.count
    phase.samples.extend(trial.samples)
    phase.round_rates.extend(trial.round_rates)
    phase.wall_s += trial.wall_s
    phase.server_cpu_s += trial.server_cpu_s
    phase.client_cpu_s += trial.client_cpu_s
    phase.background_cpu_s += trial.background_cpu_s


def share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def bench_http(args, tmp: Path) -> dict:
    database_url = os.environ.get("DATABASE_URL", "")
    is_sqlite = not database_url
    if is_sqlite:
        database_url = f"sqlite:///{tmp / 'db.sqlite3'}"
    (tmp / "static").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "TWO_FACTOR_REQUIRED_ROLES": "",
        # All traffic comes from 127.0.0.1: lift the per-IP sign-in limit for the run.
        "LOGIN_IP_RATE": "1000000/m",
        "ECAB_BENCH_TMP": str(tmp),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    }
    manage = [sys.executable, str(REPO / "manage.py")]
    run_step("migrate", [*manage, "migrate", "--noinput"], env, tmp)
    run_step("load_demo", [*manage, "load_demo"], env, tmp)
    seeded = json.loads(
        run_step(f"seed {args.users} directors", [sys.executable, __file__, "--seed-users", str(args.users)], env, tmp)
        .strip()
        .splitlines()[-1]
    )
    server = Server(env, args.workers, tmp / "gunicorn.log")
    try:
        server.wait_ready()
        c, rounds = args.concurrency, args.rounds

        def login(port, i):
            return do_login(port, i, args.users)

        # Warm-up (not counted): templates, translations, connections, first sign-ins of each worker.
        for job, n in ((do_ping, 20), (do_login_page, 20), (login, 8)):
            run_phase(server, Phase("warm-up", 0, c), n, job)
        phases = {
            "ping": Phase("baseline: trivial view", 0, c),
            "page": Phase("baseline: login page GET", 0, c),
            "login": Phase("login (GET + POST)", 0, c),
            "login_1": Phase("login, 1 client", 0, 1),
        }
        # Interleaved rounds, so that the baseline and the sign-ins share whatever else the machine runs.
        for r in range(rounds):
            for key, total, job in (
                ("ping", args.baseline_requests, do_ping),
                ("page", args.baseline_requests // 2, do_login_page),
                ("login", args.logins, login),
            ):
                measure_round(server, phases[key], share(total, rounds, r), job)
        measure_round(server, phases["login_1"], args.single_logins, login)
        worker_rss = [proc_peak_rss_mib(pid) for pid in server.worker_pids()]
    finally:
        server.stop()
        if not is_sqlite:
            try:
                run_step("remove benchmark users", [sys.executable, __file__, "--unseed-users"], env, tmp)
            except Exception as exc:
                print(f"  (could not remove the benchmark users: {exc})", file=sys.stderr)
    return {
        "database": "SQLite (temp dir)" if is_sqlite else "PostgreSQL (DATABASE_URL)",
        "seeded": seeded,
        "worker_peak_rss_mib": worker_rss,
        "phases": {key: phase.summary() for key, phase in phases.items()},
    }


# --------------------------------------------------------------------------------------------------
# 4. Report
# --------------------------------------------------------------------------------------------------


def fmt_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def report(args, raw: dict | None, web: dict | None) -> None:
    from importlib.metadata import version

    import django

    cpu = cpu_model()
    rule = "=" * 108
    print()
    print(rule)
    print("Login throughput — Е-кабінет освітнього управління")
    print(
        f"{os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}, Django {django.get_version()}, "
        f"argon2-cffi {version('argon2-cffi')}, gunicorn {version('gunicorn')}"
    )
    print(rule)

    if raw:
        print()
        print("1. Raw Argon2id verify() — one verify is the password check of one sign-in")
        print(
            f"   {'profile':<21}{'m KiB':>7}{'t':>3}{'p':>3}{'memory':>10}{'peak RSS':>10}{'ms/verify':>11}"
            f"{'CPU ms':>8}{'1 proc/s':>10}{'2 procs/s':>11}{'cost':>8}{'bg load':>9}"
        )
        base = raw["portal"]["verify_cpu_ms"]
        for r in raw.values():
            print(
                f"   {r['label']:<21}{r['m_kib']:>7}{r['t']:>3}{r['p']:>3}{r['m_kib'] / 1024:>6.1f} MiB"
                f"{r['peak_rss_kib'] / 1024:>6.1f} MiB{r['verify_ms']:>11.1f}{r['verify_cpu_ms']:>8.1f}"
                f"{r['rate_1proc']:>10.1f}{r['rate_2proc']:>11.1f}{r['verify_cpu_ms'] / base:>7.2f}x"
                f"{r['background_cores_2proc']:>9.2f}"
            )
        print("   memory = Argon2 memory cost, held while one hash runs; peak RSS = what one hash adds to a process.")
        print("   ms/verify = wall time in one process; CPU ms = CPU time it takes (all threads: Django's default")
        print("   runs 8 lanes as threads, so one process already uses both cores). Best of the repeats.")
        print("   cost = CPU per verify relative to the portal's (the server's cost and the attacker's per guess).")
        print("   bg load = cores kept busy by other processes of the machine during the 2-process run.")

    if web:
        ph = web["phases"]
        login, ping, page, single = ph["login"], ph["ping"], ph["page"], ph["login_1"]
        print()
        print(
            f"2./3. HTTP — gunicorn, {args.workers} sync workers, {web['database']}, 127.0.0.1, DEBUG off, "
            f"password-only sign-in, {args.users} director accounts"
        )
        print(
            f"   {'scenario':<33}{'clients':>8}{'ok/sent':>11}{'per s':>8}{'best':>8}{'p50 ms':>8}{'p95 ms':>8}"
            f"{'srv CPU ms':>11}{'bg load':>9}"
        )

        def row(name, p, post=False):
            if post:
                print(f"   {'  the POST alone':<33}{'':>43}{p['post_p50_ms']:>8.1f}{p['post_p95_ms']:>8.1f}")
                return
            print(
                f"   {name:<33}{p['concurrency']:>8}{p['ok']:>6}/{p['count']:<4}{p['rate']:>8.1f}"
                f"{p['best_round_rate']:>8.1f}{p['p50_ms']:>8.1f}{p['p95_ms']:>8.1f}{p['server_cpu_ms']:>11.1f}"
                f"{p['background_cores']:>9.2f}"
            )

        row("baseline: trivial view (GET)", ping)
        row("baseline: login page (GET)", page)
        row("sign-in: GET login page + POST", login)
        row("", login, post=True)
        row("sign-in, 1 client at a time", single)
        row("", single, post=True)
        print(
            f"   per s = over all {args.rounds} interleaved rounds; best = the best round. srv CPU ms = CPU time of the"
        )
        print("   gunicorn workers per request (per whole sign-in on the sign-in rows). bg load = other processes.")
        print(
            f"   The load generator shares the cores: {login['client_cpu_share']:.0%} of a core during the sign-ins, "
            f"{ping['client_cpu_share']:.0%} during the trivial view"
        )
        print("   (so the trivial-view rate is a floor: the client, not Django, is near its limit there).")
        print(f"   Worker peak RSS: {', '.join(f'{v:.0f} MiB' for v in web['worker_peak_rss_mib'])}.")
        redone = sum(p["rounds_redone"] for p in ph.values())
        if redone:
            print(f"   {redone} round(s) were redone, not counted: other processes loaded the machine meanwhile.")
        noisy = max(p["background_cores"] for p in ph.values())
        if noisy > NOISY_CORES:
            print(
                f"   WARNING: other processes kept up to {noisy:.2f} of the {os.cpu_count()} cores busy during these "
                "runs, so the rates"
            )
            print("   above understate the server: rerun on a quiet machine (srv CPU ms is less affected).")
        print()
        print("   Ratios")
        print(
            f"   sign-ins/s ÷ trivial views/s        = {login['rate'] / ping['rate']:.3f}   "
            f"(one sign-in takes the capacity of {ping['rate'] / login['rate']:.0f} trivial requests)"
        )
        print(
            f"   sign-ins/s ÷ login page views/s     = {login['rate'] / page['rate']:.3f}   "
            f"(one sign-in takes the capacity of {page['rate'] / login['rate']:.1f} login page views)"
        )
        print(
            f"   server CPU, sign-in ÷ trivial view  = {login['server_cpu_ms'] / ping['server_cpu_ms']:.0f}x     "
            f"({login['server_cpu_ms']:.1f} ms vs {ping['server_cpu_ms']:.1f} ms)"
        )
        if raw:
            share = raw["portal"]["verify_cpu_ms"] / login["server_cpu_ms"]
            print(
                f"   Argon2's share of a sign-in's CPU   ≈ {min(share, 1):.0%}      "
                f"({raw['portal']['verify_cpu_ms']:.1f} ms verify of {login['server_cpu_ms']:.1f} ms)"
            )

        print()
        directors = web["seeded"].get("working_schools") or DIRECTORS
        print("4. Trade-off — a city-wide circular: everyone signs in at once; time until the server has let all in")
        print(
            f"   {'Argon2 profile':<24}{'sign-ins/s':>11}{'ms each':>9}{f'{directors} directors':>15}"
            f"{f'{ALL_USERS} users':>12}   offline guess costs the attacker"
        )
        rows = [("portal (measured)", login["rate"], raw["portal"] if raw else None)]
        if raw:
            # The cores the workers got while signing in, spent on the rest of a sign-in plus another hash.
            cores = login["rate"] * login["server_cpu_ms"] / 1000
            rest_ms = login["server_cpu_ms"] - raw["portal"]["verify_cpu_ms"]
            for key in ("owasp_min", "django"):
                r = raw[key]
                rows.append((f"{r['label']} (est.)", 1000 * cores / (rest_ms + r["verify_cpu_ms"]), r))
        for name, rate, r in rows:
            cost = f"{r['verify_cpu_ms']:.0f} ms CPU and {r['m_kib'] / 1024:.0f} MiB per guess" if r else ""
            print(
                f"   {name:<24}{rate:>11.1f}{1000 / rate:>9.1f}{fmt_duration(directors / rate):>15}"
                f"{fmt_duration(ALL_USERS / rate):>12}   {cost}".rstrip()
            )
        print("   ms each = server time per sign-in at full load. (est.) = the measured sign-in's server CPU with its")
        print("   Argon2 CPU time replaced by that profile's, on the same share of the cores.")
        print(
            f"   At the portal's cost, {directors} directors arriving together are all in after "
            f"{fmt_duration(directors / login['rate'])}."
        )
        busy = directors / 600 / login["rate"]
        print(f"   Arriving over 10 minutes instead, they keep the {args.workers} workers {busy:.0%} busy.")
        ceiling = 1000 * (os.cpu_count() or 2) / login["server_cpu_ms"]
        print(f"   Ceiling with all cores to the server (no load generator, nothing else): {ceiling:.0f} sign-ins/s.")
    print(rule)


# --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logins", type=int, default=400, help="sign-ins at full concurrency (default 400)")
    parser.add_argument("--single-logins", type=int, default=40, help="sign-ins by one client (default 40)")
    parser.add_argument("--baseline-requests", type=int, default=2000, help="trivial-view GETs (default 2000)")
    parser.add_argument("--users", type=int, default=200, help="director accounts to create (default 200)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds of the HTTP runs (default 4)")
    parser.add_argument("--raw-seconds", type=float, default=1.5, help="target time per raw verify measurement")
    parser.add_argument("--raw-repeats", type=int, default=3, help="raw measurements, best kept (default 3)")
    parser.add_argument("--only", choices=["raw", "http"], help="run one part only")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--seed-users", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--unseed-users", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.seed_users:
        seed_users(args.seed_users)
        return 0
    if args.unseed_users:
        unseed_users()
        return 0

    if args.only != "raw":
        import importlib.util

        if importlib.util.find_spec("gunicorn") is None:
            print("gunicorn is missing: .venv/bin/pip install gunicorn==23.0.0", file=sys.stderr)
            return 2

    # A SIGTERM ends the run like Ctrl-C does: through the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="ecab-login-bench-"))
    started = time.perf_counter()
    try:
        raw = web = None
        if args.only != "http":
            print("1. raw hashing", flush=True)
            raw = bench_raw(args.raw_seconds, args.raw_repeats)
        if args.only != "raw":
            print("2./3. server setup and HTTP runs", flush=True)
            web = bench_http(args, tmp)
        report(args, raw, web)
        print(f"(total run time {time.perf_counter() - started:.0f} s)")
        if args.json:
            args.json.write_text(json.dumps({"raw": raw, "http": web}, indent=2, ensure_ascii=False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
