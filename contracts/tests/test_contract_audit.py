"""The audit trail of contracts created, changed and deleted through
/api/v1/contracts."""

from audit.models import AuditAction, AuditEvent
from contracts.tests.helpers import LIST_URL, detail_url


def test_it_audits_a_created_contract(admin_client, admin_user, organization):
    payload = {"vendor_name": "Slack", "product_url": "app.slack.com", "num_seats": 5}

    response = admin_client.post(LIST_URL, payload, format="json")

    assert response.status_code == 201
    contract_id = response.json()["id"]
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CONTRACT_CREATED
    assert event.organization == organization
    assert (event.actor, event.actor_email) == (admin_user, "ada@acme.io")
    assert event.target == f"contract:{contract_id}"
    # Field names only: the values stay in the contract.
    assert event.details == {
        "contract_id": contract_id,
        "vendor_name": "Slack",
        "product_url": "https://app.slack.com",
        "fields": [
            "annual_spend",
            "auto_renew",
            "contract_status",
            "contract_type",
            "everyone_gets_it",
            "expire_at",
            "extra_hosts",
            "notes",
            "notice_period_days",
            "num_seats",
            "owner_id",
            "owner_name",
            "payment_type",
            "pricing_model",
            "product_url",
            "vendor_name",
        ],
    }


def test_it_audits_a_changed_contract_with_the_fields_sent(
    admin_client, admin_user, organization, slack
):
    response = admin_client.patch(
        detail_url(slack), {"num_seats": 60, "notes": "Renegotiate"}, format="json"
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CONTRACT_UPDATED
    assert (event.organization, event.actor) == (organization, admin_user)
    assert event.details == {
        "contract_id": slack.id,
        "vendor_name": "Slack",
        "product_url": "https://app.slack.com",
        "fields": ["notes", "num_seats"],
    }
    assert "Renegotiate" not in str(event.details)


def test_it_audits_a_deleted_contract(admin_client, admin_user, organization, slack):
    contract_id = slack.id

    response = admin_client.delete(detail_url(slack))

    assert response.status_code == 204
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.CONTRACT_DELETED
    assert (event.organization, event.actor) == (organization, admin_user)
    assert event.target == f"contract:{contract_id}"
    assert event.details == {
        "contract_id": contract_id,
        "vendor_name": "Slack",
        "product_url": "https://app.slack.com",
    }


def test_it_audits_nothing_when_a_change_is_refused(
    admin_client, member_client, outsider_client, slack
):
    duplicate = {"vendor_name": "Slack again", "product_url": "app.slack.com"}

    assert admin_client.post(LIST_URL, duplicate, format="json").status_code == 409
    assert member_client.delete(detail_url(slack)).status_code == 403
    assert outsider_client.delete(detail_url(slack)).status_code == 404
    assert not AuditEvent.objects.exists()
