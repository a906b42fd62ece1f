import pytest


def preflight(client, origin: str):
    return client.options(
        "/api/v1/auth/sign-in",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


def test_it_lets_the_web_app_call_with_credentials(anon_client, db):
    response = preflight(anon_client, "http://localhost:3000")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_it_gives_other_origins_no_cors_grant(anon_client, db):
    response = preflight(anon_client, "https://evil.example")

    assert "Access-Control-Allow-Origin" not in response


EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


@pytest.mark.parametrize("origin", ["http://localhost:3000", EXTENSION])
@pytest.mark.parametrize("path", ["/api/v1/auth/sign-in", "/ping", "/"])
def test_it_answers_the_clients_on_the_api(anon_client, db, settings, origin, path):
    settings.CORS_ALLOWED_ORIGINS = [*settings.CORS_ALLOWED_ORIGINS, EXTENSION]

    response = anon_client.get(path, HTTP_ORIGIN=origin)

    assert response["Access-Control-Allow-Origin"] == origin
    assert response["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.parametrize("origin", ["http://localhost:3000", EXTENSION])
@pytest.mark.parametrize(
    "path", ["/admin/login/", "/account/reset-password", "/account/verify-email"]
)
def test_it_gives_no_cors_grant_on_the_admin_or_the_account_pages(
    anon_client, db, settings, origin, path
):
    settings.CORS_ALLOWED_ORIGINS = [*settings.CORS_ALLOWED_ORIGINS, EXTENSION]

    response = anon_client.get(path, HTTP_ORIGIN=origin)

    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response
