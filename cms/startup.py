"""The last step of a server process's start-up (``cms.wsgi``, ``cms.asgi``): load what its first request would
otherwise load, then freeze what start-up left out of the garbage collector's passes.

- The URLconf (Wagtail's admin and the project's apps: ~0.5 s), imported by Django on the first request, which
  waited for it; an error in it now stops the worker as it starts.
- With ``search``, the Ukrainian analyser (``search.analysis.get_analyzer``: pymorphy3's dictionaries, ~35 ms)
  and the abbreviations' table it reads (``search.abbreviations.known``, ~20 ms).
- ``gc.freeze()``: Django, Wagtail and the URLconf leave ~200,000 objects that live as long as the process, and
  every full pass of the collector walked them all. Measured in one process that ran the search benchmark's 600
  queries (``benchmarks/search_profile.py``'s corpus): a full pass took 83-102 ms; one fell inside a search and
  made it take 103 ms instead of ~10. Frozen, the passes walk only what was made since: after the same 600
  searches 2,916 objects, 2-3.6 ms a pass (the search's word caches keep tuples of strings, which the collector
  stops walking: ``search.analysis._FiledWords``; with their sets, 32,332 objects and 5.6-11 ms). On a fork
  (gunicorn ``--preload``) the frozen objects' pages also stay shared with the parent: the collector no longer
  writes to them. One full pass runs first, so that what start-up left unreachable (cycles of the imports, of an
  indexing run in a benchmark) is freed rather than frozen for the life of the process.
"""

import gc


def finish_startup(*, search: bool) -> None:
    """Load the URLconf (and with ``search`` the search analyser and abbreviations), collect, then freeze the
    objects left."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf
    if search:
        from search.abbreviations import known
        from search.analysis import get_analyzer

        get_analyzer()
        known()  # the abbreviations' table analysed (~20 ms)
    gc.collect()
    gc.freeze()
