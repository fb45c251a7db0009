#!/usr/bin/env python
"""Where the portal's search spends its CPU, per query, beside the engine: a profiling harness, not a latency
benchmark. It counts CPU time (``time.process_time``) and SQL statements, so a busy shared machine changes its
figures little, where wall-clock latencies would swing with the other processes' load.

    .venv/bin/python benchmarks/search_profile.py                     # 10,000 acts on SQLite, kept in var/
    .venv/bin/python benchmarks/search_profile.py --docs 100000 --queries 50
    .venv/bin/python benchmarks/search_profile.py --cprofile 30       # + the 30 costliest functions per user
    .venv/bin/python benchmarks/search_profile.py opensearch --opensearch-port 9372   # on a node it starts
    .venv/bin/python benchmarks/search_profile.py postgres --database-url postgres://USER@127.0.0.1:PORT/DB

On PostgreSQL (``postgres``) the corpus is written into the database of ``--database-url`` (a running server;
an empty database is migrated and filled and marked in its comment; one this script filled for the same acts
and seed is reused, any other refused).

On OpenSearch (``opensearch``) the content is the same SQLite corpus and the index is on a node: one started
on ``--opensearch-port`` (stopped at the end; ``update_index`` of the corpus, ~20 s per 10,000 acts) or, with
``--opensearch-url``, a running one whose index (prefix ``ecab-profile-``) is reused when it holds the corpus.
The engine runs in another process there, so the split below is given in wall-clock time beside CPU.

The corpus is the one of ``benchmarks/search_speed.py`` (same generator, same seed, same queries), written
once into a SQLite file (``--db``, default ``var/search-profile-<docs>.sqlite3``) and reused by later runs, so
a before/after comparison measures the same data. Building it migrates, loads the demo data, writes the acts
and runs ``update_index`` (about 2 minutes per 10,000 acts on 2 cores).

For each user (``demo-don``: the city; ``demo-school``: one school, whose scope hides the other districts'
sections and collections) and each kind of query (rare words, common words, multi-word), every query runs
(once ``cms.startup.finish_startup`` has prepared the process as a WSGI worker starts):

- through ``search.services.run_search`` as the results page and the API call it (the query log included
  unless ``--no-log``): its CPU in ms, split into the engine call (``search.engine.search_matches``: building
  and running the engine statements) and the rest, the portal's own cost (analysis, scope, loading the hits,
  URLs, snippets, ranking, the query log); and its SQL statements, all of them and those outside the engine;
- as the hand-written engine query of ``search_speed.py`` (``RawEngine``: the same words, top 10 + the count
  capped at 1,001, no objects loaded): the engine's own CPU, the baseline of the portal ÷ engine ratio.
  As in ``search_speed.py``, the two take turns going first: the first reads what the database has not cached.

Split: the mean wall-clock and CPU ms of each part of ``run_search``, each counted without the parts it calls
(so the parts add up to the whole): the query analysis, building the scoped querysets (``_filtered``), the
scope rules' data reads (``cms.org.scope``), compiling the engine queries (Wagtail's ``backend.search`` and
``_get_es_body`` on OpenSearch), the engine call (``_msearch``/``_search``/``_count`` round trips on OpenSearch;
``search_matches`` on SQLite), loading the candidates (``load_results``), the page's hits (``build_hits``), the
exact-number lookups, the search backend's construction, the query log, and the rest (ranking, merging ...).

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
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.search_speed import (  # noqa: E402
    DEFAULT_LAWS_DIR,
    KIND_LABELS,
    KINDS,
    RawEngine,
    SearchNode,
    baseline_check,
    build_queries,
    build_site,
    engine_words,
    load_source,
    percentile,
    run_update_index,
)

USERS = {"don": "demo-don", "school": "demo-school"}
INDEX_PREFIX = "ecab-profile-"
WARMUP = 5


def log(message: str) -> None:
    print(f"[search_profile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


#: The parts of run_search timed on their own: (module or class path, attribute), each counted without the
#: parts it calls. "engine" is the whole engine call on SQLite; on OpenSearch, what search_matches does beside
#: compiling (Wagtail) and the round trip (the client).
PHASES = {
    "analysis": [("search.services", "analyse_query")],
    "backend": [("search.services", "get_search_backend")],
    "scope": [("search.services", "_filtered"), ("search.services", "_in_district")],
    "scope data": [
        ("cms.org.scope", name)
        for name in (
            "_district_section_paths",
            "_restricted_paths",
            "readable_collection_paths",
            "_collection_ids_under",
        )
    ],
    "compile": [
        ("modelsearch.backends.base.BaseSearchBackend", "search"),
        ("modelsearch.backends.elasticsearchbase.ElasticsearchBaseSearchResults", "_get_es_body"),
        ("search.engine", "_es_body"),
        ("search.engine", "_es_shared_body"),
    ],
    "round trip": [("opensearchpy.OpenSearch", name) for name in ("msearch", "search", "count", "scroll")],
    "engine": [("search.services", "search_matches"), ("search.services", "count_among")],
    "load": [("search.services", "load_results"), ("search.services", "_in_order")],
    "exact": [("search.services", "_exact_number_results")],
    "hits": [("search.services", "build_hits")],
    "log": [("search.services", "record_query")],
}


def _resolve(path: str):
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target
    raise ImportError(path)


class Counters:
    """SQL statements (all, and inside the engine's parts) and the wall-clock and CPU time of each phase,
    exclusive of the phases it calls."""

    ENGINE_PARTS = ("engine", "compile", "round trip")

    def __init__(self):
        self._stack: list[list] = []  # [phase, wall started, cpu started, wall of children, cpu of children]
        self._phase = None
        self.reset()

    def reset(self) -> None:
        self.statements = self.engine_statements = 0
        self.wall = dict.fromkeys(PHASES, 0.0)
        self.cpu = dict.fromkeys(PHASES, 0.0)
        self.phase_statements = dict.fromkeys(PHASES, 0)

    def sql(self, execute, sql, params, many, context):
        self.statements += 1
        if self._stack:
            phase = self._stack[-1][0]
            self.phase_statements[phase] += 1
            self.engine_statements += any(frame[0] in self.ENGINE_PARTS for frame in self._stack)
        return execute(sql, params, many, context)

    def wrap(self) -> None:
        for phase, targets in PHASES.items():
            for path, name in targets:
                try:
                    owner = _resolve(path)
                except (ImportError, AttributeError):
                    continue
                if hasattr(owner, name):
                    setattr(owner, name, self._timed(phase, getattr(owner, name)))

    def _timed(self, phase, fn):
        def timed(*args, **kwargs):
            frame = [phase, time.perf_counter(), time.process_time(), 0.0, 0.0]
            self._stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self._stack.pop()
                wall, cpu = time.perf_counter() - frame[1], time.process_time() - frame[2]
                self.wall[phase] += wall - frame[3]
                self.cpu[phase] += cpu - frame[4]
                if self._stack:
                    self._stack[-1][3] += wall
                    self._stack[-1][4] += cpu

        return timed


def _corpus_name(args) -> str:
    """The SQLite file's name, or on PostgreSQL one of the database's (the corpus' media beside it in var/)."""
    if args.backend == "postgres":
        return f"search-profile-postgres-{urlparse(args.database_url).path.strip('/') or 'default'}"
    return args.db.stem


def ensure_corpus(args) -> None:
    """Build the corpus unless the database holds it already: the SQLite file ``args.db`` (marked by a
    ``.ready`` file beside it), or the PostgreSQL database of ``--database-url`` (its acts counted)."""
    if args.backend == "postgres":
        _ensure_postgres_corpus(args)
        return
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


def _ensure_postgres_corpus(args) -> None:
    """The PostgreSQL corpus: built into an empty database and marked by the database's comment; a database
    this script built for the same acts and seed is reused, any other refused."""
    from django.db import connection

    marker = f"search_profile.py corpus: {args.docs} acts, seed {args.seed}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        comment = cursor.fetchone()[0] or ""
    if comment.startswith(marker):
        log(f"reusing the PostgreSQL database ({comment})")
        return
    if "wagtailcore_page" in connection.introspection.table_names():
        sys.exit(f"the database is not this script's corpus of {args.docs:,} acts, seed {args.seed}: give an empty one")
    log(f"building {args.docs:,} acts into the PostgreSQL database")
    site = build_site(args.source, args)
    index = run_update_index()
    built = f"{marker}; insert {site['insert_s']:.0f} s, update_index {index['seconds']:.0f} s"
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:  # COMMENT takes no parameters: the text is this script's own
        cursor.execute(f"COMMENT ON DATABASE {name} IS '{built}'")
    log(f"built: {built}")


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

    figures = {}
    views = _views() if args.views else {}
    for kind in args.kinds:
        measured, warmup = queries[kind][: args.queries], queries[kind][args.queries :][:WARMUP]
        for q in warmup:
            services.run_search(user, q, log=False)
            raw.search(engine_words(q))
        rows = {"portal": [], "portal_wall": [], "raw": [], "raw_wall": [], "statements": [], "outside": []}
        rows.update(totals=[], engine_totals=[])
        rows.update(**{phase: [] for phase in PHASES}, **{f"{phase}_wall": [] for phase in PHASES})
        rows.update({f"{phase}_statements": [] for phase in PHASES})
        for name in views:
            rows[name] = []
            rows[f"{name}_statements"] = []
        for i, q in enumerate(measured):
            words = engine_words(q)
            if i % 2:  # as search_speed.py: each goes first every other query (the first reads what is not cached)
                _time_raw(raw, words, rows)
            counters.reset()
            started, started_wall = time.process_time(), time.perf_counter()
            outcome = services.run_search(user, q, log=not args.no_log)
            rows["portal"].append((time.process_time() - started) * 1000)
            rows["portal_wall"].append((time.perf_counter() - started_wall) * 1000)
            for phase in PHASES:
                rows[phase].append(counters.cpu[phase] * 1000)
                rows[f"{phase}_wall"].append(counters.wall[phase] * 1000)
                rows[f"{phase}_statements"].append(counters.phase_statements[phase])
            rows["statements"].append(counters.statements)
            rows["outside"].append(counters.statements - counters.engine_statements)
            rows["totals"].append(outcome.total)
            if not i % 2:
                _time_raw(raw, words, rows)
            for name, call in views.items():
                counters.reset()
                started = time.process_time()
                call(user, q)
                rows[name].append((time.process_time() - started) * 1000)
                rows[f"{name}_statements"].append(counters.statements)
        figures[kind] = rows
    return figures


def _time_raw(raw, words, rows) -> None:
    started, started_wall = time.process_time(), time.perf_counter()
    count, _top = raw.search(words)
    rows["raw"].append((time.process_time() - started) * 1000)
    rows["raw_wall"].append((time.perf_counter() - started_wall) * 1000)
    rows["engine_totals"].append(count)


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
        f"Search profile — {args.backend}, {args.docs:,} generated acts + demo data; {args.queries} queries per kind "
        f"and user; query log {'off' if args.no_log else 'on'}; ms; load average {os.getloadavg()[0]:.1f}"
    )
    print("=" * width)
    header = (
        f"{'user':<6} {'kind':<13} │ {'portal wall p50':>15} {'p95':>5} │ {'CPU p50':>7} {'p95':>5} │ "
        f"{'raw wall p50':>12} {'p95':>5} │ {'CPU p50':>7} │ {'ratio p50':>9} {'p95':>5} │ {'same':>4} │ "
        f"{'SQL':>4} {'outside':>7}"
    )
    if args.views:
        header += f" │ {'API':>5} {'SQL':>3} │ {'page':>5} {'SQL':>3}"
    print(header)
    print("─" * len(header))
    for user_key, figures in report.items():
        for kind in args.kinds:
            r = figures[kind]
            portal50, raw50 = statistics.median(r["portal_wall"]), statistics.median(r["raw_wall"])
            portal95, raw95 = percentile(r["portal_wall"], 95), percentile(r["raw_wall"], 95)
            line = (
                f"{user_key:<6} {KIND_LABELS[kind]:<13} │ {portal50:>15.1f} {portal95:>5.1f} │ "
                f"{statistics.median(r['portal']):>7.1f} {percentile(r['portal'], 95):>5.1f} │ "
                f"{raw50:>12.1f} {raw95:>5.1f} │ {statistics.median(r['raw']):>7.1f} │ "
                f"{portal50 / raw50:>8.1f}x {portal95 / raw95:>4.1f}x │ "
                f"{baseline_check(r)[0] / len(r['totals']):>4.0%} │ {max(r['statements']):>4} {max(r['outside']):>7}"
            )
            if args.views:
                line += (
                    f" │ {_mean(r['api']):>5.1f} {max(r['api_statements']):>3} │ {_mean(r['page']):>5.1f} "
                    f"{max(r['page_statements']):>3}"
                )
            print(line)
    print("─" * len(header))
    print(
        "portal = run_search whole; raw = the hand-written engine query of search_speed.py (same words, top 10 +\n"
        "count capped at 1,001, no objects loaded); wall = perf_counter, CPU = process_time of this process (on\n"
        "OpenSearch the engine's own CPU is in the node); ratio = portal wall ÷ raw wall at that percentile;\n"
        "same = the share of queries whose raw count is the portal's total (the baseline finds what the portal\n"
        "finds); SQL = statements per run_search (max): all, and outside the engine's parts."
    )
    if args.views:
        print("API / page = the API view / results page through RequestFactory: CPU mean, statements max.")
    print("\nSplit of run_search (means, ms, each part without the parts it calls; SQL = statements, mean):")
    phases = [*PHASES, "rest"]
    header = f"{'user':<6} {'kind':<13} │ " + " │ ".join(f"{phase:>17}" for phase in phases)
    print(header)
    print(f"{'':<6} {'':<13} │ " + " │ ".join(f"{'wall':>5} {'CPU':>5} {'SQL':>5}" for _phase in phases))
    print("─" * len(header))
    for user_key, figures in report.items():
        for kind in args.kinds:
            r = figures[kind]
            cells = [
                f"{_mean(r[f'{phase}_wall']):>5.2f} {_mean(r[phase]):>5.2f} {_mean(r[f'{phase}_statements']):>5.1f}"
                for phase in PHASES
            ]
            rest_wall = _mean(r["portal_wall"]) - sum(_mean(r[f"{phase}_wall"]) for phase in PHASES)
            rest_cpu = _mean(r["portal"]) - sum(_mean(r[phase]) for phase in PHASES)
            cells.append(f"{rest_wall:>5.2f} {rest_cpu:>5.2f} {'':>5}")
            print(f"{user_key:<6} {KIND_LABELS[kind]:<13} │ " + " │ ".join(cells))
    print("─" * len(header))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backend", nargs="?", default="sqlite", choices=("sqlite", "postgres", "opensearch"))
    parser.add_argument("--database-url", help="postgres: the database of the corpus (built there when empty)")
    parser.add_argument("--opensearch-port", type=int, default=9344, help="the port of the node it starts")
    parser.add_argument("--opensearch-url", help="a running node instead (its index kept between runs)")
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
    if args.backend == "postgres" and not args.database_url:
        parser.error("postgres needs --database-url")
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
            "MEDIA_ROOT": str(args.db.parent / f"{_corpus_name(args)}-media"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "DATABASE_URL": args.database_url if args.backend == "postgres" else f"sqlite:///{args.db}",
        }
    )
    os.environ.pop("OPENSEARCH_URL", None)
    os.environ.pop("REDIS_URL", None)
    node = None
    try:
        if args.backend == "opensearch":
            url = args.opensearch_url
            if not url:
                node = SearchNode(
                    "opensearch", Path(tempfile.mkdtemp(prefix="ecab-search-profile.")), args.opensearch_port, "1g"
                )
                url = node.start()
            os.environ.update(OPENSEARCH_URL=url, OPENSEARCH_INDEX_PREFIX=INDEX_PREFIX, OPENSEARCH_TIMEOUT="120")
        run(args)
    finally:
        if node is not None:
            node.stop()
            shutil.rmtree(node.dir.parent, ignore_errors=True)


def ensure_index() -> None:
    """OpenSearch: index the corpus unless the node's index holds every act already."""
    from wagtail.search.backends import get_search_backend

    from cms.pages.models import RegulationPage

    backend = get_search_backend("default")
    index = backend.get_index_for_model(RegulationPage)
    wanted = RegulationPage.objects.live().count()
    if index.exists():
        query = {"query": {"match": {"_django_content_type": "pages.RegulationPage"}}}
        if backend.es.count(index=index.name, body=query)["count"] >= wanted:
            log(f"reusing the index {index.name}")
            return
    log("update_index")
    figures = run_update_index()
    log(f"indexed {figures['objects']:,} objects at {figures['docs_per_s']:,.0f}/s")


def run(args) -> None:
    import django

    django.setup()
    from django.db import connection

    from cms.accounts.models import User

    args.source = load_source(args.laws_dir, args.seed)
    ensure_corpus(args)
    if args.backend == "opensearch":
        ensure_index()
    from cms.startup import finish_startup

    finish_startup(search=True)  # as a WSGI worker starts (cms.wsgi): what it loaded frozen out of the GC's passes
    log("building the queries")
    queries = build_queries(args.source, args.seed, args.queries)[0]
    counters = Counters()
    counters.wrap()
    raw = RawEngine(args.backend if args.backend == "opensearch" else connection.vendor)
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
    empty = sum(baseline_check(figures[kind])[1] for figures in report.values() for kind in args.kinds)
    if empty:  # as search_speed.py: a baseline that finds nothing is no baseline
        log(f"the raw engine query found nothing for {empty} queries the portal found: the baseline is wrong")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
