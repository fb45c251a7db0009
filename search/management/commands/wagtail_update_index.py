from .update_index import Command  # noqa: F401 - Wagtail's alias of update_index
