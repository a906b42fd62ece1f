from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import selectors
from accounts.models import Role
from accounts.selectors import user_by_email
from accounts.services.erasure import user_erase
from procure_site.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Erases a person: deletes their account, recorded activity, device "
        "tokens and sessions, and replaces their email with '(erased user)' in "
        "the audit trail and the admin's history. The erasure itself is "
        "audited without the email. Cannot be undone. Run again for the same "
        "email, it finds nobody, changes nothing and exits with status 1, so "
        "that a mistyped address is never reported as erased. The last admin "
        "of an organization is not erased unless --force is given: the "
        "organization then has no admin until one is invited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The person's email, e.g. max@acme.io")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Erase the person even if they are their organization's last "
            "admin, leaving it with no admin until one is invited.",
        )

    def handle(self, *args, **options) -> None:
        user = user_by_email(email=options["email"])
        if user is None:
            raise CommandError(
                f"No user has the email {options['email']}. Nothing was erased "
                "(an erased person is not found a second time)."
            )
        email = user.email
        organization = user.organization
        try:
            summary = user_erase(user=user, leave_without_admin=options["force"])
        except DomainError as exc:
            raise CommandError(
                f"{exc.detail} Nothing was erased; --force erases anyway."
            ) from None
        self.stdout.write(
            f"Erased {email}: {summary['activity']} activity rows, "
            f"{summary['devices']} device tokens and {summary['sessions']} "
            f"sessions deleted; {summary['audit_events']} audit events anonymized."
        )
        if (
            options["force"]
            and organization is not None
            and not selectors.organization_seats_held(organization=organization)[
                Role.ADMIN
            ]
        ):
            self.stdout.write(
                f"{organization.company_name} has no admin now. Invite one: "
                f"manage.py create_organization --domain {organization.domain_name} "
                f'--company "{organization.company_name}" --admin-email <address>'
            )
