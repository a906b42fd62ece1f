"""A corpus of known-bad input, sent to every operation of /api/schema.

Each payload once gave a 500 somewhere (issue 11) or is the kind an attacker
tries first: deep nesting, NUL characters and lone surrogates in values, keys
and the query string, bodies that are not UTF-8 or not JSON, numbers JSON
allows but Python handles badly. Every operation must answer below 500, in
JSON, with a `detail` on every refusal. The schema fuzzer (`make fuzz`)
explores further; this corpus runs with the tests, so CI covers it on both
databases.
"""

import json
from typing import Any

import pytest
from django.test import Client

from accounts.models import OrganizationDomain
from accounts.services.invitations import invitation_create
from conftest import client_for
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from discovery.models import Application
from identity.services.tokens import scim_token_create

DEEP = '{"email": ' + "[" * 50_000 + "]" * 50_000 + "}"
# bytes where the body must not be valid UTF-8; the test client sends either.
BODIES: dict[str, Any] = {
    "deep nesting": DEEP,
    "deep nesting without a key": "[" * 100_000,
    "NUL in a value": (
        '{"email": "a\\u0000@acme.io", "password": "x\\u0000", "role": "a\\u0000",'
        ' "entries": [{"url": "https://slack.com", "timestamp": 1,'
        ' "browser": "Chr\\u0000ome"}], "vendor_name": "\\u0000",'
        ' "product_url": "https://slack.com\\u0000", "paused": "\\u0000"}'
    ),
    "lone surrogate in a value": (
        '{"email": "\\ud800", "password": "\\udfff", "role": "\\ud800",'
        ' "device_id": "\\ud800", "refresh": "\\ud800", "token": "\\ud800",'
        ' "entries": [{"url": "https://\\ud800.com", "timestamp": 1,'
        ' "browser": "\\ud800"}], "vendor_name": "\\ud800",'
        ' "product_url": "\\ud800", "extra_hosts": ["\\ud800"]}'
    ),
    "lone surrogate in a key": '{"\\ud800": 1, "role": "admin"}',
    "not UTF-8": b'{"email": "\xff\xfe"}',
    "not JSON": "{'email': 'x'}",
    "NaN": '{"annual_spend": NaN, "timestamp": Infinity}',
    "huge numbers": (
        '{"annual_spend": 1e400, "num_seats": 1' + "0" * 400 + ","
        ' "entries": [{"url": "https://slack.com", "timestamp": 1e400}],'
        ' "paused": 1e400}'
    ),
    "wrong types": (
        '{"email": {"a": 1}, "password": [], "device_id": null, "role": [1],'
        ' "entries": {"url": 1}, "vendor_name": [], "product_url": {},'
        ' "extra_hosts": "github.io", "paused": [], "refresh": 1}'
    ),
    "a list": "[1, 2, 3]",
    "a string": '"hello"',
    "null": "null",
}
QUERIES = [
    "month=%00",
    "page=%00",
    "%00=1",
    "search=%ED%A0%80",
    "month=2026-1%00",
    "page_size=99999999999999999999",
    "months=1e400",
]


@pytest.fixture
def schema(db) -> dict:
    return Client().get("/api/schema", HTTP_ACCEPT="application/json").json()


@pytest.fixture
def path_values(organization, admin_user, member) -> dict[str, str]:
    ContractFactory(organization=organization, vendor_name="Slack")
    contract = Contract.objects.get(organization=organization)
    invitation = invitation_create(
        organization=organization, email="ivy@acme.io", role="member", actor=None
    )
    return {
        "organization_id": organization.public_id,
        "id": str(contract.pk),
        "user_id": str(member.id),
        "invitation_id": str(invitation.pk),
        "contract_id": str(contract.pk),
        "application_id": str(Application.objects.order_by("pk")[0].pk),
        "domain_id": str(
            OrganizationDomain.objects.create(
                organization=organization, domain="acme.de"
            ).pk
        ),
        "token_id": str(
            scim_token_create(
                organization=organization, name="Okta", actor=None
            ).token.pk
        ),
    }


def operations(
    schema: dict, values: dict[str, str], *, reading_a_body: bool = False
) -> list[tuple[str, str]]:
    """(method, path) of every operation; with `reading_a_body`, only those
    whose schema declares a request body."""
    found: list[tuple[str, str]] = []
    for path, methods in schema["paths"].items():
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"no value for the parameters of {path}"
        found.extend(
            (method, path)
            for method, operation in methods.items()
            if method != "parameters"
            and (not reading_a_body or "requestBody" in operation)
        )
    return found


def assert_answered(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code in (204, 304):
        return
    body = json.loads(response.content)
    if response.status_code >= 400:
        assert isinstance(body.get("detail"), str), what
        assert body["detail"], what


@pytest.mark.parametrize("name", list(BODIES))
def test_every_operation_refuses_a_bad_body_without_a_500(
    schema, path_values, admin_user, name
):
    body = BODIES[name]
    for method, path in operations(schema, path_values):
        # A fresh token each time: some operations sign the caller out.
        client = client_for(admin_user)
        client.raise_request_exception = False
        response = client.generic(
            method.upper(), path, body, content_type="application/json"
        )
        assert_answered(response, f"{method.upper()} {path} with {name}")


def test_every_operation_refuses_a_bad_query_without_a_500(
    schema, path_values, admin_user
):
    for method, path in operations(schema, path_values):
        for query in QUERIES:
            client = client_for(admin_user)
            client.raise_request_exception = False
            response = getattr(client, method)(f"{path}?{query}")
            assert_answered(response, f"{method.upper()} {path}?{query}")


@pytest.mark.parametrize("name", ["NUL in a value", "lone surrogate in a value"])
def test_the_parser_refuses_unsafe_text_wherever_a_body_is_read(
    schema, path_values, admin_user, name
):
    refused = []
    # An operation that takes no body (sending a test message) never reads
    # one, so its 400s are about something else.
    for method, path in operations(schema, path_values, reading_a_body=True):
        if method not in ("post", "put", "patch"):
            continue
        client = client_for(admin_user)
        response = client.generic(
            method.upper(), path, BODIES[name], content_type="application/json"
        )
        if response.status_code == 400:
            refused.append(path)
            assert (
                "NUL character or an unpaired surrogate" in response.json()["detail"]
            ), f"{method.upper()} {path}"
    assert "/api/v1/url-visits" in refused
    assert "/api/v1/auth/create-user" in refused
