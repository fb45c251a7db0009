"""On SQLite, an index of the search index entries' keys (``id``, content type, object id, title norm): what the
engine statements read of each match (``search.engine``), without the entry's row.

An entry's row holds the lemmas of the object's whole text (``body``): a row a page or more, read from the disk
cache for each match's content type and object id. The engine statements join each match of the FTS5 table to
its entry by ``id`` (the row id), which SQLite always looks up in the table: they name this index (``INDEXED BY``),
whose entries of ~20 bytes hold all they read, so a word's 1,001 counted matches read a few index pages instead
of 1,001 rows. On other databases nothing is done. Django does not know this index (Wagtail's model is not ours):
a migration that rebuilt the table would drop it, and the engine statements then read the rows again
(``search.engine.ENTRY_KEYS_INDEX``)."""

from django.db import migrations

#: Its name, as the engine statements give it (``search.engine.ENTRY_KEYS_INDEX``).
NAME = "search_indexentry_keys"
COLUMNS = "id, content_type_id, object_id, title_norm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} ({COLUMNS})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("search", "0007_rebuild_index_with_field_breaks")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
