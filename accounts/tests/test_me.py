from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services.sessions import session_token_issue
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL


def test_it_describes_the_signed_in_user(member_client, member):
    response = member_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(member.id),
        "email": "max@acme.io",
        "organization_id": member.organization.public_id,
        "role": "member",
        "discovery_enabled": False,
    }


def test_it_tells_a_member_that_discovery_is_on(member_client, organization):
    organization.discovery_enabled = True
    organization.save()

    response = member_client.get("/api/v1/auth/me")

    assert response.json()["discovery_enabled"] is True


def test_it_accepts_the_device_token(device_client, member):
    response = device_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["id"] == str(member.id)


def test_it_accepts_the_web_cookie(admin_user):
    client = APIClient()
    client.cookies[settings.AUTH_COOKIE_NAME] = session_token_issue(user=admin_user)

    response = client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["role"] == "admin"


def test_it_gives_a_staff_user_without_organization_a_null_id(staff_client):
    response = staff_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["organization_id"] is None


def test_it_answers_401_without_credentials(anon_client):
    response = anon_client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert response.json() == {
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_it_answers_401_for_a_garbage_bearer(anon_client, member):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")

    response = anon_client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert "access token is invalid" in response.json()["detail"]


def test_it_refuses_a_session_cookie_value_as_a_bearer_token(anon_client, member):
    anon_client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {session_token_issue(user=member)}"
    )

    assert anon_client.get("/api/v1/auth/me").status_code == 401


def test_it_refuses_a_token_of_a_deactivated_user(member):
    token = AccessToken.for_user(member)
    member.is_active = False
    member.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert client.get("/api/v1/auth/me").status_code == 401


def test_it_refuses_tokens_issued_before_a_password_change(member):
    client = APIClient()
    client.cookies[settings.AUTH_COOKIE_NAME] = session_token_issue(user=member)
    member.set_password("N3wPassword!")
    member.save()

    assert client.get("/api/v1/auth/me").status_code == 401


def test_it_tells_an_anonymous_caller_how_to_sign_in_in_our_words(anon_client):
    response = anon_client.get("/api/v1/auth/me")

    detail = response.json()["detail"]
    assert "Authentication credentials were not provided" not in detail
    assert detail.startswith("You are not signed in. Sign in, then send your token")
