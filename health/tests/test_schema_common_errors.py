"""The schema documents the errors every operation can answer (procure_site/schema.py).

Found by the schema fuzzer (scripts/fuzz_api.py): a page past the end of a
list answered a 404 that no operation declared.
"""

import re

import pytest
from django.conf import settings

from procure_site.error_codes import ERROR_CODES, ErrorCode


@pytest.fixture
def schema(anon_client, db) -> dict:
    return anon_client.get("/api/schema", HTTP_ACCEPT="application/json").json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_that_reads_the_database_documents_a_503(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if "503" not in operation["responses"] and path not in ("/", "/healthz")
    ]

    assert missing == []
    me = schema["paths"]["/api/v1/auth/me"]["get"]["responses"]["503"]
    assert me["headers"]["Retry-After"]["required"] is True


def test_the_probes_keep_their_own_503_bodies_with_a_code(schema):
    ping = schema["paths"]["/ping"]["get"]["responses"]["503"]
    ready = schema["paths"]["/readyz"]["get"]["responses"]["503"]

    ping_ref = ping["content"]["application/json"]["schema"]["$ref"]
    ready_ref = ready["content"]["application/json"]["schema"]["$ref"]
    assert ping_ref.endswith("/PingFailed")
    assert ready_ref.endswith("/NotReady")
    components = schema["components"]["schemas"]
    assert {"message", "database", "code"} <= set(components["PingFailed"]["required"])
    assert {"status", "detail", "code"} <= set(components["NotReady"]["required"])


def test_every_operation_with_a_body_documents_a_413(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if "requestBody" in operation and "413" not in operation["responses"]
    ]

    assert missing == []


def test_every_paginated_list_documents_the_404_of_a_page_past_the_end(schema):
    paginated = [
        (path, operation)
        for path, _, operation in operations(schema)
        if any(p["name"] == "page" for p in operation.get("parameters", []))
    ]

    assert "/api/v1/me/activity" in [path for path, _ in paginated]
    assert all("404" in operation["responses"] for _, operation in paginated)


def test_a_page_past_the_end_answers_404_with_a_detail(member_client):
    response = member_client.get("/api/v1/me/activity?page=99")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is no page 99. Pages start at 1; count and page_size "
        "give the last one.",
        "code": "not_found",
    }


def test_every_error_answer_documents_its_code(schema):
    components = schema["components"]["schemas"]

    def requires_code(media: dict) -> bool:
        body = media["schema"]
        if "$ref" in body:
            body = components[body["$ref"].rsplit("/", 1)[-1]]
        return "code" in body.get("required", []) and body["properties"]["code"] == {
            "$ref": "#/components/schemas/ErrorCode"
        }

    missing = [
        f"{method.upper()} {path} {status}"
        for path, method, operation in operations(schema)
        for status, response in operation["responses"].items()
        if int(status) >= 400
        for media in response.get("content", {}).values()
        if not requires_code(media)
    ]

    assert missing == []
    assert set(components["ErrorCode"]["enum"]) == {code.value for code in ErrorCode}


def test_the_api_docs_list_every_code_with_its_statuses():
    text = (settings.BASE_DIR / "docs" / "api.md").read_text()

    rows = dict(re.findall(r"^\| `(\w+)` \| ([\d, ]+) \|", text, re.MULTILINE))

    assert rows == {
        code.value: ", ".join(map(str, statuses))
        for code, (statuses, _) in ERROR_CODES.items()
    }
