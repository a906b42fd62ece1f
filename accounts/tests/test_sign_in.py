import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import DeviceToken, hash_device_token
from accounts.services.sessions import device_token_issue
from accounts.tests.factories import TEST_PASSWORD

URL = "/api/v1/auth/sign-in"


def sign_in(client, **body):
    return client.post(URL, body, format="json")


def test_it_signs_in_with_email_and_password(anon_client, member):
    response = sign_in(
        anon_client, email="max@acme.io", password=TEST_PASSWORD, device_id="ext-9"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(member.id)
    assert body["email"] == "max@acme.io"
    assert body["organization_id"] == member.organization.public_id
    assert body["role"] == "member"
    assert response.cookies[settings.AUTH_COOKIE_NAME].value
    token = DeviceToken.objects.live().get(user=member, device_id="ext-9")
    assert token.token_hash == hash_device_token(body["device_token"])


def test_it_treats_the_email_case_insensitively(anon_client, member):
    response = sign_in(
        anon_client, email="Max@ACME.io", password=TEST_PASSWORD, device_id="d"
    )

    assert response.status_code == 200
    assert response.json()["id"] == str(member.id)


def test_it_replaces_the_devices_old_token(anon_client, member):
    first = sign_in(
        anon_client, email="max@acme.io", password=TEST_PASSWORD, device_id="laptop"
    ).json()["device_token"]
    second = sign_in(
        anon_client, email="max@acme.io", password=TEST_PASSWORD, device_id="laptop"
    ).json()["device_token"]

    assert first != second
    assert (
        DeviceToken.objects.live().filter(user=member, device_id="laptop").count() == 1
    )
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Bearer {first}")
    assert old.get("/api/v1/auth/me").status_code == 401
    new = APIClient()
    new.credentials(HTTP_AUTHORIZATION=f"Bearer {second}")
    assert new.get("/api/v1/auth/me").status_code == 200


def test_it_keeps_tokens_of_other_devices(anon_client, member):
    laptop = device_token_issue(user=member, device_id="laptop")
    sign_in(anon_client, email="max@acme.io", password=TEST_PASSWORD, device_id="phone")

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {laptop}")
    assert client.get("/api/v1/auth/me").status_code == 200


def test_it_signs_in_with_a_device_token_and_returns_it_as_is(anon_client, member):
    raw = device_token_issue(user=member, device_id="ext-1")

    response = sign_in(anon_client, device_token=raw, device_id="ext-1")

    assert response.status_code == 200
    assert response.json()["device_token"] == raw
    assert response.json()["email"] == "max@acme.io"
    assert response.cookies[settings.AUTH_COOKIE_NAME].value
    assert DeviceToken.objects.live().filter(user=member).count() == 1


def test_it_signs_in_with_a_device_token_beside_a_password_without_email(
    anon_client, member
):
    # Found by the schema fuzzer: a password without an email sent the
    # request down the password path, which failed with a 500.
    raw = device_token_issue(user=member, device_id="ext-1")

    response = sign_in(
        anon_client, device_token=raw, password="stray", device_id="ext-1"
    )

    assert response.status_code == 200
    assert response.json()["device_token"] == raw


def test_it_refuses_a_device_token_from_another_device(anon_client, member):
    raw = device_token_issue(user=member, device_id="ext-1")

    response = sign_in(anon_client, device_token=raw, device_id="someone-else")

    assert response.status_code == 401


def test_it_refuses_an_unknown_device_token(anon_client, member):
    response = sign_in(anon_client, device_token="made-up", device_id="ext-1")

    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


@pytest.mark.parametrize(
    ("email", "password"),
    [("max@acme.io", "Wr0ngPassword"), ("nobody@acme.io", TEST_PASSWORD)],
)
def test_it_gives_the_same_answer_for_a_wrong_password_or_unknown_email(
    anon_client, member, email, password
):
    response = sign_in(anon_client, email=email, password=password, device_id="d")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid email or password",
        "code": "invalid_credentials",
    }
    assert settings.AUTH_COOKIE_NAME not in response.cookies
    assert not DeviceToken.objects.exists()


def test_it_refuses_a_deactivated_user(anon_client, member):
    member.is_active = False
    member.save()

    response = sign_in(
        anon_client, email="max@acme.io", password=TEST_PASSWORD, device_id="d"
    )

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid email or password",
        "code": "invalid_credentials",
    }


def test_it_asks_for_either_credentials(anon_client, member):
    response = sign_in(anon_client, email="max@acme.io", device_id="d")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Send either email and password, or device_token, with device_id."
    )


def test_it_throttles_repeated_failures(anon_client, member, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"sign_in": "3/minute", "sign_up": "9/m"}
    )
    statuses = [
        sign_in(
            anon_client, email="max@acme.io", password="Wr0ngPass", device_id="d"
        ).status_code
        for _ in range(4)
    ]

    assert statuses == [401, 401, 401, 429]
    # Even the right password waits until the window has passed.
    response = sign_in(
        anon_client, email="max@acme.io", password=TEST_PASSWORD, device_id="d"
    )
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_it_throttles_whatever_x_forwarded_for_says(anon_client, member, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"sign_in": "3/minute"})
    statuses = [
        anon_client.post(
            URL,
            {"email": "max@acme.io", "password": "Wr0ngPass", "device_id": "d"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(5)
    ]

    assert statuses == [401, 401, 401, 429, 429]


def test_it_counts_the_address_one_trusted_proxy_names(
    anon_client, member, monkeypatch, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"sign_in": "2/minute"})

    def attempt(forwarded_for: str) -> int:
        return anon_client.post(
            URL,
            {"email": "max@acme.io", "password": "Wr0ngPass", "device_id": "d"},
            format="json",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    # The proxy appends the real address; whatever the client put before it
    # does not make it someone else.
    assert attempt("1.1.1.1, 198.51.100.7") == 401
    assert attempt("2.2.2.2, 198.51.100.7") == 401
    assert attempt("3.3.3.3, 198.51.100.7") == 429
    # Another real client has counts of its own.
    assert attempt("198.51.100.8") == 401


def attempt(client: APIClient, password: str, address: str, email: str = "max@acme.io"):
    """A password sign-in from `address`, as the one trusted proxy names it."""
    return client.post(
        URL,
        {"email": email, "password": password, "device_id": "d"},
        format="json",
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def behind_a_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


NETWORK_LOCKED = (
    "Too many failed sign-ins to this account from your network. Try again in "
    "15 minutes, or reset your password: a completed reset unlocks it at once."
)
ACCOUNT_LOCKED = (
    "Too many failed sign-ins to this account from many networks: for the next "
    "15 minutes it takes passwords only from networks it has signed in from "
    "before. Reset your password to sign in from here: a completed reset "
    "unlocks it at once."
)


def test_it_locks_a_network_out_of_an_account_after_repeated_failures(
    anon_client, member, settings, behind_a_proxy
):
    settings.SIGN_IN_LOCKOUT_FAILURES = 3

    assert [
        attempt(anon_client, "Wr0ngPass", "203.0.113.7").status_code for _ in range(3)
    ] == [401] * 3
    locked = attempt(anon_client, TEST_PASSWORD, "203.0.113.7", email="MAX@acme.io")

    assert locked.status_code == 429
    assert locked.json()["detail"] == NETWORK_LOCKED
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    assert not DeviceToken.objects.filter(user=member, device_id="d").exists()
    # Other accounts are not affected.
    assert (
        attempt(anon_client, "Wr0ngPass", "203.0.113.7", "nobody@acme.io").status_code
        == 401
    )


def test_it_lets_the_person_in_whatever_others_try_from_elsewhere(
    anon_client, member, behind_a_proxy
):
    # Ten wrong passwords from ten addresses: each one's count is one, and the
    # account's is far below its ceiling.
    for n in range(10):
        assert attempt(anon_client, "Wr0ngPass", f"198.51.100.{n}").status_code == 401

    response = attempt(anon_client, TEST_PASSWORD, "203.0.113.200")

    assert response.status_code == 200
    assert DeviceToken.objects.live().filter(user=member, device_id="d").exists()


def test_it_takes_passwords_only_from_known_networks_past_the_accounts_ceiling(
    anon_client, member, settings, behind_a_proxy
):
    settings.SIGN_IN_LOCKOUT_FAILURES = 2
    settings.SIGN_IN_LOCKOUT_ACCOUNT_FAILURES = 6
    assert attempt(anon_client, TEST_PASSWORD, "203.0.113.200").status_code == 200
    for n in range(3):
        for _ in range(2):
            attempt(anon_client, "Wr0ngPass", f"198.51.100.{n}")

    from_a_new_network = attempt(anon_client, TEST_PASSWORD, "192.0.2.9")
    from_home = attempt(anon_client, TEST_PASSWORD, "203.0.113.200")

    assert from_a_new_network.status_code == 429
    assert from_a_new_network.json()["detail"] == ACCOUNT_LOCKED
    assert 800 < int(from_a_new_network.headers["Retry-After"]) <= 900
    assert from_home.status_code == 200
    assert DeviceToken.objects.live().filter(user=member).count() == 1


def test_it_counts_an_ipv6_clients_whole_64(
    anon_client, member, settings, behind_a_proxy
):
    settings.SIGN_IN_LOCKOUT_FAILURES = 3
    for n in range(1, 4):
        attempt(anon_client, "Wr0ngPass", f"2001:db8:0:7::{n}")

    same_64 = attempt(anon_client, TEST_PASSWORD, "2001:db8:0:7::ffff")
    next_64 = attempt(anon_client, TEST_PASSWORD, "2001:db8:0:8::1")

    assert same_64.status_code == 429
    assert same_64.json()["detail"] == NETWORK_LOCKED
    assert next_64.status_code == 200


def test_it_never_locks_out_a_device_token(
    anon_client, member, settings, behind_a_proxy
):
    settings.SIGN_IN_LOCKOUT_FAILURES = 2
    settings.SIGN_IN_LOCKOUT_ACCOUNT_FAILURES = 2
    raw = device_token_issue(user=member, device_id="ext-1")
    for _ in range(3):
        attempt(anon_client, "Wr0ngPass", "203.0.113.7")
    assert attempt(anon_client, TEST_PASSWORD, "203.0.113.7").status_code == 429

    response = anon_client.post(
        URL,
        {"device_token": raw, "device_id": "ext-1"},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert response.status_code == 200
    assert response.json()["device_token"] == raw


def test_it_forgets_failures_after_a_successful_sign_in(anon_client, member, settings):
    settings.SIGN_IN_LOCKOUT_FAILURES = 2
    wrong = {"email": "max@acme.io", "password": "Wr0ngPass", "device_id": "d"}
    right = {**wrong, "password": TEST_PASSWORD}

    statuses = [
        sign_in(anon_client, **body).status_code
        for body in (wrong, right, wrong, right)
    ]

    assert statuses == [401, 200, 401, 200]


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_it_refuses_to_sign_in_from_an_untrusted_page(anon_client, member, origin):
    response = anon_client.post(
        URL,
        {"email": "max@acme.io", "password": TEST_PASSWORD, "device_id": "d"},
        format="json",
        HTTP_ORIGIN=origin,
    )

    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"Requests from {origin} are not trusted. Sign in and sign up from the "
        "proCure web app or the extension."
    )
    assert settings.AUTH_COOKIE_NAME not in response.cookies
    assert not DeviceToken.objects.filter(user=member).exists()


@pytest.mark.parametrize(
    "origin", ["http://localhost:3000", "chrome-extension://abcdefghijklmnop"]
)
def test_it_signs_in_from_the_web_app_and_the_extension(anon_client, member, origin):
    response = anon_client.post(
        URL,
        {"email": "max@acme.io", "password": TEST_PASSWORD, "device_id": "d"},
        format="json",
        HTTP_ORIGIN=origin,
    )

    assert response.status_code == 200
