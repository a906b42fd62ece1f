from django.db import migrations

from discovery.catalog import catalog_read


def load_catalog(apps, schema_editor):
    """Loads the catalog bundled with the project; `import_applications`
    updates it later from a CSV of the same format."""
    Application = apps.get_model("discovery", "Application")
    Application.objects.bulk_create(
        [
            Application(
                name=entry.name,
                vendor=entry.vendor,
                category=entry.category,
                domains=entry.domains,
            )
            for entry in catalog_read()
        ],
        ignore_conflicts=True,
    )


def unload_catalog(apps, schema_editor):
    apps.get_model("discovery", "Application").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("discovery", "0001_initial")]

    operations = [migrations.RunPython(load_catalog, unload_catalog)]
