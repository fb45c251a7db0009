"""SQLite compares LIKE case-insensitively for ASCII letters only, so "мон" would not find "МОН".

On SQLite connections the LIKE operator is replaced by a Unicode-aware one (SQLite allows an application
to override ``like()``), so Django's ``icontains`` behaves on the embedded default as on PostgreSQL.
"""

import re
from functools import lru_cache

from django.db.backends.signals import connection_created


@lru_cache(maxsize=512)
def _compile(pattern: str, escape: str | None) -> re.Pattern:
    parts = []
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern, value, escape=None) -> bool | None:
    if pattern is None or value is None:
        return None
    return _compile(str(pattern).casefold(), escape).fullmatch(str(value).casefold()) is not None


def install(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)


def connect() -> None:
    connection_created.connect(install, dispatch_uid="ecab-unicode-like")
