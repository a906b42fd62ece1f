import pytest

from alerts import models as alerts_models
from alerts.tests.receiver import Receiver, TricklingReceiver


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1, reachable because private networks
    are allowed, as on an on-premises install."""
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    with Receiver() as running:
        yield running


@pytest.fixture
def another_receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def trickling_receiver(settings):
    """A receiver on 127.0.0.1 that answers one byte every half second."""
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    with TricklingReceiver(interval=0.5) as running:
        yield running


@pytest.fixture
def no_reminders(monkeypatch):
    """Organizations made in the test have no renewal reminders, for the tests
    that count what digests send."""
    monkeypatch.setattr(alerts_models, "DEFAULT_REMINDER_OFFSETS", [])
