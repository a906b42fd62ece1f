"""POST /api/v1/contract: the web app's create-or-update by product URL."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from audit.models import AuditAction, AuditEvent
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL

URL = "/api/v1/contract"


def slack_payload(organization, **overrides) -> dict:
    return {
        "vendor_name": "Slack",
        "product_url": "https://app.slack.com",
        "organization_id": organization.public_id,
        "annual_spend": 8000,
        "contract_type": "subscription",
        "contract_status": "active",
        "payment_type": "virtual cards",
        "num_seats": 75,
        "notes": "Team chat",
        "expire_at": "2027-10-01T00:00:00Z",
        "created_at": "2026-10-01T00:00:00Z",
        **overrides,
    }


def test_it_creates_then_updates_the_same_contract(admin_client, organization):
    response = admin_client.post(URL, slack_payload(organization), format="json")

    assert response.status_code == 201
    contract = Contract.objects.get()
    assert response.json() == {
        "success": True,
        "contract_id": contract.id,
        "vendor_name": "Slack",
        "product_url": "https://app.slack.com",
        "vendor_domain": "slack.com",
        "message": "Contract created.",
        "created": True,
    }
    assert contract.organization == organization
    assert contract.annual_spend == Decimal("8000.00")
    assert contract.num_seats == 75
    assert contract.payment_type == "virtual cards"
    assert contract.notes == "Team chat"
    assert contract.expire_at == datetime(2027, 10, 1, tzinfo=UTC)
    assert contract.created_at == datetime(2026, 10, 1, tzinfo=UTC)

    again = slack_payload(
        organization,
        product_url="https://APP.slack.com/client/T123",
        num_seats=90,
        annual_spend="9600.50",
    )
    response = admin_client.post(URL, again, format="json")

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["contract_id"] == contract.id
    assert response.json()["message"] == "Contract updated."
    assert Contract.objects.count() == 1
    contract.refresh_from_db()
    assert contract.num_seats == 90
    assert contract.annual_spend == Decimal("9600.50")


@pytest.mark.parametrize(
    ("product_url", "stored", "vendor_domain"),
    [
        ("HTTPS://App.Slack.com:443/path?x", "https://app.slack.com", "slack.com"),
        ("aws.amazon.com", "https://aws.amazon.com", "amazon.com"),
        ("foo.co.uk", "https://foo.co.uk", "foo.co.uk"),
    ],
)
def test_it_normalizes_the_product_url(
    admin_client, organization, product_url, stored, vendor_domain
):
    payload = slack_payload(organization, product_url=product_url)

    response = admin_client.post(URL, payload, format="json")

    assert response.status_code == 201
    assert response.json()["product_url"] == stored
    assert response.json()["vendor_domain"] == vendor_domain
    contract = Contract.objects.get()
    assert (contract.product_url, contract.vendor_domain) == (stored, vendor_domain)


def test_it_keeps_fields_left_out_on_update(admin_client, organization):
    contract = ContractFactory(
        organization=organization,
        host="app.slack.com",
        notes="Negotiated 10% off",
        num_seats=75,
    )
    payload = {
        "vendor_name": "Slack Technologies",
        "product_url": "https://app.slack.com",
        "organization_id": organization.public_id,
        "num_seats": 80,
    }

    response = admin_client.post(URL, payload, format="json")

    assert response.status_code == 200
    contract.refresh_from_db()
    assert contract.vendor_name == "Slack Technologies"
    assert contract.num_seats == 80
    assert contract.notes == "Negotiated 10% off"
    assert contract.annual_spend == Decimal("1200.00")


def test_it_starts_a_new_contract_now_without_created_at(admin_client, organization):
    payload = slack_payload(organization)
    del payload["created_at"]
    before = datetime.now(UTC)

    response = admin_client.post(URL, payload, format="json")

    assert response.status_code == 201
    assert Contract.objects.get().created_at >= before


def test_it_normalizes_extra_hosts(admin_client, organization):
    payload = {
        "vendor_name": "Salesforce",
        "product_url": "https://acme.my.salesforce.com",
        "organization_id": organization.public_id,
        "extra_hosts": ["Force.com", "https://force.com/x", "lightning.force.com"],
    }

    response = admin_client.post(URL, payload, format="json")

    assert response.status_code == 201
    assert Contract.objects.get().extra_hosts == ["force.com", "lightning.force.com"]


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"product_url": "not a url"}, "is not a web address"),
        ({"product_url": "ftp://files.slack.com"}, "is not a web address"),
        ({"product_url": ""}, "product_url"),
        ({"annual_spend": -5}, "annual_spend"),
        ({"num_seats": -1}, "num_seats"),
        ({"vendor_name": ""}, "vendor_name"),
        ({"expire_at": "next tuesday"}, "expire_at"),
        ({"extra_hosts": ["not a host"]}, "extra host"),
    ],
)
def test_it_rejects_bad_fields_with_a_sentence(
    admin_client, organization, overrides, words
):
    response = admin_client.post(
        URL, slack_payload(organization, **overrides), format="json"
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert words.lower() in detail.lower()
    assert detail.endswith(".")
    assert not Contract.objects.exists()


def test_it_requires_organization_id(admin_client, organization):
    payload = slack_payload(organization)
    del payload["organization_id"]

    response = admin_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "organization_id: This field is required.",
        "errors": {"organization_id": ["This field is required."]},
        "code": "invalid_field",
    }
    assert not Contract.objects.exists()


def test_it_refuses_another_organizations_id(
    admin_client, organization, other_organization
):
    payload = slack_payload(other_organization)

    response = admin_client.post(URL, payload, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You can only add contracts to your own organization.",
        "code": "other_organization",
    }
    assert not Contract.objects.exists()


def test_it_refuses_an_organization_id_that_does_not_exist(admin_client, organization):
    payload = slack_payload(organization, organization_id="org_" + "x" * 32)

    response = admin_client.post(URL, payload, format="json")

    assert response.status_code == 403
    assert not Contract.objects.exists()


def test_it_refuses_an_admin_of_another_organization(outsider_client, organization):
    response = outsider_client.post(URL, slack_payload(organization), format="json")

    assert response.status_code == 403
    assert not Contract.objects.exists()


def test_it_refuses_members(member_client, organization):
    response = member_client.post(URL, slack_payload(organization), format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only admins of the organization can do this.",
        "code": "admins_only",
    }
    assert not Contract.objects.exists()


def test_it_requires_authentication(anon_client, organization):
    response = anon_client.post(URL, slack_payload(organization), format="json")

    assert response.status_code == 401
    assert response.json() == {
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
    }
    assert not Contract.objects.exists()


def test_it_bumps_the_organizations_contracts_version(admin_client, organization):
    version = organization.contracts_version

    admin_client.post(URL, slack_payload(organization), format="json")

    organization.refresh_from_db()
    assert organization.contracts_version > version


def test_it_answers_with_few_queries(
    admin_client, organization, django_assert_max_num_queries
):
    ContractFactory(organization=organization, host="app.slack.com")

    # Eight for the update itself, one for its audit event.
    with django_assert_max_num_queries(9):
        response = admin_client.post(URL, slack_payload(organization), format="json")

    assert response.status_code == 200


def test_it_audits_the_creation_then_the_update(admin_client, admin_user, organization):
    first = admin_client.post(URL, slack_payload(organization), format="json")
    second = admin_client.post(
        URL,
        {
            "vendor_name": "Slack",
            "product_url": "https://app.slack.com/x",
            "organization_id": organization.public_id,
            "num_seats": 80,
        },
        format="json",
    )

    assert (first.status_code, second.status_code) == (201, 200)
    contract_id = first.json()["contract_id"]
    events = list(AuditEvent.objects.order_by("id"))
    assert [event.action for event in events] == [
        AuditAction.CONTRACT_CREATED,
        AuditAction.CONTRACT_UPDATED,
    ]
    for event in events:
        assert (event.organization, event.actor) == (organization, admin_user)
        assert event.target == f"contract:{contract_id}"
    assert events[1].details == {
        "contract_id": contract_id,
        "vendor_name": "Slack",
        "product_url": "https://app.slack.com",
        "fields": ["num_seats", "product_url", "vendor_name"],
    }


def test_it_audits_nothing_when_refused(member_client, outsider_client, organization):
    assert (
        member_client.post(URL, slack_payload(organization), format="json").status_code
        == 403
    )
    assert (
        outsider_client.post(
            URL, slack_payload(organization), format="json"
        ).status_code
        == 403
    )
    assert not AuditEvent.objects.exists()
