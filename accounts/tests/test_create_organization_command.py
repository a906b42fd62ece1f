import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization


def run(*args) -> str:
    out = StringIO()
    call_command("create_organization", *args, stdout=out)
    return out.getvalue()


def test_it_creates_an_organization_and_prints_its_public_id(db):
    output = run("--domain", "Acme.io", "--company", "Acme", "--admin-seats", "2")

    organization = Organization.objects.get()
    assert organization.domain_name == "acme.io"
    assert organization.company_name == "Acme"
    assert organization.admin_seats == 2
    assert organization.member_seats == 1000
    assert re.fullmatch(r"org_[0-9A-Za-z]{32}", organization.public_id)
    assert organization.public_id in output


def test_it_refuses_a_duplicate_domain(db):
    run("--domain", "acme.io", "--company", "Acme")

    with pytest.raises(CommandError, match="already exists"):
        run("--domain", "acme.io", "--company", "Acme again")
    assert Organization.objects.count() == 1


@pytest.mark.parametrize("domain", ["acme", "not a domain", "-acme.io", "acme..io"])
def test_it_refuses_a_malformed_domain(db, domain):
    with pytest.raises(CommandError, match="is not a domain name"):
        run(f"--domain={domain}", "--company", "Acme")
    assert not Organization.objects.exists()


def test_it_refuses_negative_seat_caps(db):
    with pytest.raises(CommandError, match="zero or more"):
        run("--domain", "acme.io", "--company", "Acme", "--member-seats", "-1")
