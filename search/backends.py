"""Wagtail's OpenSearch 3 backend, safe on a fresh node: an index exists, with its mapping, before the first
document is written to it.

Saving a page or a document writes it to the engine at once (Wagtail's signal handlers call ``add``). On a node
where ``update_index`` has not run yet, stock Wagtail lets that write create the index, and OpenSearch then
guesses every field's type from the first document it sees (dynamic mapping): it once took a law number such as
«1060-12» for a date and rejected «32/95-ВР» afterwards. Here ``add`` and ``add_bulk`` first make sure the index
exists and, when they had to create it, put the mapping of every model that shares it. The check costs one HEAD
request per write (Wagtail makes a backend object for each save); ``update_index`` writes into the index it has
just created, so it does not pass here.
"""

from modelsearch.index import get_indexed_models
from opensearchpy.exceptions import RequestError
from wagtail.search.backends.opensearch3 import OpenSearch3SearchBackend


class PortalOpenSearchBackend(OpenSearch3SearchBackend):
    def __init__(self, params):
        super().__init__(params)
        self._ready_indexes: set[str] = set()

    def ensure_index(self, model) -> None:
        """Create the model's index with the mappings of all its models, unless it (or an alias) exists."""
        index = self.get_index_for_model(model)
        if index.name in self._ready_indexes:
            return
        if not index.exists():
            try:
                index.put()
            except RequestError as error:  # created meanwhile by another process
                if "resource_already_exists_exception" not in str(error):
                    raise
            for indexed in get_indexed_models():
                if self.get_index_for_model(indexed).name == index.name:
                    index.add_model(indexed)
        self._ready_indexes.add(index.name)

    def add(self, obj):
        self.ensure_index(type(obj))
        super().add(obj)

    def add_bulk(self, model, obj_list):
        self.ensure_index(model)
        super().add_bulk(model, obj_list)


SearchBackend = PortalOpenSearchBackend
