"""From this release on, an abbreviation a text inflects with a lower-case ending («з МОНом», «до МОНу», «в ІРЦі») is
indexed as that abbreviation first, its word's own lemmas beside (``search.analysis._inflected_abbreviations``), so
«МОН» finds it. An index written before holds only the word the dictionary reads it as («моном»): a site that has
one writes every entry again in the background (``search.indexing.queue_rebuild``, ``search.tasks.rebuild_index``).

``INDEX_TEXT_FINGERPRINT`` is the one before: the laws inflect no abbreviation so."""

from django.db import migrations

from search.indexing import queue_rebuild

INDEX_TEXT_FINGERPRINT = "a8aa41ed102e3fade2eb9600edd1d1498bc0ef06e11df2e6751c627830b77087"


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0010_rebuild_index_with_academic_years"),
    ]

    operations = [migrations.RunPython(queue_rebuild, migrations.RunPython.noop, elidable=False)]
