"""Writing the search index (``update_index``'s path: objects read in chunks, then ``add_items``): the number of
SQL statements does not grow with the number of objects, on every configured backend; the text written is the
stock indexer's; changed text is searchable at once and the old text is gone."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Avg
from django.db.models.functions import Length
from django.test.utils import CaptureQueriesContext
from modelsearch.management.commands.rebuild_modelsearch_index import Command as WagtailCommand
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from cms.library.models import LibraryDocument
from cms.pages.models import RegulationPage
from search.analysis import FIELD_BREAK
from search.database import entry_part
from search.indexing import reindex
from search.management.commands.update_index import Command
from search.services import run_search
from tests.conftest import make_document

from .conftest import BACKENDS

# The database backends (the default, or the fallback beside OpenSearch): the ones with title norms.
DATABASE_BACKENDS = [name for name, conf in settings.WAGTAILSEARCH_BACKENDS.items() if ".database" in conf["BACKEND"]]
TEXT = "Наказ про зарахування учнів до закладів загальної середньої освіти на підставі заяви батьків."


@pytest.fixture
def batch(world):
    """50 acts and 50 tagged documents beside the world's content."""
    parent = world.content.city_regulation.get_parent().specific
    for i in range(50):
        page = RegulationPage(
            title=f"Наказ про зарахування № {i}", slug=f"nakaz-{i}", number=str(1000 + i), text=TEXT, live=True
        )
        parent.add_child(instance=page)
    collection = world.content.city_document.collection
    for i in range(50):
        document = make_document(collection, f"Лист про атестацію № {i}", number=f"1/9-{i}")
        document.tags.add("атестація", f"тег {i % 3}")
        LibraryDocument.objects.filter(pk=document.pk).update(extracted_text=TEXT)


def _statements(backend, model, count: int, *, change: bool = False) -> int:
    """Statements of reading ``count`` objects as update_index does and writing them into the index."""
    index = backend.get_index_for_model(model)
    with CaptureQueriesContext(connection) as queries:
        objects = list(model.get_indexed_objects().order_by("pk")[:count])
        if change:
            for obj in objects:
                obj.title += " (зі змінами)"
        index.add_items(model, objects)
    assert len(objects) == count
    return len(queries.captured_queries)


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("model", [RegulationPage, LibraryDocument])
def test_indexing_a_batch_takes_as_transaction_statements_for_50_objects_as_for_5(name, model, batch):
    backend = get_search_backend(name)
    counts = {}
    for count in (5, 50):
        backend.reset_indexes()
        backend.get_index_for_model(model).add_model(model)
        counts["new", count] = _statements(backend, model, count)  # no entries yet
        counts["same", count] = _statements(backend, model, count)  # entries with the same text
        counts["changed", count] = _statements(backend, model, count, change=True)
    for kind in ("new", "same", "changed"):
        assert counts[kind, 5] == counts[kind, 50], counts
        assert counts[kind, 50] <= 8, counts


def _test_the_entry_text_is_the_stock_indexers(model, batch):
    from modelsearch.backends.database.sqlite.sqlite import ObjectIndexer

    from search.sqlite_index import SinglePassObjectIndexer

    backend = get_search_backend(DATABASE_BACKEND)
    for obj in model.get_indexed_objects().order_by("pk"):
        ours, stock = SinglePassObjectIndexer(obj, backend), ObjectIndexer(obj, backend)
        assert ours.autocomplete.split() == stock.autocomplete.split()  # no break: no autocomplete is a phrase
        for part in ("title", "body"):
            # The same words, with a break between two fields' values where the stock indexer has a space.
            assert _words(getattr(ours, part)) == _words(getattr(stock, part))
            values = [value for field, value in ours.prepared if entry_part(field) == part and value]
            breaks = getattr(stock, part).count(FIELD_BREAK) + len(values) - 1
            assert getattr(ours, part).count(FIELD_BREAK) == max(breaks, 0)
    document = LibraryDocument.objects.get(title="Лист про атестацію № 4")
    assert "тег 1" in SinglePassObjectIndexer(document, backend).body  # a related field (the tags)


def _words(text: str) -> list[str]:
    return [word for word in text.split() if word != FIELD_BREAK]


def _test_saving_an_object_reads_no_whole_table_of_the_index(world):
    """Saving a page re-indexes it and sets the title norm of its entry: through the indexes of search.0003, not
    by scanning the index table (which holds the text of every object) twice per save."""
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params[0] if many else params))
        return execute(sql, params, many, context)

    page = RegulationPage.objects.get(pk=world.content.city_regulation.pk)
    page.text = "Положення про харчування."
    with connection.execute_wrapper(keep):
        get_search_backend(DATABASE_BACKEND).add(page)
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if not sql.startswith(("SAVEPOINT", "RELEASE")):
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plans.extend(row[3] for row in cursor.fetchall())
    assert any("wagtailsearch_indexentry" in plan for plan in plans)
    assert not [plan for plan in plans if plan.startswith("SCAN wagtailsearch_indexentry")], plans


# The database backend's name: "default", or "fallback" where OpenSearch is the default.
DATABASE_BACKEND = next(
    name for name, conf in settings.WAGTAILSEARCH_BACKENDS.items() if conf == settings.DATABASE_SEARCH
)


def _test_the_entries_are_the_stock_indexers_on_postgres(model, batch):
    """Every column of every entry ``search.postgres_index`` writes is what Wagtail's own index writes, for
    objects whose vectors join different numbers of texts (empty fields, tags), new and rewritten: in each
    vector, the same lexemes, each as many times and with the same weights (the positions of each field's
    words are one further on after each field, ``FIELD_BREAK``, whose lexeme the vector does not hold)."""
    from modelsearch.backends.database.postgres.postgres import PostgresIndex

    from search.postgres_index import PortalPostgresIndex

    backend = get_search_backend(DATABASE_BACKEND)
    objects = list(model.get_indexed_objects().order_by("pk"))

    def written(index_class, objects) -> list[tuple]:
        index_class(backend).add_items(model, objects)
        with connection.cursor() as cursor:
            lexemes = (
                "(SELECT array_agg(lexeme || ':' || cardinality(positions) || ':' || array_to_string(weights, '') "
                "ORDER BY lexeme) FROM unnest(ts_delete({}, %(break)s)))"
            )
            columns = ", ".join(lexemes.format(column) for column in ("title", "autocomplete", "body"))
            cursor.execute(
                f"SELECT content_type_id, object_id, {columns}, title_norm, title_text, body_text, "  # noqa: S608
                "body::text LIKE %(like)s FROM wagtailsearch_indexentry ORDER BY content_type_id, object_id",
                {"break": FIELD_BREAK, "like": f"%'{FIELD_BREAK}'%"},
            )
            return cursor.fetchall()

    IndexEntry.objects.all().delete()
    stock = written(PostgresIndex, objects)
    IndexEntry.objects.all().delete()
    ours = written(PortalPostgresIndex, objects)
    assert [row[:-1] for row in ours] == [row[:-1] for row in stock] and len(ours) == len(objects) > 50
    assert not any(row[-1] for row in ours) and any(row[-1] for row in stock)  # the stock's body_lemmas' breaks
    assert len({tuple(len(vector or ()) for vector in row[2:5]) for row in ours}) > 1  # not all of one shape
    for obj in objects[::7]:
        obj.title += " (зі змінами)"
    rewritten = [row[:-1] for row in written(PortalPostgresIndex, objects)]
    assert rewritten == [row[:-1] for row in written(PostgresIndex, objects)] != [row[:-1] for row in ours]
    backend.config = None  # no SEARCH_CONFIG: the database's default configuration
    default = [row[:-1] for row in written(PortalPostgresIndex, objects)]
    assert default == [row[:-1] for row in written(PostgresIndex, objects)]
    backend.config = "greek"  # a configuration that makes another lexeme of the break («ωω»): removed too
    written(PortalPostgresIndex, objects)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM wagtailsearch_indexentry WHERE body @@ plainto_tsquery('greek', %s) "
            "OR title @@ plainto_tsquery('greek', %s)",
            [FIELD_BREAK, FIELD_BREAK],
        )
        assert cursor.fetchone()[0] == 0


# The database indexes' own indexers and indexes: the SQLite ones collected where the database is SQLite
# (Wagtail's SQLite module can only be imported there), the PostgreSQL one where it is PostgreSQL (not a skip).
if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
    test_the_entry_text_is_the_stock_indexers = pytest.mark.parametrize("model", [RegulationPage, LibraryDocument])(
        _test_the_entry_text_is_the_stock_indexers
    )
    test_saving_an_object_reads_no_whole_table_of_the_index = _test_saving_an_object_reads_no_whole_table_of_the_index
if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
    test_the_entries_are_the_stock_indexers_on_postgres = pytest.mark.parametrize(
        "model", [RegulationPage, LibraryDocument]
    )(_test_the_entries_are_the_stock_indexers_on_postgres)


@pytest.mark.parametrize("name", BACKENDS)
def test_reindexed_text_replaces_the_old_text(name, world, settings):
    settings.WAGTAILSEARCH_BACKENDS = {"default": dict(settings.WAGTAILSEARCH_BACKENDS)[name]}
    backend = get_search_backend("default")
    backend.reset_indexes()
    index = backend.get_index_for_model(RegulationPage)
    index.add_model(RegulationPage)
    page = RegulationPage.objects.get(pk=world.content.city_regulation.pk)

    def titles(query: str) -> list[str]:
        index.refresh()
        return [hit.title for hit in run_search(world.users["don"], query, log=False).hits]

    page.text = "Програма з квантової хромодинаміки."
    index.add_items(RegulationPage, [page])
    assert titles("квантова хромодинаміка") == [page.title]
    page.text = "Положення про харчування."
    index.add_items(RegulationPage, [page])
    index.add_items(RegulationPage, [page])  # the same text again
    index.add_items(RegulationPage, list(RegulationPage.get_indexed_objects().exclude(pk=page.pk)))
    assert titles("квантова хромодинаміка") == []
    assert titles("харчуванню") == [page.title]


@pytest.mark.parametrize("model", [RegulationPage, LibraryDocument])
def test_update_index_reads_the_chunks_of_wagtail_by_key_not_by_offset(model, batch):
    queryset = model.get_indexed_objects().order_by("pk")
    with CaptureQueriesContext(connection) as queries:
        ours = [[obj.pk for obj in chunk] for chunk in Command().queryset_chunks(queryset, 7)]
    wagtails = [[obj.pk for obj in chunk] for chunk in WagtailCommand().queryset_chunks(queryset, 7)]
    assert ours == wagtails and sum(map(len, ours)) == queryset.count() > 50
    assert not any("OFFSET" in query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize("name", DATABASE_BACKENDS)
def test_update_index_leaves_every_entry_with_its_title_norm(name, batch):
    """The title norms of a rebuild are set at its finish only (database backends): all of them, as Wagtail's."""
    call_command("update_index", backend_name=name, chunk_size=20, stdout=io.StringIO())
    entries = IndexEntry.objects.annotate(length=Length("title")).filter(length__gt=0)
    average = entries.aggregate(average=Avg("length"))["average"]
    assert entries.count() >= 100
    for norm, length in entries.values_list("title_norm", "length"):
        assert norm == pytest.approx(average / length)


@pytest.mark.parametrize("name", BACKENDS)
def test_an_object_whose_entry_cannot_be_built_costs_only_its_own_entry(name, world, batch, settings, monkeypatch):
    """``reindex`` writes a chunk at once; when one object of it cannot be read into an entry, the others are
    written one by one (before, the whole chunk kept its stale entries)."""
    settings.WAGTAILSEARCH_BACKENDS = {"default": dict(settings.WAGTAILSEARCH_BACKENDS)[name]}
    backend = get_search_backend("default")
    backend.reset_indexes()
    index = backend.get_index_for_model(RegulationPage)
    index.add_model(RegulationPage)
    acts = RegulationPage.objects.filter(slug__startswith="nakaz-")
    broken = acts.order_by("pk")[3].pk
    acts.update(text="Програма з квантової хромодинаміки.")  # an UPDATE: no signal writes the index
    lemmas = RegulationPage.body_lemmas

    def body_lemmas(page):
        if page.pk == broken:
            raise ValueError("a text the analysis cannot take")
        return lemmas(page)

    monkeypatch.setattr(RegulationPage, "body_lemmas", body_lemmas)
    reindex(acts, chunk_size=20)
    index.refresh()
    outcome = run_search(world.users["don"], "квантова хромодинаміка", log=False)
    assert outcome.total == acts.count() - 1 == 49


@pytest.mark.parametrize("name", BACKENDS)
def test_a_backend_that_fails_a_chunk_is_not_asked_again_for_each_object(name, batch, settings, monkeypatch):
    """A bulk write the backend itself failed (its database, the engine's connection) is not repeated object by
    object: each would fail again, an engine that is down after its timeout."""
    from django.db import OperationalError

    settings.WAGTAILSEARCH_BACKENDS = {"default": dict(settings.WAGTAILSEARCH_BACKENDS)[name]}
    backend_class = type(get_search_backend("default"))
    calls = []

    def add_bulk(self, model, objects):
        calls.append(len(objects))
        raise OperationalError("database is locked")

    monkeypatch.setattr(backend_class, "add_bulk", add_bulk)
    monkeypatch.setattr(backend_class, "add", lambda self, obj: calls.append(obj))
    reindex(RegulationPage.objects.filter(slug__startswith="nakaz-"), chunk_size=20)
    assert calls == [20, 20, 10]
