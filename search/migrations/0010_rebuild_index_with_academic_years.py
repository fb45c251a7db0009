"""From this release on, an academic year written with a hyphen or a dash («2023-2024», «2023–2024»), and its ordinal
however written («2023-2024-го», «2023/2024-го»), is indexed as the one written with a slash («2023/2024»:
``search.analysis.academic_year``), so either finds both. An index
written before holds the year as it was written: a site that has one writes every entry again in the background
(``search.indexing.queue_rebuild``, ``search.tasks.rebuild_index``).

``INDEX_TEXT_FINGERPRINT``: what the analysis writes into an act's lemma fields for a sample of the laws
(``tests/search/test_index_rebuilds.py``)."""

from django.db import migrations

from search.indexing import queue_rebuild

INDEX_TEXT_FINGERPRINT = "a8aa41ed102e3fade2eb9600edd1d1498bc0ef06e11df2e6751c627830b77087"


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0009_rebuild_index_with_document_lemmas_first"),
    ]

    operations = [migrations.RunPython(queue_rebuild, migrations.RunPython.noop, elidable=False)]
