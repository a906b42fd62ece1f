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
