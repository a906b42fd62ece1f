"""POST /api/v1/contracts: a new contract in the caller's organization."""

import datetime as dt

import pytest

from contracts.models import Contract
from contracts.tests.helpers import LIST_URL


# Before the contract's expiry (2027-10-01), so that it shows as active.
@pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))
def test_it_creates_a_contract_in_the_callers_organization(
    admin_client, organization, other_organization, admin_user
):
    payload = {
        "vendor_name": "Slack",
        "product_url": "HTTPS://App.Slack.com:443/path?x",
        "annual_spend": "8000.00",
        "num_seats": 75,
        "owner": str(admin_user.id),
        "expire_at": "2027-10-01T00:00:00Z",
        # Never taken from the payload.
        "organization": other_organization.id,
        "organization_id": other_organization.public_id,
        "vendor_domain": "evil.example",
    }

    response = admin_client.post(LIST_URL, payload, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["product_url"] == "https://app.slack.com"
    assert body["vendor_domain"] == "slack.com"
    assert body["owner"] == str(admin_user.id)
    assert body["contract_status"] == "active"
    contract = Contract.objects.get()
    assert contract.id == body["id"]
    assert contract.organization == organization
    assert contract.owner == admin_user
    assert contract.created_at is not None


def test_it_refuses_a_duplicate_product_url(admin_client, slack):
    payload = {"vendor_name": "Slack again", "product_url": "app.slack.com/x"}

    response = admin_client.post(LIST_URL, payload, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "A contract for https://app.slack.com already exists in your "
        "organization. Edit that contract instead.",
        "code": "already_exists",
    }
    assert Contract.objects.count() == 1


def test_it_refuses_an_owner_from_another_organization(admin_client, outsider_admin):
    payload = {
        "vendor_name": "Slack",
        "product_url": "app.slack.com",
        "owner": str(outsider_admin.id),
    }

    response = admin_client.post(LIST_URL, payload, format="json")

    assert response.status_code == 400
    assert "belongs to your organization" in response.json()["detail"]
    assert not Contract.objects.exists()


def test_it_rejects_a_bad_product_url(admin_client):
    payload = {"vendor_name": "Slack", "product_url": "http://10.0.0.1/"}

    response = admin_client.post(LIST_URL, payload, format="json")

    assert response.status_code == 400
    assert "is not a web address" in response.json()["detail"]
    assert not Contract.objects.exists()


def test_it_refuses_members_to_create(member_client):
    payload = {"vendor_name": "Slack", "product_url": "app.slack.com"}

    response = member_client.post(LIST_URL, payload, format="json")

    assert response.status_code == 403
    assert not Contract.objects.exists()


def test_it_creates_an_outsiders_contract_in_their_own_organization(
    outsider_client, organization, other_organization
):
    payload = {"vendor_name": "Slack", "product_url": "app.slack.com"}

    response = outsider_client.post(LIST_URL, payload, format="json")

    assert response.status_code == 201
    assert not Contract.objects.filter(organization=organization).exists()
    assert Contract.objects.get().organization == other_organization


def test_it_requires_authentication_to_create(anon_client, organization):
    payload = {"vendor_name": "Slack", "product_url": "app.slack.com"}

    assert anon_client.post(LIST_URL, payload, format="json").status_code == 401
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "payload, refused",
    [
        (
            {"product_url": "https://co.uk"},
            'The host of the product URL "https://co.uk" is co.uk',
        ),
        ({"product_url": "https://github.io/x"}, "is github.io"),
        (
            {"product_url": "https://slack.com", "extra_hosts": ["github.io"]},
            'The extra host "github.io" is github.io',
        ),
        (
            {"product_url": "https://slack.com", "extra_hosts": ["COM.AU."]},
            'The extra host "COM.AU." is com.au',
        ),
    ],
)
def test_it_refuses_a_public_suffix_as_a_host(
    admin_client, organization, payload, refused
):
    response = admin_client.post(
        LIST_URL, {"vendor_name": "Wide", **payload}, format="json"
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert refused in detail
    assert "a public suffix under which anyone can register sites" in detail
    assert not Contract.objects.exists()
