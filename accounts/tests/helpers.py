"""Small builders shared by the accounts tests."""

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services.sessions import device_token_issue, session_token_issue
from conftest import WEB_ORIGIN


def link_in(message: EmailMessage) -> tuple[str, dict[str, str]]:
    """The web-app link in an email: its path and its query parameters."""
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    parts = urlsplit(match.group())
    assert match.group().startswith(settings.PUBLIC_BASE_URL)
    return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}


class SignedIn:
    """One user signed in every way at once: the extension's device token, the
    web app's cookie and a script's JWT refresh token."""

    def __init__(self, user: User):
        self.device_token = device_token_issue(user=user, device_id="ext-1")
        self.cookie = session_token_issue(user=user)
        self.refresh = str(RefreshToken.for_user(user))

    def device_client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.device_token}")
        return client

    def cookie_client(self) -> APIClient:
        client = APIClient(HTTP_ORIGIN=WEB_ORIGIN)
        client.cookies[settings.AUTH_COOKIE_NAME] = self.cookie
        return client

    def refresh_status(self) -> int:
        return (
            APIClient()
            .post(
                "/api/v1/auth/token/refresh", {"refresh": self.refresh}, format="json"
            )
            .status_code
        )

    def statuses(self) -> dict[str, int]:
        """What each credential gets from /auth/me (and the refresh endpoint)."""
        return {
            "device": self.device_client().get("/api/v1/auth/me").status_code,
            "cookie": self.cookie_client().get("/api/v1/auth/me").status_code,
            "refresh": self.refresh_status(),
        }


def change_form(user: User, **changes: str) -> dict[str, str]:
    """The user's change form as the admin posts it, with `changes`."""
    data = {
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "",
        "device_tokens-TOTAL_FORMS": "0",
        "device_tokens-INITIAL_FORMS": "0",
        "device_tokens-MIN_NUM_FORMS": "0",
        "device_tokens-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}
