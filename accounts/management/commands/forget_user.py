from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.selectors import user_by_email
from accounts.services.erasure import user_erase


class Command(BaseCommand):
    help = (
        "Erases a person: deletes their account, recorded activity, device "
        "tokens and sessions, and replaces their email with '(erased user)' in "
        "the audit trail and the admin's history. The erasure itself is "
        "audited without the email. Cannot be undone. Run again for the same "
        "email, it finds nobody, changes nothing and exits with status 1, so "
        "that a mistyped address is never reported as erased."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The person's email, e.g. max@acme.io")

    def handle(self, *args, **options) -> None:
        user = user_by_email(email=options["email"])
        if user is None:
            raise CommandError(
                f"No user has the email {options['email']}. Nothing was erased "
                "(an erased person is not found a second time)."
            )
        email = user.email
        summary = user_erase(user=user)
        self.stdout.write(
            f"Erased {email}: {summary['activity']} activity rows, "
            f"{summary['devices']} device tokens and {summary['sessions']} "
            f"sessions deleted; {summary['audit_events']} audit events anonymized."
        )
