"""`make run` turns DEBUG on; the API's 404 must not become Django's debug
page, which lists every URL pattern of the service."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-thing",
        "/api/v1/contracts/",
        "/api/v1/auth/sign-in/",
        "/no-such-page",
        "/account/no-such-page",
    ],
)
def test_it_answers_the_json_404_with_debug_on(anon_client, db, settings, path):
    settings.DEBUG = True

    response = anon_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Not found."
    assert b"URLconf" not in response.content


def test_it_still_serves_the_admins_own_pages_with_debug_on(anon_client, db, settings):
    settings.DEBUG = True

    response = anon_client.get("/admin/login/")

    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]


def test_it_still_sends_the_admin_path_without_its_slash_to_the_admin(anon_client, db):
    response = anon_client.get("/admin")

    assert response.status_code == 301
    assert response["Location"] == "/admin/"


def test_it_answers_the_json_404_to_a_cookie_holder_who_writes_to_no_path(db, member):
    # The schema fuzzer's DELETE /api/v1/contracts/%C2%84 with the web app's
    # cookie got Django's HTML "CSRF verification failed" page.
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.delete("/api/v1/contracts/%C2%84")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Not found."
