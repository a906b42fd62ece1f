from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import demo_seed
from procure_site.serving import base_url
from procure_site.text import counted


class Command(BaseCommand):
    help = (
        "Creates a demo organization (acme-demo.example) with an admin, members, "
        "the web app's ten sample contracts and months of synthetic activity, "
        "and prints the admin's credentials. Run again, it creates nobody: the "
        "admin keeps their password (and sessions) unless --reset-admin-password "
        "is given, and people erased with forget_user stay erased; it imports "
        "the ten sample contracts again (undoing edits to them) and adds the "
        "activity of the days since the last run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=int,
            default=40,
            help="How many members the first run creates (default 40).",
        )
        parser.add_argument(
            "--months",
            type=int,
            default=4,
            choices=range(1, 13),
            metavar="1-12",
            help="Months of activity up to today (default 4).",
        )
        parser.add_argument(
            "--reset-admin-password",
            action="store_true",
            help="Give the demo admin a new password and print it; this signs "
            "them out of the web app and scripts, and recreates the admin if "
            "they were erased.",
        )

    def handle(
        self,
        *args: Any,
        members: int,
        months: int,
        reset_admin_password: bool,
        **options: Any,
    ) -> None:
        if members < 1:
            raise CommandError("--members must be at least 1.")
        self.stdout.write("Seeding the demo organization…")
        seeded = demo_seed(
            members=members, months=months, reset_admin_password=reset_admin_password
        )
        organization = seeded.organization
        self.stdout.write(
            f"Organization: {organization.company_name} ({organization.domain_name}), "
            f"id {organization.public_id}"
        )
        if seeded.admin_password is not None:
            server = base_url(settings.SERVER_BIND) or "http://127.0.0.1:8000"
            self.stdout.write(
                f"Admin: {seeded.admin_email}\n"
                f"Password: {seeded.admin_password}\n"
                f"Try: curl -s -X POST {server}/api/v1/auth/token "
                f"-H 'Content-Type: application/json' "
                f'-d \'{{"email": "{seeded.admin_email}", "password": '
                f'"{seeded.admin_password}"}}\'\n'
                f"then GET /api/v1/organizations/{organization.public_id}/"
                "contract-usage"
            )
        elif seeded.admin_exists:
            self.stdout.write(
                f"Admin: {seeded.admin_email} (password unchanged; "
                "--reset-admin-password sets and prints a new one)"
            )
        else:
            self.stdout.write(
                f"Admin: none ({seeded.admin_email} was erased; "
                "--reset-admin-password creates it again)"
            )
        contracts = (
            seeded.contracts_created
            + seeded.contracts_updated
            + seeded.contracts_unchanged
        )
        self.stdout.write(
            f"Seeded {counted(seeded.members_created, 'new member')}, "
            f"{counted(contracts, 'contract')} "
            f"({seeded.contracts_created} new, {seeded.contracts_updated} updated, "
            f"{seeded.contracts_unchanged} unchanged), "
            f"{counted(seeded.activity_recorded, 'new activity row')}."
        )
