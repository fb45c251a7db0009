"""A district's boundary moves out of the district row into its own table (``DistrictBoundary``)."""

import django.db.models.deletion
from django.db import migrations, models


def move_boundaries(apps, schema_editor):
    District = apps.get_model("org", "District")
    DistrictBoundary = apps.get_model("org", "DistrictBoundary")
    rows = District.objects.filter(old_boundary__isnull=False).values_list("pk", "old_boundary")
    DistrictBoundary.objects.bulk_create(DistrictBoundary(district_id=pk, geometry=geometry) for pk, geometry in rows)


def move_back(apps, schema_editor):
    District = apps.get_model("org", "District")
    DistrictBoundary = apps.get_model("org", "DistrictBoundary")
    for district_id, geometry in DistrictBoundary.objects.values_list("district_id", "geometry"):
        District.objects.filter(pk=district_id).update(old_boundary=geometry)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
    ]

    operations = [
        # Renamed first, so that the new relation's name ("boundary") is free while the rows are copied.
        migrations.RenameField(model_name="district", old_name="boundary", new_name="old_boundary"),
        migrations.CreateModel(
            name="DistrictBoundary",
            fields=[
                (
                    "district",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="boundary",
                        serialize=False,
                        to="org.district",
                        verbose_name="district",
                    ),
                ),
                ("geometry", models.JSONField(verbose_name="boundary (GeoJSON)")),
            ],
            options={
                "verbose_name": "district boundary",
                "verbose_name_plural": "district boundaries",
            },
        ),
        migrations.RunPython(move_boundaries, move_back),
        migrations.RemoveField(model_name="district", name="old_boundary"),
    ]
