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
