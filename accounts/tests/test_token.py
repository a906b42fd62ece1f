from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD


def obtain(client, email="max@acme.io", password=TEST_PASSWORD):
    return client.post(
        "/api/v1/auth/token", {"email": email, "password": password}, format="json"
    )


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_it_issues_an_access_and_refresh_pair(anon_client, member):
    response = obtain(anon_client)

    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    me = bearer(pair["access"]).get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == "max@acme.io"


def test_it_accepts_the_email_in_any_case(anon_client, member):
    assert obtain(anon_client, email="MAX@acme.IO").status_code == 200


def test_it_refuses_wrong_credentials_with_a_detail(anon_client, member):
    response = obtain(anon_client, password="Wr0ngPass")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid email or password",
        "code": "invalid_credentials",
    }


def test_it_refreshes_and_rotates(anon_client, member):
    pair = obtain(anon_client).json()

    response = anon_client.post(
        "/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json"
    )

    assert response.status_code == 200
    assert bearer(response.json()["access"]).get("/api/v1/auth/me").status_code == 200
    # The rotated-out refresh token is blacklisted.
    again = anon_client.post(
        "/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json"
    )
    assert again.status_code == 401
    assert again.json() == {
        "detail": "This token is invalid, has expired or was revoked. Sign in "
        "again, or ask auth/token for a new pair.",
        "code": "token_not_valid",
    }


def test_it_blacklists_a_refresh_token(anon_client, member):
    pair = obtain(anon_client).json()

    response = anon_client.post(
        "/api/v1/auth/token/blacklist", {"refresh": pair["refresh"]}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"detail": "The refresh token is revoked."}
    refresh = anon_client.post(
        "/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json"
    )
    assert refresh.status_code == 401


def test_it_refuses_a_refresh_token_used_as_an_access_token(anon_client, member):
    pair = obtain(anon_client).json()

    assert bearer(pair["refresh"]).get("/api/v1/auth/me").status_code == 401


def test_it_names_the_missing_field(anon_client, member):
    response = anon_client.post("/api/v1/auth/token", {}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "email: This field is required."


def test_it_refuses_to_refresh_the_token_of_a_deleted_user(anon_client, member):
    pair = obtain(anon_client).json()
    OutstandingToken.objects.filter(user=member).delete()
    User.objects.filter(pk=member.pk).delete()

    response = anon_client.post(
        "/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json"
    )

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Your session is no longer valid. Sign in again.",
        "code": "invalid_credentials",
    }


def test_the_schema_declares_the_errors_of_the_jwt_endpoints(anon_client, db):
    # Found by the schema fuzzer: these answered 400 and 401 undeclared.
    paths = anon_client.get("/api/schema", HTTP_ACCEPT="application/json").json()[
        "paths"
    ]

    def codes(path: str) -> set[str]:
        return set(paths[path]["post"]["responses"])

    assert {"200", "400", "401", "429"} <= codes("/api/v1/auth/token")
    assert {"200", "400", "401"} <= codes("/api/v1/auth/token/refresh")
    assert {"200", "400", "401"} <= codes("/api/v1/auth/token/blacklist")
    token_ok = paths["/api/v1/auth/token"]["post"]["responses"]["200"]
    assert token_ok["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TokenObtainPair"
    )


def test_it_refuses_an_access_token_sent_to_refresh_in_our_words(anon_client, member):
    pair = obtain(anon_client).json()

    response = anon_client.post(
        "/api/v1/auth/token/refresh", {"refresh": pair["access"]}, format="json"
    )

    assert response.status_code == 401
    assert "Token has wrong type" not in response.content.decode()
    assert response.json()["detail"].startswith("This token is invalid")


def test_it_throttles_whatever_x_forwarded_for_says(anon_client, member, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"sign_in": "2/minute"})

    statuses = [
        anon_client.post(
            "/api/v1/auth/token",
            {"email": "max@acme.io", "password": "Wr0ngPass"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(4)
    ]

    assert statuses == [401, 401, 429, 429]


def test_it_counts_failures_towards_the_networks_lockout(anon_client, member, settings):
    settings.SIGN_IN_LOCKOUT_FAILURES = 2
    for _ in range(2):
        obtain(anon_client, password="Wr0ngPass")

    response = obtain(anon_client)
    sign_in = anon_client.post(
        "/api/v1/auth/sign-in",
        {"email": "max@acme.io", "password": TEST_PASSWORD, "device_id": "d"},
        format="json",
    )

    assert response.status_code == 429
    assert response.json()["detail"].startswith(
        "Too many failed sign-ins to this account from your network."
    )
    assert "Retry-After" in response.headers
    assert sign_in.status_code == 429


def test_it_does_not_lock_out_the_person_elsewhere(anon_client, member, settings):
    settings.SIGN_IN_LOCKOUT_FAILURES = 2
    for _ in range(2):
        anon_client.post(
            "/api/v1/auth/token",
            {"email": "max@acme.io", "password": "Wr0ngPass"},
            format="json",
            REMOTE_ADDR="198.51.100.7",
        )

    response = anon_client.post(
        "/api/v1/auth/token",
        {"email": "max@acme.io", "password": TEST_PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.200",
    )

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert OutstandingToken.objects.filter(user=member).count() == 1
