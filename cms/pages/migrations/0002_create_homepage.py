from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("pages.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    # Wagtail's first migration leaves a placeholder "Welcome" page at depth 2; the portal's root replaces it.
    Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore").delete()
    homepage_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="pages")
    locale = Locale.objects.first()
    root = Page.objects.get(depth=1)
    homepage = HomePage.objects.create(
        title="Е-кабінет освітнього управління",
        draft_title="Е-кабінет освітнього управління",
        slug="home",
        content_type=homepage_type,
        path=root.path + "0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page_id=homepage.id, is_default_site=True)


def remove_homepage(apps, schema_editor):
    apps.get_model("pages.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
