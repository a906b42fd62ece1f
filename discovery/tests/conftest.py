import pytest

from discovery import selectors, services


@pytest.fixture(autouse=True)
def _months_not_yet_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test starts as a freshly started worker that has closed nothing.
    monkeypatch.setattr(services, "_closed_before", None)
    monkeypatch.setattr(services, "_recently_recorded", {})
    monkeypatch.setattr(selectors, "_local_table", None)
