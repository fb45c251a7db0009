"""From this release on, the indexes put a word no query asks for between two fields' texts where they join
fields into one text (``search.analysis.FIELD_BREAK``), so a quoted phrase stays within one field; the lemmas
also follow the analysis of 30 Nov 2026 (equally likely lemmas, the dictionary's mangled forms, numerals). An
index written before holds other text: a site that has one writes every entry again in the background
(``search.indexing.queue_rebuild``, ``search.tasks.rebuild_index``).

``INDEX_TEXT_FINGERPRINT`` is what the analysis writes into an act's lemma fields for a sample of the laws
(``tests/search/test_index_rebuilds.py``): a change to it fails that test until a migration like this one, with
the new fingerprint, comes with the change."""

from django.db import migrations

from search.indexing import queue_rebuild

INDEX_TEXT_FINGERPRINT = "de660f2df0222fb270c98550a3435047d8537ed39000294c1403c1b97d3ca5b1"


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_lz4_compression"),
        ("wagtailsearch", "0010_add_text_fields"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(queue_rebuild, migrations.RunPython.noop, elidable=False)]
