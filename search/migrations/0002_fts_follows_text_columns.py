"""On SQLite, the FTS5 table of the search index follows updates of the entries' text columns only.

Wagtail's migration (wagtailsearch 0006) copies an entry to its FTS5 row after *any* update of the entry, so
setting an entry's title norm (which Wagtail does for each chunk of new entries and for every entry at the end
of ``update_index``) made FTS5 delete and re-index the whole text of the entry. The trigger is the same,
limited to ``title``, ``body`` and ``autocomplete`` (the FTS5 columns). Nothing to do on other databases, nor
on a SQLite without FTS5 (no trigger: Wagtail's fallback backend).
"""

from django.db import migrations

TRIGGER = "update_wagtailsearch_indexentry_fts"
CREATE = (
    "CREATE TRIGGER {trigger} AFTER UPDATE {columns}ON {table} BEGIN UPDATE {table}_fts "
    "SET title=NEW.title, body=NEW.body, autocomplete=NEW.autocomplete WHERE rowid=NEW.id; END"
)


def _replace_trigger(apps, schema_editor, columns: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER])
        if cursor.fetchone() is None:
            return
    schema_editor.execute(f"DROP TRIGGER {TRIGGER}")
    schema_editor.execute(CREATE.format(trigger=TRIGGER, columns=columns, table=table))


def follow_text_columns(apps, schema_editor):
    _replace_trigger(apps, schema_editor, "OF title, body, autocomplete ")


def follow_any_column(apps, schema_editor):
    _replace_trigger(apps, schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("wagtailsearch", "0006_customise_indexentry"),
    ]

    operations = [migrations.RunPython(follow_text_columns, follow_any_column, elidable=False)]
