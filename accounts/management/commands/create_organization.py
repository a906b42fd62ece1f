from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization, Role
from accounts.selectors import organization_by_domain_or_public_id
from accounts.services.invitations import invitation_create
from accounts.services.organizations import (
    organization_create,
    organization_seat_caps_change,
)
from procure_site.exceptions import Conflict, DomainError


class Command(BaseCommand):
    help = (
        "Creates an organization. People who sign up with an email address at "
        "its domain join it. Prints the organization's public id. Run again "
        "for a domain that already has an organization, it changes nothing, "
        "prints that organization's id and succeeds, unless --fail-if-exists "
        "is given; with --admin-seats or --member-seats it sets those caps of "
        "the existing organization (never below the seats in use). With "
        "--admin-email, emails that address an invitation to "
        "be the first admin (its link sets a password and verifies the "
        "address); run again, it invites again only if nobody has accepted "
        "and no invitation is pending."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--domain", required=True, help="Email domain, e.g. acme.io"
        )
        parser.add_argument("--company", required=True, help="Company name, e.g. Acme")
        parser.add_argument(
            "--admin-seats",
            type=int,
            help="Cap of admin users (default 1 for a new organization); for an "
            "existing one, its new cap",
        )
        parser.add_argument(
            "--member-seats",
            type=int,
            help="Cap of member users (default 1000 for a new organization); for "
            "an existing one, its new cap",
        )
        parser.add_argument(
            "--admin-email",
            help="Email the organization's first admin an invitation, e.g. "
            "boss@acme.io (an address at --domain).",
        )
        parser.add_argument(
            "--fail-if-exists",
            action="store_true",
            help="Exit with an error (status 1) if the domain already has an "
            "organization, instead of printing its id.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["admin_seats"] is not None and options["admin_seats"] < 1:
            raise CommandError(
                "--admin-seats must be at least 1: an organization needs an "
                "admin to manage it."
            )
        try:
            organization = organization_create(
                domain_name=options["domain"],
                company_name=options["company"],
                admin_seats=options["admin_seats"] or 1,
                member_seats=(
                    1000 if options["member_seats"] is None else options["member_seats"]
                ),
            )
            created = True
        except Conflict as exc:
            existing = organization_by_domain_or_public_id(identifier=options["domain"])
            if options["fail_if_exists"] or existing is None:
                raise CommandError(exc.detail) from None
            organization, created = existing, False
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        if created:
            self.stdout.write(
                f"Created organization {organization.company_name} "
                f"({organization.domain_name}): {organization.public_id}"
            )
        else:
            self.stdout.write(self._seat_caps_change(organization, options))
        if options["admin_email"]:
            self.stdout.write(self._invite_first_admin(organization, options))
        elif created:
            self.stdout.write(
                "Nobody can sign in yet. Run again with --admin-email "
                f"someone@{organization.domain_name} to email the first admin an "
                "invitation, or have them sign up with role admin in the web "
                "app and open the verification link."
            )

    def _seat_caps_change(self, organization: Organization, options: Any) -> str:
        """Sets the existing organization's caps given on the command line; its
        company name is left as it is."""
        try:
            changes = organization_seat_caps_change(
                organization=organization,
                admin_seats=options["admin_seats"],
                member_seats=options["member_seats"],
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        name = f"Organization {organization.company_name} ({organization.domain_name})"
        if not changes:
            return f"{name} already exists, unchanged: {organization.public_id}"
        changed = ", ".join(
            f"{field.replace('_', ' ')} {before} → {after}"
            for field, (before, after) in changes.items()
        )
        return f"{name} already exists; changed {changed}: {organization.public_id}"

    def _invite_first_admin(self, organization: Organization, options: Any) -> str:
        email = options["admin_email"]
        try:
            invitation_create(
                organization=organization, email=email, role=Role.ADMIN, actor=None
            )
        except Conflict as exc:
            return f"No invitation sent: {exc.detail}"
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        days = settings.INVITATION_MAX_AGE.days
        return (
            f"Invited {email.strip().lower()} to be an admin; the link works "
            f"for {days} days."
        )
