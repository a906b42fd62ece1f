"""GET/PUT/DELETE organizations/{id}/identity-provider: an admin points
proCure at the organization's OpenID provider; the client secret is kept
encrypted and never shown back."""

import pytest

from audit.models import AuditAction, AuditEvent
from identity.models import OidcProvider
from identity.secrets import secret_decrypt

pytestmark = pytest.mark.django_db(transaction=True)


def url(organization) -> str:
    return f"/api/v1/organizations/{organization.public_id}/identity-provider"


def test_an_admin_sets_the_provider_and_never_sees_the_secret_again(
    admin_client, organization, oidc_provider
):
    body = {
        "issuer": oidc_provider.issuer,
        "client_id": "procure-acme",
        "client_secret": "procure-acme-secret",
        "password_sign_in": False,
    }

    response = admin_client.put(url(organization), body, format="json")

    assert response.status_code == 200, response.json()
    shown = response.json()
    assert shown["configured"] is True
    assert shown["issuer"] == oidc_provider.issuer
    assert shown["client_secret"] == "…cret"
    assert shown["password_sign_in"] is False
    assert shown["redirect_uri"] == "http://testserver/account/sso/callback"
    assert "procure-acme-secret" not in str(admin_client.get(url(organization)).json())
    stored = OidcProvider.objects.get()
    assert "procure-acme-secret" not in stored.client_secret_encrypted
    assert secret_decrypt(stored.client_secret_encrypted) == "procure-acme-secret"
    event = AuditEvent.objects.get(action=AuditAction.IDENTITY_PROVIDER_CHANGED)
    assert "procure-acme-secret" not in str(event.details)
    assert event.details["client_credentials_changed"] is True
    # Changing the client id keeps the secret.
    again = admin_client.put(
        url(organization),
        {**body, "client_secret": "", "client_id": "x"},
        format="json",
    )
    assert again.status_code == 200
    assert secret_decrypt(OidcProvider.objects.get().client_secret_encrypted) == (
        "procure-acme-secret"
    )
    removed = admin_client.delete(url(organization))
    assert removed.status_code == 204
    after = admin_client.get(url(organization)).json()
    assert after["configured"] is False and after["password_sign_in"] is True


@pytest.mark.parametrize(
    ("issuer", "sentence"),
    [
        ("http://127.0.0.1:9/", "proCure could not read"),
        ("ftp://idp.example", "The issuer must be an https:// URL."),
    ],
)
def test_an_issuer_that_is_not_a_provider_is_a_400(
    admin_client, organization, issuer, sentence
):
    response = admin_client.put(
        url(organization),
        {"issuer": issuer, "client_id": "a", "client_secret": "b"},
        format="json",
    )

    assert response.status_code == 400
    assert sentence in str(response.json())
    assert not OidcProvider.objects.exists()


def test_a_private_issuer_is_refused_in_production(
    admin_client, organization, settings
):
    settings.OIDC_ALLOW_PRIVATE_ISSUERS = False

    response = admin_client.put(
        url(organization),
        {"issuer": "https://127.0.0.1", "client_id": "a", "client_secret": "b"},
        format="json",
    )

    assert response.status_code == 400
    assert "not public" in response.json()["detail"]


def test_members_and_other_organizations_cannot_read_or_set_it(
    member_client, outsider_client, organization
):
    body = {"issuer": "https://idp.example", "client_id": "a", "client_secret": "b"}
    for client in (member_client, outsider_client):
        assert client.get(url(organization)).status_code == 403
        assert client.put(url(organization), body, format="json").status_code == 403
        assert client.delete(url(organization)).status_code == 403
    assert not OidcProvider.objects.exists()


def test_staff_see_which_organizations_sign_in_with_a_provider_never_the_secret(
    admin_client, organization, oidc_provider, staff_user
):
    from django.conf import settings
    from django.test import Client

    from conftest import grant

    admin_client.put(
        url(organization),
        {
            "issuer": oidc_provider.issuer,
            "client_id": "procure-acme",
            "client_secret": "procure-acme-secret",
        },
        format="json",
    )
    browser = Client()
    browser.force_login(grant(staff_user, "identity.view_oidcprovider"))

    page = browser.get(f"/{settings.ADMIN_URL}identity/oidcprovider/")

    assert page.status_code == 200
    text = page.content.decode()
    assert oidc_provider.issuer in text and "…cret" in text
    assert "procure-acme-secret" not in text
    assert OidcProvider.objects.get().client_secret_encrypted not in text


def test_a_stored_secret_survives_a_secret_key_rotation(settings):
    from identity.secrets import secret_encrypt

    settings.SECRET_KEY = "old-key"
    stored = secret_encrypt("procure-acme-secret")
    settings.SECRET_KEY = "new-key"
    assert secret_decrypt(stored) is None

    settings.SECRET_KEY_FALLBACKS = ["old-key"]

    assert secret_decrypt(stored) == "procure-acme-secret"
