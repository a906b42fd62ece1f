from django.core.management.base import BaseCommand

from reclaims.services import reclaims_unanswered_close


class Command(BaseCommand):
    help = (
        "Marks no_answer every reclaim whose answer window has passed, audited. "
        "Safe to run from a scheduler on every node: send_digests and every "
        "read of reclaims do it too."
    )

    def handle(self, *args: object, **options: object) -> None:
        closed = reclaims_unanswered_close()
        self.stdout.write(f"{closed} reclaim(s) passed their answer window.")
