from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.selectors import organization_by_domain_or_public_id
from contracts import csv_import, services
from procure_site.exceptions import DomainError, InvalidRows
from procure_site.text import counted


class Command(BaseCommand):
    help = (
        "Imports an organization's contracts from a CSV file in the web app's "
        "format (header: " + ",".join(csv_import.IMPORT_COLUMNS) + "; dates "
        "YYYY-MM-DD). Contracts are matched by product URL: new ones are "
        "created, existing ones updated: run twice with the same file, the "
        "second run creates nothing and writes the same values again (undoing "
        "edits made in between to those contracts) and audits the import "
        "again. All rows or none: any bad row stops the import and is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--org",
            required=True,
            help="The organization's domain name (acme.io) or public id (org_…).",
        )
        parser.add_argument("file", type=Path, help="The CSV file to import.")

    def handle(self, *args, org: str, file: Path, **options) -> None:
        organization = organization_by_domain_or_public_id(identifier=org)
        if organization is None:
            raise CommandError(f"No organization has the domain name or id {org}.")
        try:
            with file.open("rb") as csv_file:
                result = services.contract_import(
                    organization=organization, csv_file=csv_file
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        except InvalidRows as exc:
            lines = [
                f"  line {row['row']}: {' '.join(row['errors'])}" for row in exc.rows
            ]
            raise CommandError("\n".join([exc.detail, *lines])) from None
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(
            f"Imported {counted(result.imported, 'contract')} ({result.created} new, "
            f"{result.updated} updated, {result.unchanged} unchanged)."
        )
