import csv
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import selectors as accounts_selectors
from analytics.selectors import usage
from analytics.serializers import ContractUsageReportSerializer
from discovery import selectors as discovery_selectors
from discovery.serializers import DiscoveryReportSerializer
from procure_site import clock
from procure_site.exceptions import DomainError
from procure_site.spreadsheets import csv_cell
from procure_site.text import counted

DISCOVERED_COLUMNS = [
    "name",
    "vendor",
    "category",
    "domains",
    "active_users",
    "first_seen_month",
    "has_contract",
]
COLUMNS = [
    "contract_id",
    "vendor_name",
    "active_users",
    "total_seats",
    "annual_spend",
    "utilization",
    "unused_seats",
    "cost_per_active_user",
    "estimated_waste",
]


class Command(BaseCommand):
    help = (
        "Print an organization's contract usage for one UTC month: active users "
        "against seats and spend, the same numbers as the contract-usage "
        "endpoint. Read-only, so safe to run any number of times."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--org",
            required=True,
            help="The organization's domain name (acme.io) or public id (org_...).",
        )
        parser.add_argument(
            "--month",
            help="The UTC month, YYYY-MM. Default: the current UTC month (for "
            "--discovered, the last month that has ended).",
        )
        parser.add_argument(
            "--format",
            choices=["table", "csv", "json"],
            default="table",
            help="table (default) for people, csv or json for other programs.",
        )
        parser.add_argument(
            "--discovered",
            action="store_true",
            help="The month's discovered applications (shadow IT used by at "
            "least the organization's min_users people) instead of contracts.",
        )

    def handle(self, *args, **options) -> None:
        organization = accounts_selectors.organization_by_domain_or_public_id(
            identifier=options["org"]
        )
        if organization is None:
            raise CommandError(
                f"No organization has the domain or id {options['org']}."
            )
        month = None
        if options["month"] is not None:
            try:
                month = clock.parse_month(options["month"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        if options["discovered"]:
            self._discovered(organization, month, options["format"])
            return
        try:
            report = usage.contract_usage(organization=organization, month=month)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        data = ContractUsageReportSerializer(report).data
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
        elif options["format"] == "csv":
            # RFC 4180's CRLF, the csv module's default: with a bare "\n" the
            # writer would leave a carriage return in a name unquoted.
            writer = csv.writer(self.stdout)
            writer.writerow(COLUMNS)
            for row in data["contracts"]:
                writer.writerow([csv_cell(row[c]) for c in COLUMNS])
        else:
            self.stdout.write(_table(data["contracts"]))
        waste = report.totals.estimated_waste
        summary = (
            f"{organization.company_name} ({organization.domain_name}), "
            f"{report.month}: {len(report.contracts)} contracts, annual spend "
            f"{report.totals.annual_spend:,.2f}, estimated waste "
            + ("unknown" if waste is None else f"{waste:,.2f}")
            + "."
        )
        # A month without data, or with data for part of it, says so: its
        # numbers must not be read as a full month's.
        if report.coverage_note is not None:
            summary += f" {report.coverage_note}"
        # csv and json keep stdout machine-readable; the summary goes beside it.
        if options["format"] == "table":
            self.stdout.write(summary)
        else:
            self.stderr.write(summary)

    def _discovered(self, organization, month, output_format: str) -> None:
        try:
            report = discovery_selectors.discovered_applications(
                organization=organization, month=month
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        data = DiscoveryReportSerializer(report).data
        if output_format == "json":
            self.stdout.write(json.dumps(data, indent=2))
        elif output_format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(DISCOVERED_COLUMNS)
            for row in data["applications"]:
                writer.writerow(
                    [
                        " ".join(row[c]) if c == "domains" else row[c]
                        for c in DISCOVERED_COLUMNS
                    ]
                )
        else:
            self.stdout.write(
                _grid(
                    [
                        "Application",
                        "Vendor",
                        "Category",
                        "Users",
                        "First seen",
                        "Contract",
                    ],
                    [
                        [
                            row["name"],
                            row["vendor"],
                            row["category"],
                            str(row["active_users"]),
                            row["first_seen_month"],
                            "yes" if row["has_contract"] else "no",
                        ]
                        for row in data["applications"]
                    ],
                )
            )
        summary = (
            f"{organization.company_name} ({organization.domain_name}), "
            f"{data['month']}: "
            f"{counted(len(report.applications), 'discovered application')} "
            f"used by at least {report.min_users} people"
            + ("" if organization.discovery_enabled else " (discovery is off)")
            + "."
        )
        if output_format == "table":
            self.stdout.write(summary)
        else:
            self.stderr.write(summary)


def _table(rows: list[dict]) -> str:
    headings = [
        "Vendor",
        "Active",
        "Seats",
        "Util.",
        "Unused",
        "Spend",
        "Per active",
        "Waste",
    ]
    lines = [
        [
            row["vendor_name"],
            str(row["active_users"]),
            str(row["total_seats"]),
            _number(row["utilization"], "{:.1%}"),
            _number(row["unused_seats"], "{}"),
            _number(row["annual_spend"], "{:,.2f}"),
            _number(row["cost_per_active_user"], "{:,.2f}"),
            _number(row["estimated_waste"], "{:,.2f}"),
        ]
        for row in rows
    ]
    return _grid(headings, lines)


def _grid(headings: list[str], lines: list[list[str]]) -> str:
    widths = [
        max(len(cells[i]) for cells in [headings, *lines]) for i in range(len(headings))
    ]

    def render(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [
            cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)
        ]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([render(headings), *(render(cells) for cells in lines)])


def _number(value: float | None, template: str) -> str:
    return "-" if value is None else template.format(value)
