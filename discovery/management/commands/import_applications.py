from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from discovery.catalog import CATALOG_CSV, CatalogError, catalog_read
from discovery.services import applications_import
from procure_site.exceptions import DomainError
from procure_site.text import counted


class Command(BaseCommand):
    help = (
        "Create or update the catalog of SaaS applications from a CSV with the "
        "columns name, vendor, category and domains (separated by spaces), by "
        "name, all rows or none. Without a file, the catalog bundled with "
        "proCure. Applications the file does not name are kept. Safe to run "
        "twice: the second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "csv_file",
            nargs="?",
            default=str(CATALOG_CSV),
            help="The CSV to import (default: discovery/data/applications.csv).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv_file"])
        try:
            entries = catalog_read(path)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        except CatalogError as exc:
            raise CommandError("\n".join([str(exc), *exc.rows])) from None
        try:
            result = applications_import(entries=entries)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Imported {counted(len(entries), 'application')} ({result.created} new, "
            f"{result.updated} updated, {result.unchanged} unchanged)."
        )
