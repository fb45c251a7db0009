"""From this release on, a library document's index entry holds its lemmas first (``LibraryDocument.search_fields``,
as the pages' entries do): PostgreSQL's body vector then keeps the weight of the texts' lemmas apart from the
title's (``search.postgres_index.weights_of``), which the snippets ask it about. An index written before holds the
other order: a site that has one writes every entry again in the background (``search.indexing.queue_rebuild``,
``search.tasks.rebuild_index``)."""

from django.db import migrations

from search.indexing import queue_rebuild


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_index_entry_keys"),
    ]

    operations = [migrations.RunPython(queue_rebuild, migrations.RunPython.noop, elidable=False)]
