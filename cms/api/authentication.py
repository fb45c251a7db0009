"""Token authentication that reads the account's school with its token.

Every API request computes the user's scope (``cms.org.scope.scope_of``), and a school account's scope
needs its school's district: reading them with the token (one joined query) spares each request a second
query. The district row comes too: the attendance API answers with the school and its district
(``cms.org.scope.own_school``), without reading them again. Otherwise DRF's ``TokenAuthentication``:
``Authorization: Token <key>``, 401 with a ``WWW-Authenticate`` header when it is missing or wrong.

The read is ``Token.objects.select_related("user__school__district").get(key=key)`` written out once per
database connection (``TokenRead``): the same statement, the same instances with the same related objects
cached, the values converted as the ORM converts them, without compiling the query for every request
(that was most of the read's cost: ~0.45 of ~0.5 ms of CPU).
"""

import weakref

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenRead:
    """The token with its user, the user's school and the school's district, as ``select_related`` reads
    them, on one database connection."""

    def __init__(self, connection):
        from rest_framework.authtoken.models import Token

        from cms.org.models import District, School

        user_model = get_user_model()
        # Each model, and the foreign key of the one before it that leads to it.
        chain = [
            (Token, None),
            (user_model, Token._meta.get_field("user")),
            (School, user_model._meta.get_field("school")),
            (District, School._meta.get_field("district")),
        ]
        quote = connection.ops.quote_name
        columns, joins, self.layout, start = [], [], [], 0
        for index, (model, via) in enumerate(chain):
            alias = f"t{index}"
            fields = model._meta.concrete_fields
            columns += [f"{alias}.{quote(field.column)}" for field in fields]
            if via is not None:
                kind = "LEFT OUTER JOIN" if via.null else "INNER JOIN"
                joins.append(
                    f"{kind} {quote(model._meta.db_table)} {alias} "
                    f"ON {alias}.{quote(via.target_field.column)} = t{index - 1}.{quote(via.column)}"
                )
            converters = []
            for position, field in enumerate(fields):
                column = field.get_col(alias)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if found:
                    converters.append((position, found, column))
            pk_position = fields.index(model._meta.pk)
            names = [field.attname for field in fields]
            self.layout.append((model, via, names, start, start + len(fields), pk_position, converters))
            start += len(fields)
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {quote(Token._meta.db_table)} t0 {' '.join(joins)} "
            f"WHERE t0.{quote(Token._meta.pk.column)} = %s"
        )

    def get(self, connection, key: str):
        """The token of ``key``, or None."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        previous = token = None
        for model, via, names, start, end, pk_position, converters in self.layout:
            values = list(row[start:end])
            for position, found, column in converters:
                for converter in found:
                    values[position] = converter(values[position], column, connection)
            instance = None if values[pk_position] is None else model.from_db(connection.alias, names, values)
            if via is None:
                token = instance
            elif previous is not None:
                via.set_cached_value(previous, instance)
                if via.one_to_one and instance is not None:
                    via.remote_field.set_cached_value(instance, previous)
            previous = instance
        return token


_reads: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def read_token(key: str):
    """``Token.objects.select_related("user__school__district").get(key=key)``, or None for no such token."""
    from rest_framework.authtoken.models import Token

    connection = connections[router.db_for_read(Token)]
    read = _reads.get(connection)
    if read is None:
        read = _reads[connection] = TokenRead(connection)
    return read.get(connection, key)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = read_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
