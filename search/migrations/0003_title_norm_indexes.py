"""On SQLite, two indexes that let Wagtail set the title norms of new search index entries without reading the
whole index table.

After each object it indexes (each page or document saved), Wagtail's SQLite index averages the title length
of every entry (``AVG(LENGTH(title))``) and sets the norm of the entries whose norm is still the default 1.0:
two scans of a table whose rows hold the whole text of every object (0.12 s of CPU per saved page with 20,000
acts indexed). An index on ``LENGTH(title)`` answers the average from the index alone, one on ``title_norm``
finds the new entries. On other databases nothing is done (PostgreSQL keeps its own plan). Django does not know
these indexes (Wagtail's model is not ours): a migration that rebuilt the table would drop them, which would
cost speed only.
"""

from django.db import migrations

INDEXES = {
    "search_indexentry_title_length": "LENGTH(title)",
    "search_indexentry_title_norm": "title_norm",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({expression})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fts_follows_text_columns")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
