from django.db import migrations

from contracts.hosts import is_public_suffix


def drop_public_suffixes(apps, schema_editor):
    """Removes from the catalog the domains that are public suffixes
    (herokuapp.com, myshopify.com, notion.site …): anyone can register sites
    under them, so an application on one counted visits to all of them, and
    monitored-hosts asked every extension to report them. The bundled CSV no
    longer lists them, and import_applications refuses them."""
    Application = apps.get_model("discovery", "Application")
    for application in Application.objects.all():
        domains = application.domains if isinstance(application.domains, list) else []
        kept = [domain for domain in domains if not is_public_suffix(str(domain))]
        if kept != domains:
            application.domains = kept
            application.save(update_fields=["domains"])


class Migration(migrations.Migration):
    dependencies = [("discovery", "0002_load_catalog")]

    operations = [migrations.RunPython(drop_public_suffixes, migrations.RunPython.noop)]
