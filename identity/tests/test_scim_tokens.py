"""POST/GET organizations/{id}/scim-tokens and …/{token_id}/revoke: an
admin creates a token for the identity provider, sees it once, lists it
without the secret, and revokes it."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from identity.models import ScimToken, hash_scim_token

pytestmark = pytest.mark.django_db


def tokens_url(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/scim-tokens"


def scim_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_an_admin_creates_a_token_shown_once_and_stored_hashed(
    admin_client, organization
):
    response = admin_client.post(
        tokens_url(organization), {"name": "Okta"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert raw.startswith("scim_") and len(raw) == 48
    assert body["name"] == "Okta"
    assert body["prefix"] == raw[:12]
    assert body["created_by"] == "ada@acme.io"
    stored = ScimToken.objects.get()
    assert stored.token_hash == hash_scim_token(raw)
    assert raw not in str(stored.__dict__)
    listed = admin_client.get(tokens_url(organization)).json()
    assert [token["name"] for token in listed] == ["Okta"]
    assert "token" not in listed[0]
    assert raw not in str(listed)
    event = AuditEvent.objects.get(action=AuditAction.SCIM_TOKEN_CREATED)
    assert event.details == {"name": "Okta", "prefix": raw[:12]}
    assert raw not in str(event.details)
    # The token works at /scim/v2/.
    assert scim_client(raw).get("/scim/v2/Users").status_code == 200


def test_a_revoked_token_answers_401_and_rotation_keeps_provisioning(
    admin_client, organization
):
    old = admin_client.post(
        tokens_url(organization), {"name": "Okta"}, format="json"
    ).json()
    new = admin_client.post(
        tokens_url(organization), {"name": "Okta 2"}, format="json"
    ).json()

    response = admin_client.post(f"{tokens_url(organization)}/{old['id']}/revoke")

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    refused = scim_client(old["token"]).get("/scim/v2/Users")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/scim+json"
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert "scim-tokens" in refused.json()["detail"]
    assert scim_client(new["token"]).get("/scim/v2/Users").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SCIM_TOKEN_REVOKED).count() == 1
    # Revoking it again changes and audits nothing.
    admin_client.post(f"{tokens_url(organization)}/{old['id']}/revoke")
    assert AuditEvent.objects.filter(action=AuditAction.SCIM_TOKEN_REVOKED).count() == 1


def test_an_organization_has_at_most_five_live_tokens(admin_client, organization):
    for n in range(5):
        assert (
            admin_client.post(
                tokens_url(organization), {"name": f"t{n}"}, format="json"
            ).status_code
            == 201
        )

    response = admin_client.post(
        tokens_url(organization), {"name": "sixth"}, format="json"
    )

    assert response.status_code == 409
    assert "Revoke one" in response.json()["detail"]
    assert ScimToken.objects.count() == 5


def test_a_name_too_long_is_a_400_that_says_so(admin_client, organization):
    response = admin_client.post(
        tokens_url(organization), {"name": "x" * 101}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["name"] == [
        "A token's name is at most 100 characters."
    ]


def test_members_and_other_organizations_cannot_see_or_make_tokens(
    admin_client, member_client, outsider_client, organization
):
    made = admin_client.post(
        tokens_url(organization), {"name": "Okta"}, format="json"
    ).json()

    for client in (member_client, outsider_client):
        assert client.get(tokens_url(organization)).status_code == 403
        assert (
            client.post(
                tokens_url(organization), {"name": "x"}, format="json"
            ).status_code
            == 403
        )
        revoke = client.post(f"{tokens_url(organization)}/{made['id']}/revoke")
        assert revoke.status_code == 403
    assert ScimToken.objects.count() == 1
    assert ScimToken.objects.get().revoked_at is None


def test_an_admin_cannot_revoke_another_organizations_token(
    admin_client, outsider_client, organization, other_organization
):
    theirs = outsider_client.post(
        tokens_url(other_organization), {"name": "x"}, format="json"
    ).json()

    response = admin_client.post(f"{tokens_url(organization)}/{theirs['id']}/revoke")

    assert response.status_code == 404
    assert ScimToken.objects.get(pk=theirs["id"]).revoked_at is None


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer scim_not-a-token", "Basic c2NpbTp4", "Bearer " + "x" * 500],
)
def test_scim_without_a_live_token_is_401(anon_client, authorization):
    if authorization:
        anon_client.credentials(HTTP_AUTHORIZATION=authorization)

    response = anon_client.get("/scim/v2/Users")

    assert response.status_code == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_staff_revoke_a_token_in_the_console_audited(
    admin_client, organization, staff_user
):
    from django.conf import settings
    from django.test import Client

    from conftest import grant

    made = admin_client.post(
        tokens_url(organization), {"name": "Okta"}, format="json"
    ).json()
    staff = grant(staff_user, "identity.view_scimtoken", "identity.change_scimtoken")
    browser = Client()
    browser.force_login(staff)
    changelist = f"/{settings.ADMIN_URL}identity/scimtoken/"
    page = browser.get(changelist)
    assert page.status_code == 200
    assert made["prefix"] in page.content.decode()
    assert ScimToken.objects.get().token_hash not in page.content.decode()

    response = browser.post(
        changelist, {"action": "revoke", "_selected_action": [made["id"]]}
    )

    assert response.status_code == 302
    assert scim_client(made["token"]).get("/scim/v2/Users").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.SCIM_TOKEN_REVOKED)
    assert event.actor == staff
