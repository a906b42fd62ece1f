# The webhook receivers that alerts' tests use, for the notification settings.
from alerts.tests.conftest import another_receiver, receiver

__all__ = ["another_receiver", "receiver"]
