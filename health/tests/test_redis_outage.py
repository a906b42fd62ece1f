"""With CACHE_URL on Redis, limits hold while Redis answers and fail open,
never with a 500, while it cannot be reached (procure_site/cache_backends.py).
"""

import socket
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from procure_site.database_settings import caches_read

pytestmark = pytest.mark.django_db


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def use_redis(settings, monkeypatch, url: str) -> None:
    """The cache settings CACHE_URL=url gives, with a prefix of this test's
    own, so that no other test's counts meet it."""
    monkeypatch.setenv("CACHE_URL", url)
    configured = caches_read()
    configured["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = configured


def wrong_sign_ins(client: APIClient, email: str, count: int) -> list[int]:
    return [
        client.post(
            "/api/v1/auth/sign-in",
            {"email": email, "password": "Wr0ng-guess", "device_id": "d"},
            format="json",
        ).status_code
        for _ in range(count)
    ]


def test_redis_urls_get_the_backend_that_fails_open(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/3")

    default = caches_read()["default"]

    assert default["BACKEND"] == "procure_site.cache_backends.FailOpenRedisCache"
    assert default["OPTIONS"]["socket_connect_timeout"] == 0.5


@pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_the_sign_in_throttle_holds_while_redis_answers(settings, monkeypatch, member):
    use_redis(settings, monkeypatch, "redis://127.0.0.1:6379/3")

    statuses = wrong_sign_ins(APIClient(), member.email, 12)

    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_nothing_answers_500_while_redis_is_unreachable(
    settings, monkeypatch, organization, caplog
):
    # Nothing listens on port 1: every call to Redis fails at once.
    use_redis(settings, monkeypatch, "redis://127.0.0.1:1/0")
    user = UserFactory(organization=organization, email="max@acme.io")
    client = APIClient()

    statuses = wrong_sign_ins(client, "max@acme.io", 12)
    signed_in = client.post(
        "/api/v1/auth/sign-in",
        {"email": user.email, "password": TEST_PASSWORD, "device_id": "d"},
        format="json",
    )

    # Failing open: no count is kept, so the 11th attempt is not throttled.
    assert statuses == [401] * 12
    assert signed_in.status_code == 200, signed_in.json()
    token = signed_in.json()["device_token"]
    reported = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/v1/url-visits",
        {"entries": [{"url": "https://example.com", "timestamp": 1}]},
        format="json",
    )
    assert reported.status_code == 200, reported.json()
    assert "Redis cannot be reached" in caplog.text
