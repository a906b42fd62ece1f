import pytest

from discovery import selectors, services
from discovery.catalog import catalog_read
from discovery.models import Application


@pytest.fixture(autouse=True)
def _months_not_yet_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test starts as a freshly started worker that has closed nothing.
    monkeypatch.setattr(services, "_closed_before", None)
    monkeypatch.setattr(services, "_recently_recorded", {})
    monkeypatch.setattr(selectors, "_local_table", None)


@pytest.fixture
def bundled_catalog(transactional_db: None) -> None:
    """The catalog that the data migration loads. A transactional test that
    ran earlier in the session flushed every table, the catalog's included."""
    if not Application.objects.exists():
        services.applications_import(entries=catalog_read())
