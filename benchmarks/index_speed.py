#!/usr/bin/env python
"""Indexing speed: where the time of Wagtail's ``update_index`` goes, per document, by CPU time and SQL
statements (not wall-clock: the machine is shared). Run on demand, on SQLite (or PostgreSQL); not a test.

    .venv/bin/python benchmarks/index_speed.py                       # 3,000 generated acts, ~1 min
    .venv/bin/python benchmarks/index_speed.py --docs 5000 --documents 1000 --profile 40
    .venv/bin/python benchmarks/index_speed.py --docs 20000 --only update_index reindex
    .venv/bin/python benchmarks/index_speed.py --postgres      # a private PostgreSQL 15 cluster, stopped at the end

A fresh SQLite file in a temp dir (or a fresh PostgreSQL cluster there): migrate, the districts and the page
tree (no schools, users or attendance), then ``--docs`` RegulationPages of ``benchmarks/search_speed.py``'s
corpus (the same generator and seed) written straight into the tree, and ``--documents`` library documents
(default none) whose extracted text is more acts of the same corpus. The steps, each on cold word caches
(``search.analysis.cache_clear()``: a fresh ``manage.py update_index`` starts with them empty; the analyser
itself is loaded beforehand):

- ``load``: the acts read as ``RegulationPage.get_indexed_objects()``, in chunks of ``--chunk`` (1,000);
- ``lemmas``: ``title_lemmas()`` and ``body_lemmas()`` of each act;
- ``values``: every search field's value of each act as the backends read it (lemma fields included, their
  text kept on the objects by the previous step);
- ``update_index``: ``manage.py update_index`` over every indexed model into an empty index (what
  ``search_speed.py`` measures: its acts are not indexed before);
- ``add_items``: the acts written again, chunk by chunk, by the backend's ``add_items`` (entries exist);
- ``reindex``: ``update_index`` again, every entry there already with the same text;
- ``save``: 20 acts with a changed text written one at a time by ``backend.add``, as saving a page does (warm
  word caches), with the index full.

For each: CPU seconds of this process (``time.process_time``; SQLite runs in it) and the part of them spent in
SQL statements; with ``--postgres`` also the CPU seconds of the connection's server process (from /proc); wall
seconds; documents per CPU second (both CPUs); statements in all and per document; the statements that took
the most CPU here. ``--profile N`` runs ``update_index`` once more into an empty index under cProfile (clock:
``time.process_time``) and prints the top N functions by own and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.search_speed import (  # noqa: E402
    DEFAULT_LAWS_DIR,
    Postgres,
    generate_act,
    insert_corpus,
    load_source,
    remove_temp_site,
    use_temp_site,
)

STEPS = ("load", "lemmas", "values", "update_index", "add_items", "reindex", "save")
SAVED = 20  # acts re-indexed one at a time by the "save" step
_LITERAL_RE = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def log(message: str) -> None:
    print(f"[index_speed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def statement_shape(sql: str) -> str:
    """A statement with its literals replaced, cut short: statements that differ only by values group."""
    shape = _LITERAL_RE.sub("?", sql)
    shape = re.sub(r"\(\?(?:, \?)+\)", "(?...)", shape)
    return shape[:150]


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (Linux /proc); 0 for None."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Measured:
    """CPU, wall time and SQL statements of a block; CPU spent in each shape of statement.

    Statements are counted as Django's cursor sends them (an ``executemany`` is one), like
    ``CaptureQueriesContext``; CPU inside a statement is this process's: SQLite runs in it. On PostgreSQL the
    CPU of the server process of the connection is measured too (from /proc), and counts in docs per CPU s.
    """

    def __init__(self, name: str, docs: int):
        self.name, self.docs = name, docs
        self.statements = 0
        self.sql_cpu = 0.0
        self.shapes: Counter[str] = Counter()
        self.shape_cpu: Counter[str] = Counter()

    def __enter__(self):
        from django.db import connection

        self.server_pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.server_pid = cursor.fetchone()[0]
        self.wrapper = connection.execute_wrapper(self._timed)
        self.wrapper.__enter__()
        self.server0 = process_cpu(self.server_pid)
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu = time.process_time() - self.cpu0
        self.wall = time.perf_counter() - self.wall0
        self.server_cpu = process_cpu(self.server_pid) - self.server0
        self.wrapper.__exit__(*exc)
        return False

    def _timed(self, execute, sql, params, many, context):
        started = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.process_time() - started
            shape = statement_shape(sql) + (" [executemany]" if many else "")
            self.statements += 1
            self.sql_cpu += spent
            self.shapes[shape] += 1
            self.shape_cpu[shape] += spent

    def row(self) -> dict:
        cpu = self.cpu + self.server_cpu
        return {
            "step": self.name,
            "docs": self.docs,
            "cpu_s": self.cpu,
            "wall_s": self.wall,
            "sql_cpu_s": self.sql_cpu,
            "server_cpu_s": self.server_cpu,
            "docs_per_cpu_s": self.docs / cpu if cpu else float("inf"),
            "cpu_ms_per_doc": 1000 * cpu / self.docs,
            "statements": self.statements,
            "statements_per_doc": self.statements / self.docs,
        }


def chunks_of(queryset, size: int):
    """The queryset in chunks of ``size`` objects, ordered by primary key."""
    queryset = queryset.order_by("pk")
    chunk = list(queryset[:size])
    while chunk:
        yield chunk
        chunk = list(queryset.filter(pk__gt=chunk[-1].pk)[:size])


def backend_reset() -> None:
    """An empty index, as before the first update_index of search_speed.py (whose acts are not indexed)."""
    from wagtail.search.backends import get_search_backend

    get_search_backend("default").reset_indexes()


def measure_steps(args, docs: int) -> list[Measured]:
    from django.core.management import call_command
    from modelsearch.index import get_indexed_models
    from wagtail.search.backends import get_search_backend

    from cms.pages.models import RegulationPage
    from search import analysis

    results: list[Measured] = []
    wanted = set(args.only or STEPS)
    queryset = RegulationPage.get_indexed_objects()
    if wanted & {"load", "lemmas", "values"}:
        analysis.cache_clear()
        with Measured("load", docs) as m:
            objects = [obj for chunk in chunks_of(queryset, args.chunk) for obj in chunk]
        results.append(m)
        fields = RegulationPage.get_search_fields()
        with Measured("lemmas", docs) as m:
            for obj in objects:
                obj.title_lemmas()
                obj.body_lemmas()
        results.append(m)
        with Measured("values", docs) as m:
            for obj in objects:
                for field in fields:
                    if hasattr(field, "get_value"):
                        field.get_value(obj)
        results.append(m)
        del objects
    total = sum(model.get_indexed_objects().count() for model in get_indexed_models())
    if "update_index" in wanted:
        backend_reset()
        analysis.cache_clear()
        with Measured("update_index", total) as m:
            call_command("update_index", backend_name="default", chunk_size=args.chunk, verbosity=0)
        results.append(m)
    if "add_items" in wanted:
        backend = get_search_backend("default")
        index = backend.get_index_for_model(RegulationPage)
        analysis.cache_clear()
        with Measured("add_items", docs) as m:
            for chunk in chunks_of(queryset, args.chunk):
                index.add_items(RegulationPage, chunk)
        results.append(m)
    if "reindex" in wanted:
        analysis.cache_clear()
        with Measured("reindex", total) as m:
            call_command("update_index", backend_name="default", chunk_size=args.chunk, verbosity=0)
        results.append(m)
    if "save" in wanted:
        backend = get_search_backend("default")
        acts = list(queryset.order_by("-pk")[:SAVED])
        for act in acts:
            act.text += " Зміни внесено."
        with Measured("save", len(acts)) as m:
            for act in acts:
                backend.add(act)
        results.append(m)
    return results


def profile_update_index(args) -> str:
    from django.core.management import call_command

    from search import analysis

    backend_reset()
    analysis.cache_clear()
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    call_command("update_index", backend_name="default", chunk_size=args.chunk, verbosity=0)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    for order in ("tottime", "cumulative"):
        out.write(f"\n--- update_index under cProfile (process time), top {args.profile} by {order} ---\n")
        stats.sort_stats(order).print_stats(args.profile)
    return out.getvalue()


def print_report(results: list[Measured], args) -> None:
    documents = f" and {args.documents:,} documents" if args.documents else ""
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\nIndexing {args.docs:,} acts{documents} on {database}, chunks of {args.chunk:,}, cold word caches\n")
    print(
        f"{'step':<13} {'docs':>7} {'CPU s':>8} {'in SQL':>7} {'server':>7} {'wall s':>8} {'docs/CPU s':>11} "
        f"{'CPU ms/doc':>11} {'statements':>11} {'per doc':>8}"
    )
    for m in results:
        r = m.row()
        print(
            f"{r['step']:<13} {r['docs']:>7,} {r['cpu_s']:>8.2f} {r['sql_cpu_s']:>7.2f} "
            f"{r['server_cpu_s']:>7.2f} {r['wall_s']:>8.2f} "
            f"{r['docs_per_cpu_s']:>11,.0f} {r['cpu_ms_per_doc']:>11.2f} {r['statements']:>11,} "
            f"{r['statements_per_doc']:>8.3f}"
        )
    for m in results:
        if m.statements:
            print(f"\nStatements of {m.name} by CPU (top 6):")
            for shape, cpu in m.shape_cpu.most_common(6):
                print(f"  {m.shapes[shape]:>7,} {cpu:>7.2f} s  {shape}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=3000, help="generated acts (default 3000)")
    parser.add_argument("--documents", type=int, default=0, help="generated library documents (default 0)")
    parser.add_argument("--chunk", type=int, default=1000, help="objects per chunk, as update_index (1000)")
    parser.add_argument("--only", nargs="+", choices=STEPS, help="measure only these steps")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile update_index, top N")
    parser.add_argument(
        "--postgres", action="store_true", help="on a private PostgreSQL 15 cluster (search_speed.py's) instead"
    )
    parser.add_argument("--pg-port", type=int, default=5545)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--laws-dir", type=Path, default=DEFAULT_LAWS_DIR)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (the database)")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.chunk < 1 or args.documents < 0:
        parser.error("--docs and --chunk must be positive, --documents not negative")
    return args


def insert_documents(source, seed: int, first: int, count: int) -> None:
    """``count`` library documents in the root collection, their extracted text acts ``first``... of the corpus."""
    from wagtail.models import Collection

    from cms.library.models import ExtractionStatus, LibraryDocument

    root = Collection.get_first_root_node()
    for offset in range(0, count, 500):
        documents = []
        for i in range(first + offset, first + min(offset + 500, count)):
            act = generate_act(source, seed, i)
            documents.append(
                LibraryDocument(
                    title=act.title,
                    file=f"documents/bench-{i}.pdf",
                    collection=root,
                    kind=act.kind,
                    number=act.number,
                    document_date=act.document_date,
                    issuer=act.issuer,
                    status=act.status,
                    extracted_text=act.text,
                    extraction_status=ExtractionStatus.DONE,
                )
            )
        LibraryDocument.objects.bulk_create(documents)


def main() -> None:
    args = parse_args()
    root = Path(tempfile.mkdtemp(prefix="ecab-index-speed."))
    server = None
    try:
        use_temp_site(root)
        if args.postgres:
            server = Postgres(args.pg_port)
            os.environ["DATABASE_URL"] = server.start()
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from cms.org.demo import DISTRICTS_FILE
        from cms.org.importers import import_districts
        from cms.pages.tree import ensure_page_tree
        from search.analysis import get_analyzer

        log(f"migrating a fresh database ({os.environ['DATABASE_URL']})")
        call_command("migrate", verbosity=0)
        import_districts(settings.SHARED_DATA_DIR / DISTRICTS_FILE)
        ensure_page_tree()
        log(f"writing {args.docs:,} generated acts and {args.documents:,} documents")
        source = load_source(args.laws_dir, args.seed)
        insert_corpus(source, args.seed, args.docs)
        insert_documents(source, args.seed, args.docs, args.documents)
        get_analyzer()  # loaded once per process whatever is measured
        results = measure_steps(args, args.docs)
        print_report(results, args)
        if args.profile:
            print(profile_update_index(args))
    finally:
        remove_temp_site(root, keep=args.keep, server=server)


if __name__ == "__main__":
    main()
