"""Activity keeps only browser names of the allow-list (url_visits/browsers.py).

Rows written before the list existed hold whatever the client sent, which
could be a URL with its path and query; they become "Other", and a known
name in another case takes the list's spelling. The names are
copied here so that this migration keeps meaning what it meant when written.
"""

from django.db import migrations

KNOWN = [
    "Chrome",
    "Chromium",
    "Edge",
    "Firefox",
    "Safari",
    "Opera",
    "Brave",
    "Vivaldi",
    "Arc",
    "Samsung Internet",
    "Yandex",
]


def browsers_to_allow_list(apps, schema_editor):
    Activity = apps.get_model("url_visits", "Activity")
    for name in KNOWN:
        Activity.objects.filter(browser__iexact=name).exclude(browser=name).update(
            browser=name
        )
    Activity.objects.exclude(browser__in=KNOWN).update(browser="Other")


class Migration(migrations.Migration):
    dependencies = [("url_visits", "0003_activity_drop_redundant_fk_indexes")]

    operations = [
        migrations.RunPython(browsers_to_allow_list, migrations.RunPython.noop),
    ]
