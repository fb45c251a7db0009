"""On PostgreSQL, an aggregate that joins tsvectors as ``||`` does (the positions of each one after those of the
ones before it): ``search.postgres_index`` builds an entry's vector from the texts of its search fields with it,
one statement for a row whatever the number of texts. On other databases nothing is done."""

from django.db import migrations

AGGREGATE = "search_tsvector_concat(tsvector)"


def create_aggregate(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP AGGREGATE IF EXISTS {AGGREGATE}")
    schema_editor.execute(f"CREATE AGGREGATE {AGGREGATE} (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')")


def drop_aggregate(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP AGGREGATE IF EXISTS {AGGREGATE}")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_title_norm_indexes")]

    operations = [migrations.RunPython(create_aggregate, drop_aggregate, elidable=False)]
