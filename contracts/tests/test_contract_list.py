"""GET /api/v1/contracts: the organization's contracts, paginated, filtered
and searched."""

from datetime import UTC, datetime

import pytest

from contracts.tests.factories import ContractFactory
from contracts.tests.helpers import LIST_URL
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL

OUTPUT_FIELDS = {
    "id",
    "vendor_name",
    "product_url",
    "vendor_domain",
    "extra_hosts",
    "annual_spend",
    "currency",
    "num_seats",
    "contract_type",
    "contract_status",
    "pricing_model",
    "auto_renew",
    "notice_period_days",
    "everyone_gets_it",
    "renews_on",
    "cancel_by",
    "payment_type",
    "owner",
    "owner_name",
    "notes",
    "created_at",
    "expire_at",
    "updated_at",
}


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
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
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


# Before Slack's expiry (2027-10-01), so that it is still active.
@pytest.mark.time_machine(datetime(2026, 12, 15, 12, tzinfo=UTC))
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
    assert response.json()["detail"] == (
        "expiring_before: Enter a valid date as YYYY-MM-DD, for example 2027-01-31."
    )


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


def test_it_refuses_an_unverified_sign_up_with_a_made_up_mailbox(
    anon_client, organization, slack
):
    signed_up = anon_client.post(
        "/api/v1/auth/create-user",
        {"email": "nobody-123@acme.io", "password": "Str0ngPass", "device_id": "d"},
        format="json",
    )
    assert signed_up.status_code == 201

    response = anon_client.get(LIST_URL)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Verify your email address to see your organization's "
        "contracts. We sent a link to nobody-123@acme.io; ask for a new one at "
        "/api/v1/auth/verify-email/resend.",
        "code": "email_not_verified",
    }
    # The hosts the extension filters on stay open to members, as before.
    hosts = anon_client.get("/api/v1/url-visits/monitored-hosts")
    assert hosts.status_code == 200
