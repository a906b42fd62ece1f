import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization, User
from contracts.models import Contract
from url_visits.models import Activity


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--members", "12", "--months", "2", *args, stdout=out)
    return out.getvalue()


def test_it_seeds_an_organization_whose_usage_shows_real_numbers(anon_client, db):
    output = seed()

    email = re.search(r"Admin: (\S+)", output).group(1)
    password = re.search(r"Password: (\S+)", output).group(1)
    token = anon_client.post(
        "/api/v1/auth/token", {"email": email, "password": password}, format="json"
    )
    assert token.status_code == 200
    organization = Organization.objects.get(domain_name="acme-demo.example")
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    usage = anon_client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage"
    )
    assert usage.status_code == 200
    contracts = usage.json()["contracts"]
    assert len(contracts) == 10
    assert sum(row["active_users"] for row in contracts) > 0
    assert {row["vendor_name"] for row in contracts} >= {"Slack", "AWS", "HubSpot"}


def test_it_is_safe_to_run_twice(db):
    seed()
    counts = (User.objects.count(), Contract.objects.count(), Activity.objects.count())

    output = seed()

    assert (
        User.objects.count(),
        Contract.objects.count(),
        Activity.objects.count(),
    ) == counts
    assert "Seeded 0 new members, 0 new and 10 updated contracts, 0 new activity" in (
        output
    )


def test_it_refuses_a_nonsensical_member_count(db):
    with pytest.raises(CommandError, match="--members must be at least 1"):
        call_command("seed_demo", "--members", "0", stdout=StringIO())
    assert not Organization.objects.exists()
