from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_liveness_answers_without_touching_the_database(anon_client, db):
    with CaptureQueriesContext(connection) as queries:
        response = anon_client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert len(queries) == 0


def test_readiness_is_ok_on_a_migrated_database(anon_client, db):
    response = anon_client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "detail": "The service is ready."}


def test_readiness_reports_unapplied_migrations(anon_client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    from health import selectors

    monkeypatch.setattr(selectors, "_migrations_known_applied", False)
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("m", False)] * 2
    )

    response = anon_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["detail"] == "2 database migrations have not been applied."
    assert response.headers["Retry-After"] == "30"
