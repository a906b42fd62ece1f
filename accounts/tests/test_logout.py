from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import DeviceToken
from accounts.services.sessions import device_token_issue, session_token_issue
from audit.models import AuditAction, AuditEvent
from conftest import WEB_ORIGIN

URL = "/api/v1/auth/logout"


def cookie_client(user) -> tuple[APIClient, str]:
    client = APIClient()
    value = session_token_issue(user=user)
    client.cookies[settings.AUTH_COOKIE_NAME] = value
    return client, value


def test_it_clears_the_cookie_and_ends_its_session(member):
    client, value = cookie_client(member)
    assert client.get("/api/v1/auth/me").status_code == 200

    response = client.post(URL, HTTP_ORIGIN=WEB_ORIGIN)

    assert response.status_code == 200
    assert response.json() == {"detail": "Successfully logged out"}
    cleared = response.cookies[settings.AUTH_COOKIE_NAME]
    assert cleared.value == ""
    assert cleared["max-age"] == 0
    # The same cookie value, replayed, no longer authenticates.
    replay = APIClient()
    replay.cookies[settings.AUTH_COOKIE_NAME] = value
    response = replay.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Your session has ended. Sign in again.",
        "code": "invalid_credentials",
    }


def test_it_revokes_the_device_token_it_was_called_with(member):
    raw = device_token_issue(user=member, device_id="ext-1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = client.post(URL)

    assert response.status_code == 200
    assert DeviceToken.objects.get(user=member).revoked_at is not None
    assert client.get("/api/v1/auth/me").status_code == 401


def test_it_leaves_the_users_other_sessions_alone(member):
    other_device = device_token_issue(user=member, device_id="ext-2")
    client, _ = cookie_client(member)

    client.post(URL, HTTP_ORIGIN=WEB_ORIGIN)

    still = APIClient()
    still.credentials(HTTP_AUTHORIZATION=f"Bearer {other_device}")
    assert still.get("/api/v1/auth/me").status_code == 200


def test_it_succeeds_without_any_session(anon_client):
    response = anon_client.post(URL)

    assert response.status_code == 200
    assert response.json() == {"detail": "Successfully logged out"}


def test_it_refuses_a_cookie_logout_from_an_untrusted_origin(member):
    client, value = cookie_client(member)

    response = client.post(URL, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert "https://evil.example" in response.json()["detail"]
    replay = APIClient()
    replay.cookies[settings.AUTH_COOKIE_NAME] = value
    assert replay.get("/api/v1/auth/me").status_code == 200


def test_it_audits_the_revoked_device_token(member, organization):
    raw = device_token_issue(user=member, device_id="ext-1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    client.post(URL)

    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (event.actor, event.organization, event.target) == (
        member,
        organization,
        "max@acme.io",
    )
    assert event.details == {"reason": "logout", "device_id": "ext-1"}
    assert raw not in str(event.details)
