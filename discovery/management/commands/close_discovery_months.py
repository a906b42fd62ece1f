from typing import Any

from django.core.management.base import BaseCommand

from discovery.services import discovery_months_close
from procure_site.text import counted


class Command(BaseCommand):
    help = (
        "Close every discovery month before the current UTC month: keep one "
        "anonymous count of distinct users per organization and application, "
        "and delete the rows that said who they were. Run it daily (ingestion "
        "also closes them on its first batch of a month). Safe to run twice: "
        "the second run finds nothing to close."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = discovery_months_close()
        self.stdout.write(
            f"Closed {counted(closed, 'row')} of past months' application users."
        )
