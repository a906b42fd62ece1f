"""Signing in with the organization's OpenID Connect provider, against a
real provider (panva's oidc-provider, started by the `oidc_provider`
fixture): the authorization code flow with PKCE, then proCure's checks of
the ID token and of the person."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.django_client.apps import DjangoOAuth2App
from django.test import Client

from accounts.models import Role, User
from audit.models import AuditAction, AuditEvent
from identity.services.oidc import oidc_provider_set
from identity.tests.conftest import path_of, provider_login

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK = "http://testserver/account/sso/callback"


def refusal(response) -> str:
    """The sentence the sign-in page shows."""
    found = re.search(r'role="status">(.*?)</p>', response.content.decode(), re.S)
    assert found, response.content.decode()
    return html.unescape(found.group(1))


@pytest.fixture
def acme_sso(organization, oidc_provider):
    oidc_provider_set(
        organization=organization,
        issuer=oidc_provider.issuer,
        client_id="procure-acme",
        client_secret="procure-acme-secret",
        password_sign_in=True,
        actor=None,
    )
    return oidc_provider


def start(client: Client, email: str, next_url: str = "/api/v1/auth/me") -> str:
    response = client.get("/account/sso", {"email": email, "next": next_url})
    assert response.status_code == 302, response.content
    return response["Location"]


def test_a_new_person_signs_in_into_the_web_app_session(acme_sso, organization):
    browser = Client()

    authorize = start(browser, "jane@acme.io")

    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{acme_sso.issuer}/auth?")
    assert query["client_id"] == ["procure-acme"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert query["redirect_uri"] == [CALLBACK]
    back = provider_login(authorize, "jane@acme.io", CALLBACK)
    done = browser.get(path_of(back))
    assert done.status_code == 302
    assert done["Location"] == "/api/v1/auth/me"
    me = browser.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == "jane@acme.io"
    assert me.json()["organization_id"] == organization.public_id
    user = User.objects.get(email="jane@acme.io")
    assert user.role == Role.MEMBER and user.email_verified
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action=AuditAction.USER_SIGNED_UP)
    assert event.details == {"role": "member", "via": "sso"}
    # Signing in again finds the same person.
    again = Client()
    back = provider_login(start(again, "jane@acme.io"), "jane@acme.io", CALLBACK)
    assert again.get(path_of(back)).status_code == 302
    assert User.objects.filter(email="jane@acme.io").count() == 1


def test_a_replayed_state_is_refused(acme_sso):
    browser = Client()
    back = provider_login(start(browser, "jane@acme.io"), "jane@acme.io", CALLBACK)
    assert browser.get(path_of(back)).status_code == 302
    browser.cookies.pop("procure_auth")

    # The same answer again: its state was used.
    replayed = browser.get(path_of(back))
    assert replayed.status_code == 400
    assert "already been used" in refusal(replayed)
    # Even while another sign-in is under way in the same browser.
    start(browser, "jane@acme.io")
    replayed = browser.get(path_of(back))
    assert replayed.status_code == 403
    assert "State not equal" in refusal(replayed)
    assert "procure_auth" not in replayed.cookies


def test_an_unverified_email_is_refused(acme_sso):
    browser = Client()
    login = "unverified.ann@acme.io"
    back = provider_login(start(browser, login), login, CALLBACK)

    refused = browser.get(path_of(back))

    assert refused.status_code == 403
    assert "does not say that unverified.ann@acme.io is verified" in (
        refused.content.decode()
    )
    assert not User.objects.filter(email=login).exists()
    assert "procure_auth" not in refused.cookies


def test_an_address_outside_the_organizations_domains_is_refused(acme_sso):
    browser = Client()
    back = provider_login(start(browser, "jane@acme.io"), "jane@gmail.com", CALLBACK)

    refused = browser.get(path_of(back))

    assert refused.status_code == 403
    assert "jane@gmail.com is not an address at acme.io" in refused.content.decode()
    assert not User.objects.filter(email="jane@gmail.com").exists()


def _exchange(issuer: str, client_id: str, code: str, verifier: str) -> dict:
    answer = requests.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        auth=(client_id, f"{client_id}-secret"),
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def _pending_verifier(browser: Client, state: str) -> str:
    """The PKCE verifier proCure keeps for `state` in the session."""
    for key, value in browser.session.items():
        if key.startswith("_state_") and key.endswith(state):
            return value["data"]["code_verifier"]
    raise AssertionError("no pending sign-in in the session")


def test_an_id_token_for_another_audience_is_refused(acme_sso, monkeypatch):
    # The provider signs a real ID token for another of its clients, with
    # proCure's nonce; it reaches proCure's callback instead of its own.
    browser = Client()
    authorize = start(browser, "jane@acme.io")
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    verifier = _pending_verifier(browser, state)
    for_other = authorize.replace("client_id=procure-acme", "client_id=other-app")
    back = provider_login(for_other, "jane@acme.io", CALLBACK)
    code = parse_qs(urlsplit(back).query)["code"][0]
    tokens = _exchange(acme_sso.issuer, "other-app", code, verifier)
    monkeypatch.setattr(
        DjangoOAuth2App, "fetch_access_token", lambda self, **kwargs: dict(tokens)
    )

    refused = browser.get(path_of(back))

    assert refused.status_code == 403
    assert "could not be trusted (invalid_claim: Invalid claim: 'aud')" in refusal(
        refused
    )
    assert not User.objects.filter(email="jane@acme.io").exists()
    assert "procure_auth" not in refused.cookies


def test_an_id_token_with_a_bad_signature_is_refused(acme_sso, monkeypatch):
    real_fetch = DjangoOAuth2App.fetch_access_token

    def tampered(self, **kwargs):
        tokens = real_fetch(self, **kwargs)
        header, payload, signature = tokens["id_token"].split(".")
        flipped = ("A" if signature[10] != "A" else "B").join(
            (signature[:10], signature[11:])
        )
        return {**tokens, "id_token": f"{header}.{payload}.{flipped}"}

    monkeypatch.setattr(DjangoOAuth2App, "fetch_access_token", tampered)
    browser = Client()
    back = provider_login(start(browser, "jane@acme.io"), "jane@acme.io", CALLBACK)

    refused = browser.get(path_of(back))

    assert refused.status_code == 403
    assert "could not be trusted (bad_signature" in refusal(refused)
    assert not User.objects.filter(email="jane@acme.io").exists()


def test_password_sign_in_can_be_turned_off(acme_sso, organization, member):
    member.set_password("Str0ngPass")
    member.save()
    organization.password_sign_in = False
    organization.save()

    refused = Client().post(
        "/api/v1/auth/sign-in",
        {"email": "max@acme.io", "password": "Str0ngPass", "device_id": "d"},
        content_type="application/json",
    )
    token = Client().post(
        "/api/v1/auth/token",
        {"email": "max@acme.io", "password": "Str0ngPass"},
        content_type="application/json",
    )

    assert refused.status_code == 403
    assert refused.json()["detail"].startswith(
        "Acme signs in with its identity provider only"
    )
    assert token.status_code == 403
    # The provider still signs them in.
    browser = Client()
    back = provider_login(start(browser, "max@acme.io"), "max@acme.io", CALLBACK)
    assert browser.get(path_of(back)).status_code == 302
    assert browser.get("/api/v1/auth/me").json()["email"] == "max@acme.io"


def test_a_person_of_another_organization_cannot_sign_in_here(acme_sso, outsider_admin):
    browser = Client()
    back = provider_login(start(browser, "jane@acme.io"), "olga@globex.com", CALLBACK)

    refused = browser.get(path_of(back))

    assert refused.status_code == 403
    assert "belongs to another organization" in refused.content.decode()


def test_without_a_provider_the_page_says_to_use_the_password(organization):
    page = Client().get("/account/sso", {"email": "jane@acme.io"})

    assert page.status_code == 404
    assert "Acme does not sign in with an identity provider" in page.content.decode()
    unknown = Client().get("/account/sso", {"email": "x@nowhere.example"})
    assert "proCure has no organization for nowhere.example" in (
        unknown.content.decode()
    )
    form = Client().get("/account/sso")
    assert form.status_code == 200
    assert 'name="email"' in form.content.decode()


def test_a_first_sign_in_respects_the_member_seats(acme_sso, organization, member):
    organization.member_seats = 1
    organization.save()
    browser = Client()
    back = provider_login(start(browser, "jane@acme.io"), "jane@acme.io", CALLBACK)

    refused = browser.get(path_of(back))

    assert refused.status_code == 400
    assert refusal(refused).startswith("Acme has no member seats left (1 of 1 taken).")
    assert not User.objects.filter(email="jane@acme.io").exists()
    assert "procure_auth" not in refused.cookies


def test_starting_sign_ins_is_throttled_per_address(organization):
    browser = Client()
    for _ in range(10):
        browser.get("/account/sso", {"email": "jane@acme.io"})

    throttled = browser.get("/account/sso", {"email": "jane@acme.io"})

    assert throttled.status_code == 429
    assert refusal(throttled).startswith("Too many sign-ins from your network")
    # The form itself is not counted.
    assert browser.get("/account/sso").status_code == 200
