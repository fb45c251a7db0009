#!/usr/bin/env python
"""Search relevance benchmark: recall@10 and MRR of the portal's search on the 104 education laws.

Run on demand (this is not a test), from the repository root:

    .venv/bin/python benchmarks/search_relevance.py                       # database backend (SQLite FTS5), ~1 min
    .venv/bin/python benchmarks/search_relevance.py --backend postgres    # on a PostgreSQL 15 cluster it starts
    bash .ci/opensearch.sh start 19247 /tmp/relbench-os                   # a throwaway OpenSearch node
    .venv/bin/python benchmarks/search_relevance.py --backend opensearch --opensearch-url http://127.0.0.1:19247
    bash .ci/opensearch.sh stop /tmp/relbench-os
    bash .ci/elasticsearch.sh start 19248 /tmp/relbench-es                # the same on an Elasticsearch 8 node
    .venv/bin/python benchmarks/search_relevance.py --backend elasticsearch --elasticsearch-url http://127.0.0.1:19248
    bash .ci/elasticsearch.sh stop /tmp/relbench-es

What it does:

1. Builds a throwaway site: a fresh SQLite database in a temp dir (``DATABASE_URL=sqlite:////tmp/...``,
   ``cms.settings.dev``; with ``--backend postgres`` a database on a throwaway PostgreSQL 15 cluster started
   on ``--pg-port`` and stopped at the end: the database backend on PostgreSQL full-text), ``migrate``,
   ``load_demo`` (which imports the laws of ``shared/data/laws`` as
   RegulationPage objects) and ``update_index``, so the search index is complete. Background tasks run inline
   (``django_tasks``' immediate backend). With ``--backend opensearch`` the settings get ``OPENSEARCH_URL``
   (``--backend elasticsearch``: ``ELASTICSEARCH_URL``)
   and an index prefix of their own (``relbench-<pid>-``), so a shared node is not disturbed; the benchmark's
   indexes are deleted at the end. The temp dir is removed at the end (``--keep`` keeps it).
2. Reads the judged queries (``benchmarks/relevance_queries.csv``: category, query, the 1-5 relevant law
   numbers judged by reading the laws, a note) and, for each query, takes the top 10 of
   - **ours**: ``search.services.run_search(demo-don, query, per_page=10, log=False)``, the portal's search
     (Ukrainian lemmatisation, lemma fields, exact-number and title ranking, the AND-then-OR relaxation);
   - **plain**: ``RegulationPage.objects.live().search(query)[:10]``, Wagtail's own search on the raw query,
     on the same backend: what Wagtail does out of the box (its default operator is AND on SQLite and OR on
     OpenSearch). On OpenSearch it searches only the raw fields (``RAW_FIELDS``), as an index without our
     lemma fields would; the database backends keep every field in one column, so there a raw query word
     that happens to be a lemma ("освіта") also matches the lemma text.
3. Prints, for both, recall@10 (the share of a query's relevant laws found in its top 10) and MRR (1 / rank of
   the first relevant hit, 0 if none in the top 10), averaged over the queries: per query, per category
   (inflected, multi-word, number, topic, misspelled) and overall; the issue's targets (recall@10 >= 0.9 and
   at least +0.2 over the plain baseline); and the queries where ours misses relevant laws.

Options: ``--help``; ``--queries FILE``; ``--data-dir DIR`` (default ``shared/data`` beside the repository);
``--json FILE`` also writes every figure and ranking; ``--keep`` keeps the temp dir and the indexes.

First results (commit a625c1f, 68 queries; recall@10 / MRR, ours vs plain):

    database (SQLite FTS5)   ours 0.737 / 0.729   plain 0.675 / 0.514   gain +0.062   targets not met
    OpenSearch 3.8.0         ours 0.897 / 0.869   plain 0.908 / 0.813   gain -0.011   targets not met
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
DEFAULT_QUERIES = Path(__file__).resolve().with_name("relevance_queries.csv")
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
CATEGORIES = ("inflected", "multi-word", "number", "topic", "misspelled", "abbreviation")
K = 10
MAX_RELEVANT = 5
TARGET_RECALL = 0.9
TARGET_GAIN = 0.2
SEARCH_USER = "demo-don"
WIDTH = 112


@dataclass(frozen=True)
class Judged:
    category: str
    query: str
    relevant: tuple[str, ...]
    note: str = ""


@dataclass
class Run:
    """One system's top ``K`` for one query: law numbers ("" for a hit that is not a law), in rank order."""

    ranked: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""
    fallback: bool = False

    def recall(self, relevant: tuple[str, ...]) -> float:
        return len(set(self.ranked[:K]) & set(relevant)) / len(relevant)

    def reciprocal_rank(self, relevant: tuple[str, ...]) -> float:
        for rank, number in enumerate(self.ranked[:K], start=1):
            if number in relevant:
                return 1 / rank
        return 0.0

    def rank_of(self, number: str) -> int | None:
        return self.ranked.index(number) + 1 if number in self.ranked[:K] else None


# ---------------------------------------------------------------------------------------------------------------
# The judged queries
# ---------------------------------------------------------------------------------------------------------------


def read_law_numbers(laws_dir: Path) -> dict[str, str]:
    """number -> title of every act in the laws folder's index.csv."""
    with open(laws_dir / "index.csv", encoding="utf-8", newline="") as handle:
        return {row["number"]: row["title"] for row in csv.DictReader(handle) if row.get("number")}


def load_queries(path: Path, known: dict[str, str]) -> list[Judged]:
    """The judged queries of ``path``; lines starting with "#" are comments. Fails on a number not in index.csv."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    queries, problems = [], []
    for line, row in enumerate(rows, start=1):
        category, query = (row.get("category") or "").strip(), (row.get("query") or "").strip()
        relevant = tuple((row.get("relevant") or "").split())
        unknown = [number for number in relevant if number not in known]
        if category not in CATEGORIES:
            problems.append(f"row {line}: unknown category {category!r}")
        if not query:
            problems.append(f"row {line}: empty query")
        if not 1 <= len(relevant) <= MAX_RELEVANT:
            problems.append(f"row {line} ({query}): {len(relevant)} relevant laws, expected 1-{MAX_RELEVANT}")
        if unknown:
            problems.append(f"row {line} ({query}): not in index.csv: {', '.join(unknown)}")
        queries.append(Judged(category, query, relevant, (row.get("note") or "").strip()))
    seen = set()
    for judged in queries:
        if judged.query in seen:
            problems.append(f"duplicate query {judged.query!r}")
        seen.add(judged.query)
    if problems:
        raise SystemExit(f"{path}:\n  " + "\n  ".join(problems))
    return queries


# ---------------------------------------------------------------------------------------------------------------
# The throwaway site
# ---------------------------------------------------------------------------------------------------------------


ENGINE_NAMES = {"opensearch": "OpenSearch", "elasticsearch": "Elasticsearch"}


def engine_version(url: str, name: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a URL the user gave
            return json.load(response)["version"]["number"]
    except (OSError, ValueError, KeyError) as error:
        raise SystemExit(f"{name} does not answer at {url}: {error}") from error


def delete_engine_indexes(url: str, prefix: str) -> list[str]:
    """Delete the indexes whose names start with ``prefix`` (this run's); returns their names."""
    listing = f"{url.rstrip('/')}/_cat/indices/{urllib.parse.quote(prefix)}*?format=json&h=index"
    with urllib.request.urlopen(listing, timeout=10) as response:  # noqa: S310
        names = [row["index"] for row in json.load(response) if row["index"].startswith(prefix)]
    for name in names:
        address = f"{url.rstrip('/')}/{urllib.parse.quote(name)}"
        request = urllib.request.Request(address, method="DELETE")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310
            pass
    return names


def configure_environment(args: argparse.Namespace, tmp: Path, index_prefix: str, database_url: str = "") -> None:
    """Settings for the throwaway site, set before Django is imported."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp / 'db.sqlite3'}"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["ECAB_DATA_DIR"] = str(args.data_dir)
    os.environ["DEBUG"] = "false"  # DEBUG keeps every SQL query in memory
    # The backend measured, whatever the caller's environment says: the other engine's URL is dropped.
    for backend in ENGINE_NAMES:
        os.environ.pop(f"{backend.upper()}_URL", None)
    if args.backend in ENGINE_NAMES:
        setting = args.backend.upper()
        os.environ[f"{setting}_URL"] = args.engine_url
        os.environ[f"{setting}_INDEX_PREFIX"] = index_prefix
        os.environ.setdefault(f"{setting}_TIMEOUT", "30")


def build_site() -> dict[str, float]:
    """migrate + load_demo + update_index in this process; the seconds each took.

    ``update_index`` also runs once before ``load_demo``: it creates the search indexes with their mappings. On a
    fresh OpenSearch node the pages that ``load_demo`` saves would otherwise create the index by dynamic mapping,
    which takes a number such as "1060-12" for a date and then rejects "32/95-ВР" (the final ``update_index``
    repairs that, but not before printing hundreds of tracebacks).
    """
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from cms.org.demo import load_demo

    # The engine client logs every 404 of an atomic rebuild (deleting indexes that are not there) as a warning.
    logging.getLogger("opensearch").setLevel(logging.ERROR)
    logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    timings = {}
    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - start
    start = time.perf_counter()
    call_command("update_index", verbosity=0)
    load_demo(settings.DEMO_PASSWORD)
    timings["load_demo"] = time.perf_counter() - start
    start = time.perf_counter()
    call_command("update_index", verbosity=0)
    timings["update_index"] = time.perf_counter() - start
    return timings


def indexed_laws() -> int:
    """How many live RegulationPages the default search backend holds (a match-all search)."""
    from wagtail.search.backends import get_search_backend
    from wagtail.search.query import MATCH_ALL

    from cms.pages.models import RegulationPage

    return get_search_backend("default").search(MATCH_ALL, RegulationPage.objects.live()).count()


# ---------------------------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------------------------


def run_ours(user, query: str) -> Run:
    from cms.pages.models import RegulationPage
    from search.services import run_search

    start = time.perf_counter()
    try:
        outcome = run_search(user, query, per_page=K, log=False)
    except Exception as error:
        return Run(seconds=time.perf_counter() - start, error=f"{type(error).__name__}: {error}")
    seconds = time.perf_counter() - start
    ranked = [hit.number if hit.model is RegulationPage else "" for hit in outcome.hits[:K]]
    return Run(ranked=ranked, seconds=seconds, fallback=outcome.fallback)


# The fields a plain Wagtail index would hold (no lemma fields). OpenSearch and Elasticsearch can search just these; the
# database backends keep every field in one column, so there the baseline also sees the lemma text.
RAW_FIELDS = ["title", "number", "issuer", "subjects", "summary", "text"]


def run_plain(query: str) -> Run:
    from wagtail.search.backends import get_search_backend

    from cms.pages.models import RegulationPage

    fields = RAW_FIELDS if hasattr(get_search_backend("default"), "es") else None
    start = time.perf_counter()
    try:
        pages = list(RegulationPage.objects.live().search(query, fields=fields)[:K])
    except Exception as error:
        return Run(seconds=time.perf_counter() - start, error=f"{type(error).__name__}: {error}")
    return Run(ranked=[page.number for page in pages], seconds=time.perf_counter() - start)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summarise(queries: list[Judged], ours: list[Run], plain: list[Run]) -> dict[str, dict[str, float]]:
    """Mean recall@K and MRR of both systems per category and overall (every query weighs the same)."""
    groups = {category: [i for i, q in enumerate(queries) if q.category == category] for category in CATEGORIES}
    groups["overall"] = list(range(len(queries)))
    table = {}
    for name, indexes in groups.items():
        if not indexes:
            continue
        table[name] = {
            "queries": len(indexes),
            "ours_recall": mean([ours[i].recall(queries[i].relevant) for i in indexes]),
            "plain_recall": mean([plain[i].recall(queries[i].relevant) for i in indexes]),
            "ours_mrr": mean([ours[i].reciprocal_rank(queries[i].relevant) for i in indexes]),
            "plain_mrr": mean([plain[i].reciprocal_rank(queries[i].relevant) for i in indexes]),
        }
    return table


# ---------------------------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------------------------


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def shown(run: Run, relevant: tuple[str, ...], limit: int = 5) -> str:
    """The first ``limit`` numbers of a ranking, relevant ones starred."""
    if run.error:
        return f"ERROR {clip(run.error, 40)}"
    if not run.ranked:
        return "(nothing)"
    return " ".join((n or "(not a law)") + ("*" if n in relevant else "") for n in run.ranked[:limit])


def print_per_query(queries: list[Judged], ours: list[Run], plain: list[Run]) -> None:
    print(f"\nPer query (R = recall@{K}, RR = 1/rank of the first relevant hit; * = relevant; ! = ours misses one)")
    print(f"  {'category':<11} {'query':<42} {'rel':>3} {'ours R':>6} {'RR':>5} {'plain R':>7} {'RR':>5}  ours top 5")
    for judged, o, p in zip(queries, ours, plain, strict=True):
        rel = judged.relevant
        flag = " " if o.recall(rel) == 1 else "!"
        print(
            f"{flag} {judged.category:<11} {clip(judged.query, 42):<42} {len(rel):>3} {o.recall(rel):>6.2f}"
            f" {o.reciprocal_rank(rel):>5.2f} {p.recall(rel):>7.2f} {p.reciprocal_rank(rel):>5.2f}  {shown(o, rel)}"
        )


def print_summary(table: dict[str, dict[str, float]]) -> None:
    print("\nSummary (means over the queries of each row; Δ = ours - plain)")
    header = (
        f"  {'category':<11} {'queries':>7}   {'recall@10':>9} {'plain':>6} {'Δ':>6}   {'MRR':>5} {'plain':>6} {'Δ':>6}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for name, row in table.items():
        if name == "overall":
            print("  " + "-" * (len(header) - 2))
        print(
            f"  {name:<11} {row['queries']:>7}   {row['ours_recall']:>9.3f} {row['plain_recall']:>6.3f}"
            f" {row['ours_recall'] - row['plain_recall']:>+6.3f}   {row['ours_mrr']:>5.3f} {row['plain_mrr']:>6.3f}"
            f" {row['ours_mrr'] - row['plain_mrr']:>+6.3f}"
        )


def print_targets(table: dict[str, dict[str, float]]) -> bool:
    overall = table["overall"]
    gain = overall["ours_recall"] - overall["plain_recall"]
    recall_ok = overall["ours_recall"] >= TARGET_RECALL
    gain_ok = gain >= TARGET_GAIN - 1e-9
    print("\nTargets from the issue")
    verdict = {True: "MET", False: "NOT MET"}
    print(f"  {f'recall@10 >= {TARGET_RECALL:.2f}':<28} {overall['ours_recall']:>7.3f}  {verdict[recall_ok]}")
    print(f"  {f'gain over plain >= +{TARGET_GAIN:.2f}':<28} {gain:>+7.3f}  {verdict[gain_ok]}")
    return recall_ok and gain_ok


def print_misses(queries: list[Judged], ours: list[Run], plain: list[Run], titles: dict[str, str]) -> None:
    missed = [(q, o, p) for q, o, p in zip(queries, ours, plain, strict=True) if o.recall(q.relevant) < 1]
    print(f"\nQueries where ours misses relevant laws in its top {K}: {len(missed)} of {len(queries)}")
    for judged, o, p in missed:
        lost = [n for n in judged.relevant if o.rank_of(n) is None]
        found = [f"{n}@{o.rank_of(n)}" for n in judged.relevant if o.rank_of(n) is not None]
        print(f"- [{judged.category}] «{judged.query}»  missed: {', '.join(lost)}" + (f"; found: {', '.join(found)}"))
        for number in lost:
            print(f"      {number}: {clip(titles.get(number, '?'), WIDTH - 16)}")
        print(f"      ours : {shown(o, judged.relevant, K)}" + ("  [database fallback]" if o.fallback else ""))
        print(f"      plain: {shown(p, judged.relevant, K)}")


# ---------------------------------------------------------------------------------------------------------------


def main() -> int:
    from benchmarks.common import package_version

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend",
        choices=("database", "postgres", "opensearch", "elasticsearch"),
        default="database",
        help="the search backend to measure (database: SQLite FTS5; postgres: the database backend on PostgreSQL)",
    )
    parser.add_argument("--pg-port", type=int, default=5546, help="the throwaway PostgreSQL cluster's port")
    parser.add_argument(
        "--opensearch-url", default=os.environ.get("OPENSEARCH_URL", ""), help="e.g. http://127.0.0.1:19247"
    )
    parser.add_argument(
        "--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""), help="e.g. http://127.0.0.1:19248"
    )
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("ECAB_DATA_DIR", DEFAULT_DATA_DIR)))
    parser.add_argument("--json", type=Path, help="also write the figures and rankings to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database) and the engine's indexes")
    args = parser.parse_args()
    args.data_dir = args.data_dir.resolve()
    args.engine_url = {"opensearch": args.opensearch_url, "elasticsearch": args.elasticsearch_url}.get(args.backend, "")
    if args.backend in ENGINE_NAMES and not args.engine_url:
        parser.error(f"--backend {args.backend} needs --{args.backend}-url (or {args.backend.upper()}_URL)")

    started = time.perf_counter()
    titles = read_law_numbers(args.data_dir / "laws")
    queries = load_queries(args.queries, titles)
    engine_name = ENGINE_NAMES.get(args.backend, "")
    engine = engine_version(args.engine_url, engine_name) if engine_name else ""

    os.chdir(REPO)
    tmp = Path(tempfile.mkdtemp(prefix="ecab-relbench-"))
    index_prefix = f"relbench-{os.getpid()}-"
    server = None
    try:
        database_url = ""
        if args.backend == "postgres":
            from benchmarks.search_speed import Postgres

            server = Postgres(args.pg_port)
            database_url = server.start()
        configure_environment(args, tmp, index_prefix, database_url)
        print(f"Building the throwaway site in {tmp} (migrate, load_demo, update_index) ...", flush=True)
        timings = build_site()

        from django.conf import settings
        from django.db import connection

        from cms.accounts.models import User
        from cms.pages.models import RegulationPage

        user = User.objects.get(username=SEARCH_USER)
        laws = RegulationPage.objects.live().count()
        in_index = indexed_laws()
        if in_index != laws:
            print(f"WARNING: the search index holds {in_index} of the {laws} live RegulationPages", file=sys.stderr)
        backend_path = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]
        run_ours(user, "освіта")  # warm-up: loads the analyser, so the first query's time is not skewed
        run_plain("освіта")

        ours, plain = [], []
        for judged in queries:
            ours.append(run_ours(user, judged.query))
            plain.append(run_plain(judged.query))
        table = summarise(queries, ours, plain)

        print("=" * WIDTH)
        print("Search relevance — Е-кабінет освітнього управління")
        print(
            f"backend: {args.backend} ({backend_path}"
            + (f", {engine_name} {engine} at {args.engine_url}" if engine else f", {connection.vendor}")
            + f"); {laws} live RegulationPages, {in_index} in the index; {len(queries)} judged queries"
        )
        print(
            f"Python {platform.python_version()}, Django {package_version('django')},"
            f" Wagtail {package_version('wagtail')}, pymorphy3 {package_version('pymorphy3')}; site built in"
            f" {sum(timings.values()):.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in timings.items())})"
        )
        print(f"ours  = search.services.run_search({SEARCH_USER}, query, per_page={K}, log=False)")
        print(f"plain = RegulationPage.objects.live().search(query)[:{K}] (raw query; raw fields on an engine)")
        print("=" * WIDTH)
        print_per_query(queries, ours, plain)
        print_summary(table)
        met = print_targets(table)
        ours_ms = [r.seconds * 1000 for r in ours]
        plain_ms = [r.seconds * 1000 for r in plain]
        print(
            f"\nLatency per query, median (max): ours {statistics.median(ours_ms):.0f} ms ({max(ours_ms):.0f}),"
            f" plain {statistics.median(plain_ms):.0f} ms ({max(plain_ms):.0f})"
        )
        fallbacks = sum(r.fallback for r in ours)
        errors = [
            (q.query, who, r.error)
            for q, o, p in zip(queries, ours, plain, strict=True)
            for who, r in (("ours", o), ("plain", p))
            if r.error
        ]
        if fallbacks:
            print(f"WARNING: {fallbacks} of ours' answers came from the database fallback, not {args.backend}")
        for query, who, error in errors:
            print(f"ERROR ({who}) «{query}»: {error}")
        print_misses(queries, ours, plain, titles)
        print("=" * WIDTH)
        print(f"(total run time {time.perf_counter() - started:.0f} s)")

        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "backend": args.backend,
                        "engine": engine,
                        "laws": laws,
                        "indexed": in_index,
                        "timings": timings,
                        "summary": table,
                        "targets_met": met,
                        "queries": [
                            {**asdict(q), "ours": asdict(o), "plain": asdict(p)}
                            for q, o, p in zip(queries, ours, plain, strict=True)
                        ],
                    },
                    ensure_ascii=False,
                    indent=1,
                ),
                encoding="utf-8",
            )
        return 0 if not errors else 1
    finally:
        if server is not None:
            from django.db import connections

            connections.close_all()
            server.stop(keep=args.keep)
        if args.keep:
            print(f"kept: {tmp}" + (f" and the {engine_name} indexes {index_prefix}*" if engine else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if engine:
                try:
                    delete_engine_indexes(args.engine_url, index_prefix)
                except (OSError, ValueError) as error:
                    print(f"could not delete the {engine_name} indexes {index_prefix}*: {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
