"""Bodies, paths and query strings an attacker would send get a 400 with a
sentence, never a 500: the one parser (procure_site/parsers.py) and
UnsafeTextMiddleware refuse them before any view reads them."""

import pytest

from accounts.models import Role, User
from url_visits.models import Activity

DEEP = '{"email": ' + "[" * 50_000 + "]" * 50_000 + "}"
JSON_BODY_PATHS = [
    "/api/v1/auth/sign-in",
    "/api/v1/auth/create-user",
    "/api/v1/auth/token",
    "/api/v1/auth/password-reset",
    "/api/v1/url-visits",
]
UNSAFE_PHRASE = "contains a NUL character or an unpaired surrogate"


def post_raw(client, path: str, body: str | bytes):
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize("path", JSON_BODY_PATHS)
def test_it_refuses_deeply_nested_json(device_client, path):
    response = post_raw(device_client, path, DEEP)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is nested more than 32 levels deep. Send "
        "the flat JSON objects the API documents.",
        "code": "malformed_body",
    }


def test_it_refuses_nesting_just_past_the_limit(anon_client, db):
    body = '{"email": ' + "[" * 32 + "]" * 32 + "}"

    response = post_raw(anon_client, "/api/v1/auth/sign-in", body)

    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]


# The parser checks every string only when the text holds a \u escape, and
# the depth alone otherwise: both ways draw the line at the same depth.
@pytest.mark.parametrize("email", ["ana@acme.io", r"an\u00e1@acme.io"])
@pytest.mark.parametrize(("lists", "refused"), [(31, False), (32, True)])
def test_it_draws_the_depth_line_alike_with_and_without_escapes(
    anon_client, db, email, lists, refused
):
    body = (
        f'{{"email": "{email}", "password": "wrong", '
        f'"extra": {"[" * lists}{"]" * lists}}}'
    )

    response = post_raw(anon_client, "/api/v1/auth/sign-in", body)

    assert response.status_code in (400, 401)
    assert ("nested more than 32 levels" in response.json()["detail"]) is refused


@pytest.mark.parametrize("browser", [r"Chr\u0000ome", r"\ud800", r"Chrome\udfff"])
def test_it_refuses_unsafe_text_in_a_visits_browser(device_client, member, browser):
    body = (
        '{"entries": [{"url": "https://app.slack.com", "timestamp": 1, '
        f'"browser": "{browser}"}}]}}'
    )

    response = post_raw(device_client, "/api/v1/url-visits", body)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body contains a NUL character or an unpaired "
        "surrogate (in entries[0].browser). Remove it and send the request again.",
        "code": "unsafe_input",
    }
    assert not Activity.objects.exists()


def test_it_refuses_a_lone_surrogate_role_on_sign_up(anon_client, organization):
    body = (
        '{"email": "jane@acme.io", "password": "Str0ngPass", '
        '"device_id": "d1", "role": "\\ud800"}'
    )

    response = post_raw(anon_client, "/api/v1/auth/create-user", body)

    assert response.status_code == 400
    assert "(in role)" in response.json()["detail"]
    assert not User.objects.filter(email="jane@acme.io").exists()


def test_it_refuses_a_lone_surrogate_role_on_a_role_change(
    admin_client, organization, member
):
    response = admin_client.patch(
        f"/api/v1/organizations/{organization.public_id}/users/{member.id}",
        '{"role": "\\ud800"}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert UNSAFE_PHRASE in response.json()["detail"]
    assert User.objects.get(pk=member.pk).role == Role.MEMBER


def test_it_refuses_unsafe_text_in_a_key(anon_client, db):
    response = post_raw(anon_client, "/api/v1/auth/sign-in", '{"e\\u0000mail": 1}')

    assert response.status_code == 400
    assert "(a key of the body)" in response.json()["detail"]


@pytest.mark.parametrize(
    "body, phrase",
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        ("{", "could not be parsed. Send valid JSON."),
        ('{"email": NaN}', "could not be parsed. Send valid JSON."),
    ],
)
def test_it_refuses_bodies_that_are_not_json(anon_client, db, body, phrase):
    response = post_raw(anon_client, "/api/v1/auth/sign-in", body)

    assert response.status_code == 400
    assert phrase in response.json()["detail"]


def test_it_accepts_a_valid_surrogate_pair(anon_client, organization):
    body = '{"email": "x@acme.io", "password": "\\ud83d\\ude00", "device_id": "d"}'

    response = post_raw(anon_client, "/api/v1/auth/sign-in", body)

    assert response.status_code == 401


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", "email=x%40acme.io"),
        (
            "multipart/form-data; boundary=b",
            '--b\r\nContent-Disposition: form-data; name="email"\r\n\r\nx\r\n--b--\r\n',
        ),
    ],
)
def test_it_reads_json_only(anon_client, db, content_type, body):
    response = anon_client.post("/api/v1/auth/sign-in", body, content_type=content_type)

    assert response.status_code == 415
    assert response.json() == {
        "detail": "This endpoint reads application/json bodies only: send the "
        "body with that Content-Type.",
        "code": "unsupported_media_type",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organizations/org_%00/name",
        "/api/v1/me/activity?page=%00",
        "/api/v1/me/activity?%00=1",
    ],
)
def test_it_refuses_a_nul_in_the_address(member_client, path):
    response = member_client.get(path)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The address contains a NUL character or an unpaired "
        "surrogate. Remove it and send the request again.",
        "code": "unsafe_input",
    }
