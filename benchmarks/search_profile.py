#!/usr/bin/env python
"""Where the portal's search spends its CPU, per query, beside the engine: a profiling harness, not a latency
benchmark. It counts CPU time (``time.process_time``) and SQL statements, so a busy shared machine changes its
figures little, where wall-clock latencies would swing with the other processes' load.

    .venv/bin/python benchmarks/search_profile.py                     # 10,000 acts on SQLite, kept in var/
    .venv/bin/python benchmarks/search_profile.py --docs 100000 --queries 50
    .venv/bin/python benchmarks/search_profile.py --cprofile 30       # + the 30 costliest functions per user

The corpus is the one of ``benchmarks/search_speed.py`` (same generator, same seed, same queries), written
once into a SQLite file (``--db``, default ``var/search-profile-<docs>.sqlite3``) and reused by later runs, so
a before/after comparison measures the same data. Building it migrates, loads the demo data, writes the acts
and runs ``update_index`` (about 2 minutes per 10,000 acts on 2 cores).

For each user (``demo-don``: the city; ``demo-school``: one school, whose scope hides the other districts'
sections and collections) and each kind of query (rare words, common words, multi-word), every query runs:

- through ``search.services.run_search`` as the results page and the API call it (the query log included
  unless ``--no-log``): its CPU in ms, split into the engine call (``search.engine.search_matches``: building
  and running the engine statements) and the rest, the portal's own cost (analysis, scope, loading the hits,
  URLs, snippets, ranking, the query log); and its SQL statements, all of them and those outside the engine;
- as the hand-written engine query of ``search_speed.py`` (``RawEngine``: the same lemmas, top 10 + the count
  capped at 1,001, no objects loaded): the engine's own CPU, the baseline of the portal ÷ engine ratio.

With ``--views`` it also runs the API view (``GET /api/search/``) and the results page for each query
(through ``RequestFactory``: the form, the serialiser, the template), their CPU and statements.
SQLite runs inside this process, so its CPU is in ``process_time``; figures are means and percentiles of CPU
ms over the measured queries (warm-up queries not counted).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.search_speed import (  # noqa: E402
    DEFAULT_LAWS_DIR,
    KIND_LABELS,
    KINDS,
    RawEngine,
    build_queries,
    build_site,
    load_source,
    percentile,
    run_update_index,
)

USERS = {"don": "demo-don", "school": "demo-school"}
WARMUP = 5


def log(message: str) -> None:
    print(f"[search_profile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


#: Functions of search.services whose CPU is reported on its own (where the module has them).
PHASES = {
    "engine": "search_matches",  # building and running the engine statements
    "analysis": "analyse_query",  # lemmatising the query
    "hits": "build_hits",  # the page's hits: long texts, URLs, snippets
    "log": "record_query",  # the query log
}


class Counters:
    """SQL statements (all, and inside the engine call) and CPU inside each phase, while active."""

    def __init__(self):
        self.statements = 0
        self.engine_statements = 0
        self.cpu = dict.fromkeys(PHASES, 0.0)
        self._phase = None

    def reset(self) -> None:
        self.statements = self.engine_statements = 0
        self.cpu = dict.fromkeys(PHASES, 0.0)

    def sql(self, execute, sql, params, many, context):
        self.statements += 1
        self.engine_statements += self._phase == "engine"
        return execute(sql, params, many, context)

    def wrap(self, module) -> None:
        for phase, name in PHASES.items():
            if hasattr(module, name):
                setattr(module, name, self._timed(phase, getattr(module, name)))

    def _timed(self, phase, fn):
        def timed(*args, **kwargs):
            outer, self._phase = self._phase, phase
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                if outer is None:
                    self.cpu[phase] += time.process_time() - started
                self._phase = outer

        return timed


def ensure_corpus(args) -> None:
    """Build the SQLite corpus unless ``args.db`` holds it already (marked by a ``.ready`` file beside it)."""
    ready = args.db.with_suffix(".ready")
    if ready.exists() and args.db.exists():
        log(f"reusing {args.db} ({ready.read_text().strip()})")
        return
    args.db.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    log(f"building {args.docs:,} acts into {args.db}")
    site = build_site(args.source, args)
    index = run_update_index()
    ready.write_text(
        f"{args.docs} acts, seed {args.seed}; insert {site['insert_s']:.0f} s, "
        f"update_index {index['seconds']:.0f} s ({index['docs_per_s']:.0f} docs/s)\n"
    )
    log(f"built: {ready.read_text().strip()}")


def _view_request(factory, path, params, user):
    request = factory.get(path, params)
    request.user = user
    request.session = {}
    request._messages = _NoMessages()
    return request


class _NoMessages(list):
    """Enough of a message storage for ``messages.error`` and the template's messages loop."""

    level = 0

    def add(self, level, message, extra_tags=""):
        self.append(message)


def measure_user(user, queries, raw, counters, args) -> dict:
    import search.services as services
    from search.analysis import analyse_query

    figures = {}
    views = _views() if args.views else {}
    for kind in args.kinds:
        measured, warmup = queries[kind][: args.queries], queries[kind][args.queries :][:WARMUP]
        for q in warmup:
            services.run_search(user, q, log=False)
            raw.search(analyse_query(q).terms)
        rows = {"portal": [], "raw": [], "statements": [], "outside": [], "totals": [], **{p: [] for p in PHASES}}
        for name in views:
            rows[name] = []
            rows[f"{name}_statements"] = []
        for q in measured:
            counters.reset()
            started = time.process_time()
            outcome = services.run_search(user, q, log=not args.no_log)
            cpu = time.process_time() - started
            rows["portal"].append(cpu * 1000)
            for phase, seconds in counters.cpu.items():
                rows[phase].append(seconds * 1000)
            rows["statements"].append(counters.statements)
            rows["outside"].append(counters.statements - counters.engine_statements)
            rows["totals"].append(outcome.total)
            terms = analyse_query(q).terms
            started = time.process_time()
            raw.search(terms)
            rows["raw"].append((time.process_time() - started) * 1000)
            for name, call in views.items():
                counters.reset()
                started = time.process_time()
                call(user, q)
                rows[name].append((time.process_time() - started) * 1000)
                rows[f"{name}_statements"].append(counters.statements)
        figures[kind] = rows
    return figures


def _views() -> dict:
    from django.test import RequestFactory

    from search.api import SearchAPI
    from search.views import search_page

    factory = RequestFactory()
    api = SearchAPI.as_view()

    def call_api(user, q):
        response = api(_view_request(factory, "/api/search/", {"q": q}, user))
        response.render()
        assert response.status_code == 200, response.status_code

    def call_page(user, q):
        response = search_page(_view_request(factory, "/search/", {"q": q}, user))
        assert response.status_code == 200, response.status_code

    return {"api": call_api, "page": call_page}


def profile_user(user, queries, args) -> str:
    import search.services as services

    profiler = cProfile.Profile()
    profiler.enable()
    for kind in args.kinds:
        for q in queries[kind][: args.queries]:
            services.run_search(user, q, log=not args.no_log)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(args.cprofile)
    stats.sort_stats("tottime").print_stats(args.cprofile)
    return out.getvalue()


def _mean(values) -> float:
    return statistics.fmean(values) if values else float("nan")


def print_report(report: dict, args) -> None:
    width = 140
    print("=" * width)
    print(
        f"Search CPU profile — SQLite, {args.docs:,} generated acts + demo data; {args.queries} queries per kind "
        f"and user; query log {'off' if args.no_log else 'on'}; CPU ms"
    )
    print("=" * width)
    header = (
        f"{'user':<6} {'kind':<13} │ {'portal p50':>10} {'p95':>5} {'mean':>5} │ {'engine':>6} {'rest':>5} │ "
        f"{'analysis':>8} {'hits':>5} {'log':>4} │ {'raw engine p50':>14} {'p95':>5} │ {'ratio':>5} │ "
        f"{'SQL':>4} {'outside':>7}"
    )
    if args.views:
        header += f" │ {'API':>5} {'SQL':>3} │ {'page':>5} {'SQL':>3}"
    print(header)
    print("─" * len(header))
    for user_key, figures in report.items():
        for kind in args.kinds:
            r = figures[kind]
            portal50, raw50 = statistics.median(r["portal"]), statistics.median(r["raw"])
            rest = _mean(r["portal"]) - _mean(r["engine"])
            ratio = portal50 / raw50 if raw50 else float("nan")
            line = (
                f"{user_key:<6} {KIND_LABELS[kind]:<13} │ {portal50:>10.1f} {percentile(r['portal'], 95):>5.1f} "
                f"{_mean(r['portal']):>5.1f} │ {_mean(r['engine']):>6.1f} {rest:>5.1f} │ {_mean(r['analysis']):>8.1f} "
                f"{_mean(r['hits']):>5.1f} {_mean(r['log']):>4.1f} │ {raw50:>14.1f} {percentile(r['raw'], 95):>5.1f} │ "
                f"{ratio:>4.1f}x │ {max(r['statements']):>4} {max(r['outside']):>7}"
            )
            if args.views:
                line += (
                    f" │ {_mean(r['api']):>5.1f} {max(r['api_statements']):>3} │ {_mean(r['page']):>5.1f} "
                    f"{max(r['page_statements']):>3}"
                )
            print(line)
    print("─" * len(header))
    print(
        "portal = run_search whole (process_time; SQLite runs in this process); engine = inside search_matches\n"
        "(building and running the engine statements); rest = portal − engine (means): the portal's own cost, of\n"
        "which analysis = analyse_query, hits = build_hits (long texts, URLs, snippets of the page's hits), log =\n"
        "record_query; raw engine = the hand-written engine query of search_speed.py (same lemmas, top 10 + count\n"
        "capped at 1,001, no objects loaded); ratio = portal p50 ÷ raw engine p50; SQL = statements per run_search\n"
        "(max): all, and outside the engine."
    )
    if args.views:
        print("API / page = the API view / results page through RequestFactory: CPU mean, statements max.")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="generated acts (default 10000)")
    parser.add_argument("--queries", type=int, default=40, help="measured queries per kind and user (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="SQLite file of the corpus (default var/search-profile-<docs>.sqlite3)")
    parser.add_argument("--laws-dir", type=Path, default=DEFAULT_LAWS_DIR)
    parser.add_argument("--users", default="don,school", help="comma-separated: don, school (default both)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: rare, common, multi (default all)")
    parser.add_argument("--json", type=Path, help="also write the per-query figures to this file")
    parser.add_argument("--no-log", action="store_true", help="run_search(log=False), as search_speed.py does")
    parser.add_argument("--views", action="store_true", help="also the API view and the results page")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="print the N costliest functions")
    args = parser.parse_args(argv)
    args.db = (args.db or REPO / "var" / f"search-profile-{args.docs}.sqlite3").resolve()
    args.users = [u.strip() for u in args.users.split(",") if u.strip()]
    args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if unknown := set(args.kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    if unknown := set(args.users) - set(USERS):
        parser.error(f"unknown users: {', '.join(sorted(unknown))}")
    return args


def main() -> None:
    args = parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DEBUG": "false",
            "MEDIA_ROOT": str(args.db.parent / f"{args.db.stem}-media"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "DATABASE_URL": f"sqlite:///{args.db}",
        }
    )
    os.environ.pop("OPENSEARCH_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection

    import search.services as services
    from cms.accounts.models import User

    args.source = load_source(args.laws_dir, args.seed)
    ensure_corpus(args)
    log("building the queries")
    queries = build_queries(args.source, args.seed, args.queries)[0]
    counters = Counters()
    counters.wrap(services)
    raw = RawEngine(connection.vendor)
    report = {}
    profiles = {}
    with connection.execute_wrapper(counters.sql):
        for user_key in args.users:
            user = User.objects.get(username=USERS[user_key])
            log(f"measuring as {user.username}")
            report[user_key] = measure_user(user, queries, raw, counters, args)
            if args.cprofile:
                profiles[user_key] = profile_user(user, queries, args)
    print_report(report, args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    for user_key, text in profiles.items():
        print(f"\n--- cProfile, {USERS[user_key]}, all kinds ---")
        print(text)


if __name__ == "__main__":
    main()
