"""manage.py import_contracts --org acme.io FILE.csv"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditAction, AuditEvent
from contracts.management.commands.import_contracts import Command
from contracts.models import Contract

SAMPLE = Path(__file__).parents[1] / "sample_data" / "sample_contracts.csv"


def run(*args: str) -> str:
    stdout = StringIO()
    call_command("import_contracts", *args, stdout=stdout)
    return stdout.getvalue()


def test_it_imports_the_sample_file(organization):
    output = run("--org", "acme.io", str(SAMPLE))

    assert output == "Imported 10 contracts (10 new, 0 updated, 0 unchanged).\n"
    assert Contract.objects.filter(organization=organization).count() == 10
    aws = Contract.objects.get(vendor_name="AWS")
    assert (aws.product_url, aws.vendor_domain) == (
        "https://aws.amazon.com",
        "amazon.com",
    )


def test_it_is_safe_to_run_twice(organization):
    run("--org", "acme.io", str(SAMPLE))

    output = run("--org", "acme.io", str(SAMPLE))

    # Before, the second run reported "10 updated" when nothing changed.
    assert output == "Imported 10 contracts (0 new, 0 updated, 10 unchanged).\n"
    assert Contract.objects.count() == 10
    assert [event.details for event in AuditEvent.objects.order_by("id")] == [
        {"created": 10, "updated": 0, "unchanged": 0},
        {"created": 0, "updated": 0, "unchanged": 10},
    ]


def test_it_finds_the_organization_by_public_id(organization):
    output = run("--org", organization.public_id, str(SAMPLE))

    assert output.startswith("Imported 10 contracts")
    assert Contract.objects.filter(organization=organization).count() == 10


def test_it_lists_bad_rows_and_imports_nothing(organization, tmp_path):
    bad = tmp_path / "bad.csv"
    content = SAMPLE.read_text()
    content = content.replace("https://zoom.us", "zoom us", 1)
    content = content.replace("HubSpot,21600,", "HubSpot,-1,", 1)
    bad.write_text(content)

    with pytest.raises(CommandError) as error:
        run("--org", "acme.io", str(bad))

    message = str(error.value)
    assert message.startswith("2 rows are not valid (lines 3, 11), so nothing")
    assert '\n  line 3: The product URL "zoom us" is not a web address.' in message
    assert '\n  line 11: annual_spend "-1" is not an amount.' in message
    assert not Contract.objects.exists()


def test_it_refuses_an_unknown_organization(organization):
    with pytest.raises(CommandError, match="No organization has the domain name"):
        run("--org", "initech.example", str(SAMPLE))

    assert not Contract.objects.exists()


def test_it_refuses_a_missing_file(organization, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv"):
        run("--org", "acme.io", str(tmp_path / "missing.csv"))


def test_it_applies_the_size_limit(organization, settings):
    settings.CONTRACT_IMPORT_MAX_BYTES = 100

    with pytest.raises(CommandError, match="larger than the limit of 100 bytes"):
        run("--org", "acme.io", str(SAMPLE))

    assert not Contract.objects.exists()


def test_it_refuses_a_bad_header(organization, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("vendor,url\nSlack,slack.com\n")

    with pytest.raises(CommandError, match="The header is not valid"):
        run("--org", "acme.io", str(bad))


def test_it_explains_itself_in_help():
    help_text = Command().create_parser("manage.py", "import_contracts").format_help()

    assert "--org" in help_text
    assert "vendor_name,annual_spend" in help_text
    assert "the second run creates nothing" in help_text


def test_it_audits_the_import_as_the_system(organization):
    run("--org", "acme.io", str(SAMPLE))

    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CONTRACTS_IMPORTED
    assert event.organization == organization
    assert (event.actor, event.actor_email) == (None, "")
    assert event.details == {"created": 10, "updated": 0, "unchanged": 0}
