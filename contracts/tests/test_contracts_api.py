"""GET/POST /api/v1/contracts and GET/PATCH/PUT/DELETE /api/v1/contracts/{id}."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from audit.models import AuditAction, AuditEvent
from contracts.models import Contract
from contracts.tests.factories import ContractFactory

LIST_URL = "/api/v1/contracts"

OUTPUT_FIELDS = {
    "id",
    "vendor_name",
    "product_url",
    "vendor_domain",
    "extra_hosts",
    "annual_spend",
    "num_seats",
    "contract_type",
    "contract_status",
    "payment_type",
    "owner",
    "owner_name",
    "notes",
    "created_at",
    "expire_at",
    "updated_at",
}


def detail_url(contract: Contract) -> str:
    return f"/api/v1/contracts/{contract.id}"


@pytest.fixture
def slack(organization):
    return ContractFactory(
        organization=organization,
        vendor_name="Slack",
        host="app.slack.com",
        annual_spend=Decimal("8000.00"),
        num_seats=75,
        expire_at=datetime(2027, 10, 1, tzinfo=UTC),
    )


@pytest.fixture
def globex_zoom(other_organization):
    return ContractFactory(
        organization=other_organization, vendor_name="Zoom", host="zoom.us"
    )


# Listing.


def test_it_lists_the_organizations_contracts_paginated(
    member_client, slack, globex_zoom
):
    response = member_client.get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    [item] = body["results"]
    assert set(item) == OUTPUT_FIELDS
    assert item["id"] == slack.id
    assert item["product_url"] == "https://app.slack.com"
    assert item["vendor_domain"] == "slack.com"
    assert item["annual_spend"] == 8000.0
    assert item["num_seats"] == 75
    assert item["owner"] is None
    assert item["expire_at"] == "2027-10-01T00:00:00Z"


def test_it_pages_by_page_size(admin_client, organization):
    for n in range(5):
        ContractFactory(organization=organization, vendor_name=f"Vendor {n}")

    response = admin_client.get(LIST_URL, {"page_size": 2, "page": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [c["vendor_name"] for c in body["results"]] == ["Vendor 2", "Vendor 3"]
    assert "page=3" in body["next"]
    assert "page_size=2" in body["previous"]


def test_it_shows_an_outsider_only_their_own_contracts(
    outsider_client, slack, globex_zoom
):
    response = outsider_client.get(LIST_URL)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [globex_zoom.id]


def test_it_requires_authentication_to_list(anon_client, slack):
    response = anon_client.get(LIST_URL)

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided."
    }


def test_it_refuses_a_user_without_an_organization(staff_client, slack):
    response = staff_client.get(LIST_URL)

    assert response.status_code == 403


def test_it_answers_without_a_trailing_slash_and_never_redirects(admin_client):
    assert admin_client.get(LIST_URL).status_code == 200
    assert admin_client.get(LIST_URL + "/").status_code == 404


def test_it_lists_in_a_constant_number_of_queries(
    admin_client, organization, django_assert_max_num_queries
):
    ContractFactory.create_batch(3, organization=organization)
    with django_assert_max_num_queries(3) as few:
        assert admin_client.get(LIST_URL).status_code == 200

    ContractFactory.create_batch(30, organization=organization)
    with django_assert_max_num_queries(3) as many:
        assert admin_client.get(LIST_URL).status_code == 200

    assert len(few) == len(many)


# Filters.


def test_it_filters_by_status(admin_client, organization, slack):
    ContractFactory(organization=organization, contract_status="cancelled")

    response = admin_client.get(LIST_URL, {"status": "Active"})

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [slack.id]


def test_it_filters_contracts_expiring_before_a_day(admin_client, organization, slack):
    soon = ContractFactory(
        organization=organization, expire_at=datetime(2026, 12, 31, 23, tzinfo=UTC)
    )
    ContractFactory(
        organization=organization, expire_at=datetime(2027, 1, 1, tzinfo=UTC)
    )
    ContractFactory(organization=organization, expire_at=None)

    response = admin_client.get(LIST_URL, {"expiring_before": "2027-01-01"})

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [soon.id]


def test_it_rejects_a_bad_expiring_before_day(admin_client, slack):
    response = admin_client.get(LIST_URL, {"expiring_before": "soon"})

    assert response.status_code == 400
    assert response.json()["detail"] == "expiring_before: Enter a valid date."


def test_it_declares_the_400_of_a_bad_filter_in_the_schema(anon_client, db):
    # Found by the schema fuzzer: the 400 above was not in the schema.
    schema = anon_client.get("/api/schema", HTTP_ACCEPT="application/json").json()

    assert "400" in schema["paths"][LIST_URL]["get"]["responses"]


def test_it_searches_vendor_names_and_domains(admin_client, organization, slack):
    aws = ContractFactory(
        organization=organization, vendor_name="AWS", host="aws.amazon.com"
    )
    ContractFactory(organization=organization, vendor_name="Zoom", host="zoom.us")

    by_name = admin_client.get(LIST_URL, {"search": "slA"})
    by_domain = admin_client.get(LIST_URL, {"search": "amazon"})

    assert [c["id"] for c in by_name.json()["results"]] == [slack.id]
    assert [c["id"] for c in by_domain.json()["results"]] == [aws.id]


# Reading one.


def test_it_shows_one_contract_to_a_member(member_client, slack):
    response = member_client.get(detail_url(slack))

    assert response.status_code == 200
    assert response.json()["vendor_name"] == "Slack"


def test_it_hides_another_organizations_contract(admin_client, globex_zoom):
    response = admin_client.get(detail_url(globex_zoom))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_it_hides_a_contract_from_an_outsider(outsider_client, slack):
    assert outsider_client.get(detail_url(slack)).status_code == 404


def test_it_requires_authentication_to_read_one(anon_client, slack):
    assert anon_client.get(detail_url(slack)).status_code == 401


# Creating.


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
        "organization. Edit that contract instead."
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


# Changing.


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


# Deleting.


def test_it_deletes_a_contract(admin_client, slack, organization):
    version = organization.contracts_version

    response = admin_client.delete(detail_url(slack))

    assert response.status_code == 204
    assert not Contract.objects.exists()
    organization.refresh_from_db()
    assert organization.contracts_version > version


def test_it_refuses_members_to_delete(member_client, slack):
    assert member_client.delete(detail_url(slack)).status_code == 403
    assert Contract.objects.filter(pk=slack.pk).exists()


def test_it_refuses_to_delete_another_organizations_contract(outsider_client, slack):
    assert outsider_client.delete(detail_url(slack)).status_code == 404
    assert Contract.objects.filter(pk=slack.pk).exists()


def test_it_requires_authentication_to_delete(anon_client, slack):
    assert anon_client.delete(detail_url(slack)).status_code == 401
    assert Contract.objects.filter(pk=slack.pk).exists()


# The audit trail.


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
            "contract_status",
            "contract_type",
            "expire_at",
            "extra_hosts",
            "notes",
            "num_seats",
            "owner_id",
            "owner_name",
            "payment_type",
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
