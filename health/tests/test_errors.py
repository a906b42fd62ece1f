"""The error envelope holds for paths no view serves and for server errors."""

import pytest
from django.test import Client


def test_it_answers_json_for_an_unknown_path(anon_client, db):
    response = anon_client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_answers_json_for_a_wrong_method(anon_client, db):
    response = anon_client.delete("/api/v1/auth/sign-in")

    assert response.status_code == 405
    assert response.json() == {
        "detail": "This endpoint does not accept DELETE; its Allow header lists "
        "the methods it does.",
        "code": "method_not_allowed",
    }
    assert response["Allow"] == "POST, OPTIONS"


def test_it_answers_our_sentence_when_json_is_not_acceptable(anon_client, db):
    response = anon_client.get("/ping", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json() == {
        "detail": "The API answers in JSON only: send Accept: application/json, "
        "or no Accept header.",
        "code": "not_acceptable",
    }


def test_it_answers_compat_paths_without_redirecting(anon_client, organization):
    response = anon_client.post(
        "/api/v1/auth/sign-in", {"email": "x@acme.io"}, format="json"
    )

    assert response.status_code == 400


def test_it_answers_json_with_no_trace_for_a_server_error(db, monkeypatch):
    from health import selectors

    def explode():
        raise RuntimeError("secret internals: SELECT * FROM accounts_user")

    monkeypatch.setattr(selectors, "database_check", explode)
    client = Client(raise_request_exception=False)

    response = client.get("/ping")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Something went wrong on our side. Please try again later.",
        "code": "server_error",
    }
    assert b"SELECT" not in response.content


@pytest.mark.parametrize("size", [3_000_000])
def test_it_refuses_an_oversized_body_with_413(anon_client, db, size):
    response = anon_client.post(
        "/api/v1/auth/sign-in", "x" * size, content_type="application/json"
    )

    assert response.status_code == 413
    assert "the limit is 2621440 bytes" in response.json()["detail"]
