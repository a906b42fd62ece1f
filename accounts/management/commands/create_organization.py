from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services.organizations import organization_create
from procure_site.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Creates an organization. People who sign up with an email address at "
        "its domain join it. Prints the organization's public id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--domain", required=True, help="Email domain, e.g. acme.io"
        )
        parser.add_argument("--company", required=True, help="Company name, e.g. Acme")
        parser.add_argument(
            "--admin-seats", type=int, default=1, help="Cap of admin users (default 1)"
        )
        parser.add_argument(
            "--member-seats",
            type=int,
            default=1000,
            help="Cap of member users (default 1000)",
        )

    def handle(self, *args, **options) -> None:
        try:
            organization = organization_create(
                domain_name=options["domain"],
                company_name=options["company"],
                admin_seats=options["admin_seats"],
                member_seats=options["member_seats"],
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(
            f"Created organization {organization.company_name} "
            f"({organization.domain_name}): {organization.public_id}"
        )
