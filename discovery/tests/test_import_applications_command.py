"""manage.py import_applications [FILE.csv]."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEvent
from discovery.models import Application
from discovery.selectors import application_table


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_applications", *args, stdout=out)
    return out.getvalue()


def test_it_changes_nothing_when_the_bundled_catalog_is_imported_again(db):
    count = Application.objects.count()

    output = run()

    assert output == (
        f"Imported {count} applications (0 new, 0 updated, {count} unchanged).\n"
    )
    assert Application.objects.count() == count


def test_it_creates_and_updates_by_name_and_is_safe_to_run_twice(db, tmp_path):
    csv_file = tmp_path / "apps.csv"
    csv_file.write_text(
        "name,vendor,category,domains\n"
        "Linear,Linear Orbit,engineering,linear.app linear.dev\n"
        "Acme Wiki,Acme,collaboration,wiki.acme-saas.example\n"
    )

    first = run(str(csv_file))
    second = run(str(csv_file))

    assert first == "Imported 2 applications (1 new, 1 updated, 0 unchanged).\n"
    assert second == "Imported 2 applications (0 new, 0 updated, 2 unchanged).\n"
    linear = Application.objects.get(name="Linear")
    assert (linear.vendor, linear.domains) == (
        "Linear Orbit",
        ["linear.app", "linear.dev"],
    )
    assert Application.objects.get(name="Acme Wiki").category == "collaboration"
    assert (
        AuditEvent.objects.filter(action=AuditAction.APPLICATIONS_IMPORTED).count() == 2
    )


def test_it_drops_the_cached_match_table(db, tmp_path):
    application_table()
    assert cache.get("discovery:application_table:v1") is not None
    csv_file = tmp_path / "apps.csv"
    csv_file.write_text(
        "name,vendor,category,domains\nAcme Wiki,Acme,ai,acme-ai.example\n"
    )

    run(str(csv_file))

    assert "acme-ai.example" in application_table()


def test_it_refuses_a_domain_of_another_application(db, tmp_path):
    csv_file = tmp_path / "apps.csv"
    csv_file.write_text(
        "name,vendor,category,domains\nClone,Clone,design,app.figma.com figma.com\n"
    )

    with pytest.raises(CommandError) as caught:
        run(str(csv_file))

    assert str(caught.value) == (
        "The catalog was not changed. Clone: figma.com already belongs to Figma."
    )
    assert not Application.objects.filter(name="Clone").exists()


def test_it_lists_the_bad_rows_and_imports_none(db, tmp_path):
    csv_file = tmp_path / "apps.csv"
    csv_file.write_text(
        "name,vendor,category,domains\nGood,Good,ai,good-ai.example\nBad,Bad,toys,bad.example\n"
    )

    with pytest.raises(CommandError) as caught:
        run(str(csv_file))

    assert "Row 3: unknown category 'toys'" in str(caught.value)
    assert not Application.objects.filter(name="Good").exists()


def test_it_refuses_public_suffixes(db, tmp_path):
    csv_file = tmp_path / "apps.csv"
    csv_file.write_text(
        "name,vendor,category,domains\n"
        "Pages,Pages,engineering,pages.example github.io\n"
        "Shops,Shops,marketing,co.uk\n"
    )

    with pytest.raises(CommandError) as caught:
        run(str(csv_file))

    # Before, both were imported, and monitored-hosts asked every extension
    # of a discovery-enabled organization to report *.co.uk and *.github.io.
    message = str(caught.value)
    assert (
        "Row 2: github.io is a public suffix under which anyone can register "
        "sites: the application would count visits to all of them, and every "
        "extension would report them. Use the application's own domain."
    ) in message
    assert "Row 3: co.uk is a public suffix" in message
    assert not Application.objects.filter(name__in=["Pages", "Shops"]).exists()


def test_it_names_a_file_it_cannot_read(db, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv: No such file"):
        run(str(tmp_path / "missing.csv"))


def test_it_drops_a_table_rebuilt_by_another_worker_before_the_import_committed(
    db, tmp_path, django_capture_on_commit_callbacks
):
    csv_file = tmp_path / "apps.csv"
    csv_file.write_text(
        "name,vendor,category,domains\nAcme Wiki,Acme,ai,acme-ai.example\n"
    )
    before = application_table()

    with django_capture_on_commit_callbacks(execute=True):
        run(str(csv_file))
        # Another worker, between the import's save and its commit, reads the
        # catalog as it was and caches that table for every worker.
        cache.set("discovery:application_table:v1", before)

    # Before, that stale table stayed in the shared cache for a day.
    assert cache.get("discovery:application_table:v1") is None
    assert "acme-ai.example" in application_table()
