"""On PostgreSQL, the long values a search reads are compressed with lz4 instead of the default pglz: the search
index's title and body vectors (``ts_rank`` decompresses each one it scores) and the texts snippets are cut from.

Measured with ``benchmarks/search_speed.py``'s corpus of 20,000 acts, the same index rewritten with each method:
the engine statement of a common word took 12.3-14.0 ms (p50) with pglz and 9.5-10.4 ms with lz4, the portal's
search 21-25 ms and 18-20 ms; reading a results page's texts 1.8-2.0 ms and 1.55-1.65 ms. pglz left two thirds
of the vectors uncompressed (it gives up on a value it saves too little on).

A column's compression applies to the values written after it is set: an existing site's index is recompressed by
``manage.py update_index`` (each entry written again), a text when its page is published or its document saved.
Nothing is done on SQLite, on PostgreSQL before 14 or on a server built without lz4 (``default_toast_compression``
does not offer it).
"""

from django.db import migrations

#: (app label, model, field): the columns compressed with lz4.
COLUMNS = (
    ("wagtailsearch", "IndexEntry", "title"),
    ("wagtailsearch", "IndexEntry", "body"),
    ("pages", "RegulationPage", "text"),
    ("pages", "RegulationPage", "summary"),
    ("pages", "AnnouncementPage", "body"),
    ("pages", "ReportPage", "body"),
    ("pages", "StudyPage", "body"),
    ("pages", "ExperienceArticlePage", "body"),
    ("library", "LibraryDocument", "extracted_text"),
)


def offers_lz4(connection) -> bool:
    """Whether ``connection`` is PostgreSQL offering lz4 to compress long values (14 or newer, built with it)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row and row[0])


def _set_compression(apps, schema_editor, method: str) -> None:
    if not offers_lz4(schema_editor.connection):
        return
    quote = schema_editor.quote_name
    for app_label, model_name, field_name in COLUMNS:
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(field_name).column
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ALTER COLUMN {quote(column)} SET COMPRESSION {method}"
        )


def use_lz4(apps, schema_editor):
    _set_compression(apps, schema_editor, "lz4")


def use_default(apps, schema_editor):
    _set_compression(apps, schema_editor, "DEFAULT")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_querylogentry_unanswered"),
        ("wagtailsearch", "0010_add_text_fields"),
        ("pages", "0004_regulationpage_source_file"),
        ("library", "0001_initial"),
    ]

    operations = [migrations.RunPython(use_lz4, use_default, elidable=False)]
