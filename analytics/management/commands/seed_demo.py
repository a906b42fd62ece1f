from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import demo_seed


class Command(BaseCommand):
    help = (
        "Creates a demo organization (acme-demo.example) with an admin, members, "
        "the web app's ten sample contracts and months of synthetic activity, "
        "and prints the admin's credentials. Safe to run twice; each run gives "
        "the admin a new password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members", type=int, default=40, help="How many members (default 40)."
        )
        parser.add_argument(
            "--months",
            type=int,
            default=4,
            choices=range(1, 13),
            metavar="1-12",
            help="Months of activity up to today (default 4).",
        )

    def handle(self, *args, members: int, months: int, **options) -> None:
        if members < 1:
            raise CommandError("--members must be at least 1.")
        self.stdout.write("Seeding the demo organization…")
        seeded = demo_seed(members=members, months=months)
        organization = seeded.organization
        self.stdout.write(
            f"Organization: {organization.company_name} ({organization.domain_name}), "
            f"id {organization.public_id}\n"
            f"Admin: {seeded.admin_email}\n"
            f"Password: {seeded.admin_password}\n"
            f"Try: curl -s -X POST localhost:8000/api/v1/auth/token "
            f"-H 'Content-Type: application/json' "
            f'-d \'{{"email": "{seeded.admin_email}", "password": '
            f'"{seeded.admin_password}"}}\'\n'
            f"then GET /api/v1/organizations/{organization.public_id}/contract-usage"
        )
        self.stdout.write(
            f"Seeded {seeded.members_created} new members, "
            f"{seeded.contracts_created} new and {seeded.contracts_updated} updated "
            f"contracts, {seeded.activity_recorded} new activity rows."
        )
