import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization, User
from conftest import client_for
from contracts.models import Contract
from procure_site import clock
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory


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


def test_it_seeds_more_months_than_the_retention_window(db, settings):
    # On PostgreSQL the purge drops the monthly partitions older than the
    # window, so the demo's older months have none until it makes them.
    settings.ACTIVITY_RETENTION_DAYS = 30
    ActivityFactory(day=clock.today() - dt.timedelta(days=200))
    call_command("purge_activity", stdout=StringIO())

    call_command("seed_demo", "--members", "3", "--months", "12", stdout=StringIO())

    oldest = min(Activity.objects.values_list("day", flat=True))
    assert (Activity.objects.latest("day").day - oldest).days > 300


def test_it_is_safe_to_run_twice(db):
    seed()
    counts = (User.objects.count(), Contract.objects.count(), Activity.objects.count())

    output = seed()

    assert (
        User.objects.count(),
        Contract.objects.count(),
        Activity.objects.count(),
    ) == counts
    assert (
        "Seeded 0 new members, 10 contracts (0 new, 0 updated, 10 unchanged), "
        "0 new activity"
    ) in output


def test_it_keeps_the_admins_password_and_session_on_a_second_run(anon_client, db):
    first = seed()
    password = re.search(r"Password: (\S+)", first).group(1)
    token = anon_client.post(
        "/api/v1/auth/token",
        {"email": "admin@acme-demo.example", "password": password},
        format="json",
    ).json()["access"]

    second = seed()

    assert "Password:" not in second
    assert (
        "Admin: admin@acme-demo.example (password unchanged; "
        "--reset-admin-password sets and prints a new one)" in second
    )
    assert User.objects.get(email="admin@acme-demo.example").check_password(password)
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon_client.get("/api/v1/auth/me").status_code == 200


def test_it_sets_a_new_password_when_asked_to(db):
    first = seed()
    old_password = re.search(r"Password: (\S+)", first).group(1)

    second = seed("--reset-admin-password")

    new_password = re.search(r"Password: (\S+)", second).group(1)
    assert new_password != old_password
    admin = User.objects.get(email="admin@acme-demo.example")
    assert admin.check_password(new_password)


def test_it_leaves_erased_people_erased(db):
    seed()
    call_command("forget_user", "member003@acme-demo.example", stdout=StringIO())
    call_command("forget_user", "admin@acme-demo.example", "--force", stdout=StringIO())
    activity = Activity.objects.count()

    output = seed()

    emails = set(User.objects.values_list("email", flat=True))
    assert "member003@acme-demo.example" not in emails
    assert "admin@acme-demo.example" not in emails
    assert len(emails) == 11
    assert Activity.objects.count() == activity
    assert (
        "Admin: none (admin@acme-demo.example was erased; "
        "--reset-admin-password creates it again)" in output
    )
    assert "Seeded 0 new members" in output


def test_it_recreates_an_erased_admin_when_asked_to(db):
    seed()
    call_command("forget_user", "admin@acme-demo.example", "--force", stdout=StringIO())

    output = seed("--reset-admin-password")

    password = re.search(r"Password: (\S+)", output).group(1)
    admin = User.objects.get(email="admin@acme-demo.example")
    assert admin.check_password(password)
    assert admin.role == "admin"


def test_it_hints_at_the_configured_address(db, settings):
    settings.SERVER_BIND = "127.0.0.1:8123"

    output = seed()

    assert "curl -s -X POST http://127.0.0.1:8123/api/v1/auth/token" in output


def test_it_refuses_a_nonsensical_member_count(db):
    with pytest.raises(CommandError, match="--members must be at least 1"):
        call_command("seed_demo", "--members", "0", stdout=StringIO())
    assert not Organization.objects.exists()


@pytest.mark.time_machine(dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC))
def test_the_demo_contracts_stay_in_force_and_aws_gets_no_seat_advice(anon_client, db):
    call_command("seed_demo", "--members", "20", "--months", "2", stdout=StringIO())
    organization = Organization.objects.get(domain_name="acme-demo.example")
    client = client_for(User.objects.get(organization=organization, role="admin"))

    usage = client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage"
    ).json()
    renewals = client.get(
        f"/api/v1/organizations/{organization.public_id}/renewals?within_days=730"
    ).json()

    rows = {row["vendor_name"]: row for row in usage["contracts"]}
    assert len(rows) == 10
    assert rows["AWS"]["pricing_model"] == "usage_based"
    assert rows["AWS"]["estimated_waste"] is None
    aws = next(row for row in renewals["contracts"] if row["vendor_name"] == "AWS")
    assert aws["suggestion"] == "renew"
    assert aws["suggested_seats"] is None
    salesforce = next(
        row for row in renewals["contracts"] if row["vendor_name"] == "Salesforce"
    )
    assert salesforce["notice_period_days"] == 60
    assert salesforce["cancel_by"] == "2028-12-02"
