"""The Django admin's contract pages normalize hosts like the API does."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from audit.models import AuditAction, AuditEvent
from contracts.models import Contract
from contracts.tests.factories import ContractFactory

ADD_URL = "/admin/contracts/contract/add/"


@pytest.fixture
def superuser_client(db):
    superuser = UserFactory(organization=None, is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_login(superuser)
    return client


def form(organization, **overrides) -> dict:
    return {
        "organization": organization.id,
        "vendor_name": "AWS",
        "product_url": "HTTPS://Console.AWS.amazon.com:443/ec2?region=x",
        "extra_hosts": '["AWS.amazon.com."]',
        "annual_spend": "120000",
        "currency": "USD",
        "num_seats": "15",
        "contract_type": "usage-based",
        "contract_status": "active",
        "pricing_model": "usage_based",
        "notice_period_days": "0",
        "payment_type": "invoice",
        "owner": "",
        "owner_name": "",
        "notes": "",
        **overrides,
    }


def test_it_normalizes_hosts_on_save(superuser_client, organization):
    response = superuser_client.post(ADD_URL, form(organization))

    assert response.status_code == 302
    contract = Contract.objects.get()
    assert contract.product_url == "https://console.aws.amazon.com"
    assert contract.vendor_domain == "amazon.com"
    assert contract.extra_hosts == ["aws.amazon.com"]


def test_it_refuses_a_bad_product_url(superuser_client, organization):
    response = superuser_client.post(ADD_URL, form(organization, product_url="nope"))

    assert response.status_code == 200
    assert b"is not a web address" in response.content
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [{"product_url": "https://co.uk"}, {"extra_hosts": '["github.io"]'}],
)
def test_it_refuses_a_public_suffix_as_a_host(
    superuser_client, organization, overrides
):
    response = superuser_client.post(ADD_URL, form(organization, **overrides))

    assert response.status_code == 200
    assert b"a public suffix under which anyone can register sites" in response.content
    assert not Contract.objects.exists()


def test_it_refuses_a_product_url_taken_in_the_organization(
    superuser_client, organization
):
    ContractFactory(organization=organization, host="console.aws.amazon.com")

    response = superuser_client.post(ADD_URL, form(organization))

    assert response.status_code == 200
    assert Contract.objects.count() == 1


def test_it_refuses_an_owner_from_another_organization(
    superuser_client, organization, outsider_admin
):
    response = superuser_client.post(
        ADD_URL, form(organization, owner=str(outsider_admin.id))
    )

    assert response.status_code == 200
    assert b"The owner must be a user of the organization." in response.content
    assert not Contract.objects.exists()


def test_it_lists_and_searches_contracts(superuser_client, organization):
    ContractFactory(organization=organization, vendor_name="Slack", host="slack.com")

    response = superuser_client.get("/admin/contracts/contract/", {"q": "slack"})

    assert response.status_code == 200
    assert b"https://slack.com" in response.content


def test_it_is_closed_to_api_users(admin_client):
    response = admin_client.get("/admin/contracts/contract/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_audits_staff_edits_and_deletes(superuser_client, organization):
    superuser_client.post(ADD_URL, form(organization))
    contract = Contract.objects.get()
    superuser_client.post(
        f"/admin/contracts/contract/{contract.pk}/change/",
        form(organization, num_seats="20"),
    )
    superuser_client.post(
        f"/admin/contracts/contract/{contract.pk}/delete/", {"post": "yes"}
    )

    actions = list(
        AuditEvent.objects.filter(organization=organization)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.CONTRACT_CREATED,
        AuditAction.CONTRACT_UPDATED,
        AuditAction.CONTRACT_DELETED,
    ]
    assert not Contract.objects.exists()
    updated = AuditEvent.objects.get(action=AuditAction.CONTRACT_UPDATED)
    assert "num_seats" in updated.details["fields"]
    assert updated.actor_email.startswith("staff")


def test_it_edits_extra_hosts_one_a_line_and_dates_as_dates(
    superuser_client, organization
):
    response = superuser_client.post(
        ADD_URL,
        form(
            organization,
            extra_hosts="AWS.amazon.com\nsellercentral.amazon.com",
            expire_at="2027-03-31",
        ),
    )

    assert response.status_code == 302
    contract = Contract.objects.get()
    assert contract.extra_hosts == ["aws.amazon.com", "sellercentral.amazon.com"]
    assert str(contract.expire_at) == "2027-03-31 00:00:00+00:00"
    page = superuser_client.get(f"/admin/contracts/contract/{contract.pk}/change/")
    html = page.content.decode()
    assert "aws.amazon.com\nsellercentral.amazon.com</textarea>" in html
    assert 'type="date" name="expire_at" value="2027-03-31"' in html


def test_it_offers_the_usual_values_and_keeps_one_in_use(
    superuser_client, organization
):
    contract = ContractFactory(organization=organization, payment_type="barter")

    page = superuser_client.get(f"/admin/contracts/contract/{contract.pk}/change/")

    fields = page.context["adminform"].form.fields
    payment = [value for value, _ in fields["payment_type"].choices]
    assert {"invoice", "credit card", "barter"} <= set(payment)
    assert "subscription" in [value for value, _ in fields["contract_type"].choices]
