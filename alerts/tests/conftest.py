import pytest

from alerts.tests.receiver import Receiver


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
