import argparse

from django.conf import settings
from django.core.management.base import BaseCommand

from procure_site.text import counted
from url_visits.services import retention


def _at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number.") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}.")
    return number


class Command(BaseCommand):
    help = (
        "Deletes activity older than the retention window, in batches, and "
        "records each batch in the audit trail. Run again, it finds nothing "
        "left to delete, prints 'Purged 0 activity rows' and audits nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=_at_least_one,
            default=settings.ACTIVITY_RETENTION_DAYS,
            help="Delete activity whose day is more than this many days ago "
            "(default: ACTIVITY_RETENTION_DAYS, %(default)s).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the rows that would be deleted.",
        )
        parser.add_argument(
            "--batch-size",
            type=_at_least_one,
            default=10_000,
            help="Rows deleted per statement (default: %(default)s).",
        )

    def handle(self, *args, **options) -> None:
        def report_progress(purged: int, total: int) -> None:
            if options["verbosity"] >= 1 and total > options["batch_size"]:
                self.stdout.write(f"  {purged} of {total} rows purged...")

        result = retention.activity_purge(
            older_than_days=options["older_than_days"],
            dry_run=options["dry_run"],
            batch_size=options["batch_size"],
            on_progress=report_progress,
        )
        verb = "Would purge" if result.dry_run else "Purged"
        self.stdout.write(
            f"{verb} {counted(result.rows, 'activity row')} older than "
            f"{result.cutoff.isoformat()}."
        )
