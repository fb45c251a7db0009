"""Wagtail's OpenSearch 3 and Elasticsearch 8 backends, safe on a fresh node: an index exists, with its mapping,
before the first document is written to it.

Saving a page or a document writes it to the engine at once (Wagtail's signal handlers call ``add``). On a node
where ``update_index`` has not run yet, stock Wagtail lets that write create the index, and the engine then
guesses every field's type from the first document it sees (dynamic mapping): OpenSearch once took a law number
such as «1060-12» for a date and rejected «32/95-ВР» afterwards. Here ``add`` and ``add_bulk`` first make sure
the index exists and, when they had to create it, put the mapping of every model that shares it. The check costs
one HEAD request per write (Wagtail makes a backend object for each save); ``update_index`` writes into the index
it has just created, so it does not pass here.

``search.backends`` is the OpenSearch backend (``SearchBackend``); ``search.backends.PortalElasticsearchBackend``
the Elasticsearch one (``cms.settings.base``: ``OPENSEARCH_URL`` or ``ELASTICSEARCH_URL``).
"""

from elasticsearch import BadRequestError
from modelsearch.index import get_indexed_models
from opensearchpy.exceptions import RequestError
from wagtail.search.backends.elasticsearch8 import Elasticsearch8Index, Elasticsearch8SearchBackend
from wagtail.search.backends.opensearch3 import OpenSearch3SearchBackend


class IndexBeforeWrites:
    """``add`` and ``add_bulk`` create the model's index with its mapping when it does not exist yet."""

    #: The client's error for a request the engine refused (an index created meanwhile is one).
    refused_request: type[Exception]

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
            except self.refused_request as error:  # created meanwhile by another process
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


class PortalOpenSearchBackend(IndexBeforeWrites, OpenSearch3SearchBackend):
    refused_request = RequestError


class PortalElasticsearchIndex(Elasticsearch8Index):
    def exists(self) -> bool:
        """Whether the index (or an alias of that name) exists. modelsearch 1.3's Elasticsearch index passes the
        name positionally, which the 8.x client refuses (it takes keyword arguments only)."""
        return bool(self.es.indices.exists(index=self.name))


class PortalElasticsearchBackend(IndexBeforeWrites, Elasticsearch8SearchBackend):
    index_class = PortalElasticsearchIndex
    refused_request = BadRequestError


SearchBackend = PortalOpenSearchBackend
