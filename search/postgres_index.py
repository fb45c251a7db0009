"""The PostgreSQL index of Wagtail's database search backend, whose rebuilds set title norms once, at their
finish (see ``search.database``). Imported only on PostgreSQL."""

from modelsearch.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchAtomicRebuilder,
    PostgresSearchBackend,
    PostgresSearchRebuilder,
)

from .database import TitleNormsAtFinish, TitleNormsAtFinishIndex


class PortalPostgresIndex(TitleNormsAtFinishIndex, PostgresIndex):
    pass


class PortalPostgresSearchRebuilder(TitleNormsAtFinish, PostgresSearchRebuilder):
    pass


class PortalPostgresSearchAtomicRebuilder(TitleNormsAtFinish, PostgresSearchAtomicRebuilder):
    pass


class PortalPostgresSearchBackend(PostgresSearchBackend):
    index_class = PortalPostgresIndex
    rebuilder_class = PortalPostgresSearchRebuilder
    atomic_rebuilder_class = PortalPostgresSearchAtomicRebuilder
