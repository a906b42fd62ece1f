from datetime import datetime

from django.apps import apps

from health.models import PingProbe


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count() for model in apps.get_models()
    }


def test_it_reports_a_working_database(anon_client, db):
    response = anon_client.get("/ping")

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Backend is up and running!"
    assert body["database"] == {
        "read": {"status": "success", "error": None},
        "write": {"status": "success", "error": None},
    }
    assert datetime.fromisoformat(body["timestamp"])


def test_it_leaves_the_database_exactly_as_it_found_it(anon_client, member):
    before = row_counts()

    for _ in range(3):
        assert anon_client.get("/ping").status_code == 200

    assert row_counts() == before
    assert not PingProbe.objects.exists()


def test_it_needs_no_credentials_and_ignores_bad_ones(anon_client, db):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    assert anon_client.get("/ping").status_code == 200
