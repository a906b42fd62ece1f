from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts import selectors
from alerts.services import delivery, reminders
from procure_site.text import counted


def _and_reminders(count: int) -> str:
    return f" and {counted(count, 'renewal reminder')}" if count else ""


class Command(BaseCommand):
    help = (
        "Sends the renewal and waste digests that are due now, by email to each "
        "organization's verified admins and to its webhook, then the renewal "
        "reminders due today (also to each contract's owner), and nothing else. "
        "Run it every hour (cron or a systemd timer): each digest goes out once "
        "per organization, period and channel, even when two runs overlap, and "
        "a failed delivery is retried by a later run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--org",
            metavar="DOMAIN",
            help="Only the organization with this domain, e.g. acme.io.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the digests that are due and send nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        domain = options["org"]
        if (
            domain is not None
            and not selectors.organizations_for_digests(domain=domain).exists()
        ):
            raise CommandError(f"No organization has the domain {domain}.")
        run = delivery.digests_send_due(domain=domain, dry_run=options["dry_run"])
        due = reminders.reminders_send_due(domain=domain, dry_run=options["dry_run"])
        if run.dry_run:
            for label in [*run.due, *due.due]:
                self.stdout.write(f"  due: {label}")
            self.stdout.write(
                f"Would send {counted(len(run.due), 'digest')}"
                f"{_and_reminders(len(due.due))}."
            )
            return
        for label in [*run.sent, *due.sent]:
            self.stdout.write(f"  sent: {label}")
        failed = [*run.failed, *due.failed]
        for label in failed:
            self.stderr.write(f"  failed: {label}")
        self.stdout.write(
            f"Sent {counted(len(run.sent), 'digest')}"
            f"{_and_reminders(len(due.sent))}, {len(failed)} failed "
            "(retried by a later run)."
        )
        if failed:
            # A scheduler (cron, a systemd timer) notices a non-zero exit.
            raise CommandError(
                f"{counted(len(failed), 'delivery', 'deliveries')} failed; "
                "a later run retries once the backoff has passed.",
                returncode=1,
            )
