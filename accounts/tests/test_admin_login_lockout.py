"""The admin login locks out an address from an account, and an address from
every account, after too many wrong passwords (django-axes), reproducing the
report of 25 wrong passwords followed by a working right one; strangers
elsewhere cannot lock a staff member out."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import User

LOGIN = "/" + settings.ADMIN_URL + "login/"
PASSWORD = "Sup3rSecret!"


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("root@procure.example", PASSWORD)


def attempt(client: Client, email: str, password: str, address="10.0.0.1", **extra):
    return client.post(
        LOGIN,
        {"username": email, "password": password, "next": "/" + settings.ADMIN_URL},
        REMOTE_ADDR=address,
        **extra,
    )


def test_it_refuses_the_right_password_after_25_wrong_ones(staff):
    client = Client()
    for _ in range(25):
        attempt(client, staff.email, "wrong-password")

    response = attempt(client, staff.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many wrong passwords for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_lets_staff_in_whatever_others_try_from_elsewhere(staff):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), staff.email, "wrong-password", address=f"10.0.1.{number}")
    client = Client()

    response = attempt(client, staff.email, PASSWORD, address="10.0.2.1")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_it_takes_passwords_only_from_known_addresses_past_the_accounts_ceiling(
    staff, settings
):
    settings.ADMIN_LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    assert (
        attempt(Client(), staff.email, PASSWORD, address="10.0.9.9").status_code == 302
    )
    # Four addresses, each below its own limit, with the address in any case.
    for number in range(4):
        for email in (
            "root@procure.example",
            "ROOT@procure.example",
            "Root@Procure.Example",
        ):
            attempt(Client(), email, "wrong-password", address=f"10.0.1.{number}")
    new_address, known_address = Client(), Client()

    refused = attempt(new_address, staff.email, PASSWORD, address="10.0.8.8")
    admitted = attempt(known_address, staff.email, PASSWORD, address="10.0.9.9")

    assert refused.status_code == 429
    assert "Too many wrong passwords for this account" in refused.content.decode()
    assert "_auth_user_id" not in new_address.session
    assert admitted.status_code == 302
    assert known_address.session["_auth_user_id"] == str(staff.pk)


def test_it_unlocks_after_a_completed_password_reset(staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), staff.email, "wrong-password")
    assert attempt(Client(), staff.email, PASSWORD).status_code == 429
    link = {
        "uid": urlsafe_base64_encode(force_bytes(staff.pk)),
        "token": default_token_generator.make_token(staff),
    }
    reset = APIClient().post(
        "/api/v1/auth/password-reset/confirm",
        {**link, "new_password": "N3wSecretPass"},
        format="json",
        REMOTE_ADDR="10.0.0.1",
    )
    assert reset.status_code == 200
    client = Client()

    response = attempt(client, staff.email, "N3wSecretPass")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert not AccessAttempt.objects.filter(username=staff.email).exists()


def test_it_locks_the_address_whatever_account_is_tried(staff):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), f"guess{number}@procure.example", "wrong-password")

    response = attempt(Client(), staff.email, PASSWORD)

    assert response.status_code == 429


def test_it_lets_a_person_in_after_fewer_wrong_passwords_than_the_limit(staff):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, staff.email, "wrong-password").status_code == 200

    response = attempt(client, staff.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_it_ignores_a_forwarded_address_sent_by_the_client_itself(staff):
    # With no trusted proxy, X-Forwarded-For is the client's own claim: a new
    # value on each attempt must not escape the address's lockout.
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(
            Client(),
            f"guess{number}@procure.example",
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )

    response = attempt(
        Client(), staff.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99"
    )

    assert response.status_code == 429


def test_it_reads_the_address_the_trusted_proxy_appended(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(
            Client(),
            "guess@procure.example",
            "wrong-password",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )

    blocked = attempt(
        Client(), staff.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    other_client = attempt(
        Client(), staff.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )

    assert blocked.status_code == 429
    assert other_client.status_code == 302
