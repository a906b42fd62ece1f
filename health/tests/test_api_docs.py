import re
from io import StringIO

from django.core.management import call_command


def test_the_schema_is_served_and_lists_every_api_path(anon_client, db):
    response = anon_client.get("/api/schema", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/auth/create-user",
        "/api/v1/auth/sign-in",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/auth/token",
    ]:
        assert path in paths


def test_every_operation_declares_a_success_response_schema(anon_client, db):
    schema = anon_client.get("/api/schema", HTTP_ACCEPT="application/json").json()

    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = [code for code in operation["responses"] if code.startswith("2")]
            with_body = [code for code in codes if code != "204"]
            if not codes or not all(
                "content" in operation["responses"][code] for code in with_body
            ):
                missing.append(f"{method.upper()} {path}")
    assert missing == []


def test_the_schema_validates_without_warnings(db, capsys):
    out = StringIO()

    # --fail-on-warn raises on the first warning; a warning is also printed.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stdout=out
    )

    assert "Warning" not in capsys.readouterr().err + out.getvalue()


def test_swagger_ui_and_redoc_are_served(anon_client, db):
    assert anon_client.get("/docs").status_code == 200
    assert anon_client.get("/redoc").status_code == 200


def test_it_serves_swagger_ui_and_redoc_from_the_service_itself(anon_client, db):
    for path in ("/docs", "/redoc"):
        html = anon_client.get(path).content.decode()

        # Every script and stylesheet is one of the service's static files.
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, path
        assert [s for s in sources if not s.startswith("/static/")] == [], path
        # No host is named at all: the page's CSRF token is random text and
        # may spell "cdn", so look for a host, not for the word.
        assert re.findall(r"(?:https?:)?//[\w-]+\.[\w.-]+", html) == [], path
        assert "@latest" not in html, path


def test_it_tells_the_browser_to_load_the_docs_from_this_origin_only(anon_client, db):
    for path in ("/docs", "/redoc"):
        policy = anon_client.get(path)["Content-Security-Policy"]

        assert "default-src 'self'" in policy, path
        assert "img-src 'self' data:" in policy, path


def test_it_groups_every_operation_under_one_described_tag_with_a_summary(
    anon_client, db
):
    schema = anon_client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    described = {tag["name"] for tag in schema["tags"] if tag.get("description")}

    problems = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not operation.get("summary")
        or len(operation.get("tags", [])) != 1
        or operation["tags"][0] not in described
    ]
    assert problems == []
    assert {"default", "ping", "healthz", "readyz"}.isdisjoint(described)
