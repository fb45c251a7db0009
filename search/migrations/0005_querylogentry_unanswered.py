from django.db import migrations, models


def count_known_unanswered(apps, schema_editor):
    """Before, a day's entry kept the last search's result count only: where it was 0, at least that search
    found nothing."""
    QueryLogEntry = apps.get_model("search", "QueryLogEntry")
    QueryLogEntry.objects.filter(results=0, searches__gt=0).update(unanswered=1)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_tsvector_concat_aggregate")]

    operations = [
        migrations.AddField(
            model_name="querylogentry",
            name="unanswered",
            field=models.PositiveIntegerField(default=0, verbose_name="searches that found nothing"),
        ),
        migrations.RunPython(count_known_unanswered, migrations.RunPython.noop),
    ]
