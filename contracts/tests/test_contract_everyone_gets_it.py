"""A contract an admin marks everyone_gets_it (a chat tool for the whole
company) keeps its seats out of reclaims; the web app's form, which does not
send the field, leaves it as it is."""

import pytest

from contracts.models import Contract
from contracts.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_an_admin_marks_a_contract_and_its_seats_are_not_reclaimed(
    admin_client, organization, member
):
    contract = ContractFactory(organization=organization, vendor_name="Slack")

    marked = admin_client.patch(
        f"/api/v1/contracts/{contract.pk}", {"everyone_gets_it": True}, format="json"
    )
    upserted = admin_client.post(
        "/api/v1/contract",
        {
            "organization_id": organization.public_id,
            "vendor_name": "Slack",
            "product_url": contract.product_url,
            "num_seats": 12,
        },
        format="json",
    )
    reclaim = admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/contracts/{contract.pk}"
        "/reclaims",
        {"user_ids": [str(member.pk)]},
        format="json",
    )

    assert marked.status_code == 200, marked.json()
    assert marked.json()["everyone_gets_it"] is True
    assert upserted.status_code == 200, upserted.json()
    assert Contract.objects.get(pk=contract.pk).everyone_gets_it is True
    assert reclaim.status_code == 409
    assert reclaim.json()["code"] == "reclaim_not_allowed"


def test_a_new_contract_is_not_marked(admin_client):
    created = admin_client.post(
        "/api/v1/contracts",
        {"vendor_name": "Miro", "product_url": "https://miro.com"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["everyone_gets_it"] is False
