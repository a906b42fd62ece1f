"""API answers depend on who asks and carry personal data: no cache keeps
them, unless a view says otherwise (ApiCacheControlMiddleware)."""

import pytest


def vary(response) -> set[str]:
    return {part.strip() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/me",
        "/api/v1/me/activity",
        "/api/v1/contracts",
    ],
)
def test_it_forbids_storing_authenticated_answers(member_client, path):
    response = member_client.get(path)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert {"Authorization", "Cookie"} <= vary(response)


def test_it_forbids_storing_organization_numbers(admin_client, organization):
    response = admin_client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage"
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert {"Authorization", "Cookie"} <= vary(response)


def test_it_forbids_storing_a_sign_in_that_returns_a_token(anon_client, member):
    response = anon_client.post(
        "/api/v1/auth/token",
        {"email": "max@acme.io", "password": "Str0ngPass1"},
        format="json",
    )

    assert response["Cache-Control"] == "no-store"


def test_it_leaves_monitored_hosts_revalidated_by_its_etag(member_client):
    response = member_client.get("/api/v1/url-visits/monitored-hosts")

    assert response["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie"} <= vary(response)
