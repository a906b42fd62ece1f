"""PATCH and PUT /api/v1/contracts/{id}: changing a contract."""

from decimal import Decimal

from contracts.tests.factories import ContractFactory
from contracts.tests.helpers import detail_url


def test_it_patches_a_contract(admin_client, slack, organization):
    version = organization.contracts_version
    payload = {"num_seats": 60, "product_url": "https://Slack.com/signin"}

    response = admin_client.patch(detail_url(slack), payload, format="json")

    assert response.status_code == 200
    assert response.json()["num_seats"] == 60
    assert response.json()["product_url"] == "https://slack.com"
    slack.refresh_from_db()
    assert slack.num_seats == 60
    assert slack.vendor_name == "Slack"
    assert slack.annual_spend == Decimal("8000.00")
    assert (slack.product_url, slack.vendor_domain) == (
        "https://slack.com",
        "slack.com",
    )
    organization.refresh_from_db()
    assert organization.contracts_version > version


def test_it_puts_a_whole_contract(admin_client, slack):
    payload = {"vendor_name": "Slack", "product_url": "app.slack.com", "num_seats": 5}

    response = admin_client.put(detail_url(slack), payload, format="json")

    assert response.status_code == 200
    slack.refresh_from_db()
    assert slack.num_seats == 5
    # PUT replaces the contract: what it leaves out returns to its default.
    assert slack.annual_spend == Decimal("0.00")
    assert slack.expire_at is None
    assert slack.contract_type == ""


def test_it_refuses_to_move_a_contract_onto_a_taken_product_url(
    admin_client, organization, slack
):
    zoom = ContractFactory(organization=organization, host="zoom.us")

    response = admin_client.patch(
        detail_url(zoom), {"product_url": "app.slack.com"}, format="json"
    )

    assert response.status_code == 409
    zoom.refresh_from_db()
    assert zoom.product_url == "https://zoom.us"


def test_it_refuses_members_to_change(member_client, slack):
    response = member_client.patch(detail_url(slack), {"num_seats": 1}, format="json")

    assert response.status_code == 403
    slack.refresh_from_db()
    assert slack.num_seats == 75


def test_it_refuses_to_change_another_organizations_contract(outsider_client, slack):
    response = outsider_client.patch(detail_url(slack), {"num_seats": 1}, format="json")

    assert response.status_code == 404
    slack.refresh_from_db()
    assert slack.num_seats == 75


def test_it_requires_authentication_to_change(anon_client, slack):
    assert anon_client.patch(detail_url(slack), {"num_seats": 1}).status_code == 401
