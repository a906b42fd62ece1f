from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.selectors import organization_by_domain_or_public_id
from accounts.services.organizations import organization_create
from procure_site.exceptions import Conflict, DomainError


class Command(BaseCommand):
    help = (
        "Creates an organization. People who sign up with an email address at "
        "its domain join it. Prints the organization's public id. Run again "
        "for a domain that already has an organization, it changes nothing, "
        "prints that organization's id and succeeds, unless --fail-if-exists "
        "is given."
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
        parser.add_argument(
            "--fail-if-exists",
            action="store_true",
            help="Exit with an error (status 1) if the domain already has an "
            "organization, instead of printing its id.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = organization_create(
                domain_name=options["domain"],
                company_name=options["company"],
                admin_seats=options["admin_seats"],
                member_seats=options["member_seats"],
            )
        except Conflict as exc:
            existing = organization_by_domain_or_public_id(identifier=options["domain"])
            if options["fail_if_exists"] or existing is None:
                raise CommandError(exc.detail) from None
            # The existing organization is left as it is, even if the company
            # name or seat caps given this time differ: say so.
            self.stdout.write(
                f"Organization {existing.company_name} ({existing.domain_name}) "
                f"already exists, unchanged: {existing.public_id}"
            )
            return
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(
            f"Created organization {organization.company_name} "
            f"({organization.domain_name}): {organization.public_id}"
        )
