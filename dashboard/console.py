"""How the staff console shows the contract-usage table: its sort orders and
readable cells. Pure: the numbers come from analytics.selectors, and no
number is changed, only written for a person to read."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from analytics.selectors.usage import ContractUsage

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Cell:
    """A cell as shown: its text, and why it says "unknown" when it does."""

    text: str
    reason: str = ""


def amount(value: Decimal, currency: str = "", reporting: str = "") -> str:
    """12345.5 → "12,345.50", with the currency's code when it is not the
    organization's reporting currency ("1,000.00 EUR")."""
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency and currency != reporting else text


def percent(fraction: Decimal) -> str:
    """0.734 → "73%"."""
    return f"{fraction * 100:.0f}%"


# Column key → (heading, the value it sorts by). None sorts last whichever
# the direction: an unknown value is never "the largest waste".
COLUMNS: dict[str, tuple[str, Callable[[ContractUsage], object]]] = {
    "contract": ("Contract", lambda row: row.vendor_name.lower()),
    "active_users": ("Active users", lambda row: row.active_users),
    "seats": ("Seats", lambda row: row.total_seats),
    "utilization": ("Utilization", lambda row: row.utilization),
    "unused_seats": ("Unused seats", lambda row: row.unused_seats),
    "annual_spend": ("Annual spend", lambda row: row.annual_spend),
    "cost_per_active_user": (
        "Cost per active user",
        lambda row: row.cost_per_active_user,
    ),
    "estimated_waste": ("Estimated waste", lambda row: row.estimated_waste),
    "seats_reclaimed": ("Seats reclaimed", lambda row: row.seats_reclaimed),
    "realized_savings": ("Realized savings", lambda row: row.realized_savings),
}
DEFAULT_SORT = "-estimated_waste"


def sort_key(text: str | None) -> str:
    """The query's `sort` if it names a column (a leading "-" for largest
    first), else the default: largest waste first."""
    if text and text.lstrip("-") in COLUMNS:
        return text
    return DEFAULT_SORT


def sorted_rows(rows: list[ContractUsage], sort: str) -> list[ContractUsage]:
    column = sort.lstrip("-")
    descending = sort.startswith("-")
    value_of = COLUMNS[column][1]
    known = [row for row in rows if value_of(row) is not None]
    unknown = [row for row in rows if value_of(row) is None]
    # Ties keep the contracts' names in order.
    known.sort(key=lambda row: row.vendor_name.lower())
    known.sort(key=value_of, reverse=descending)  # type: ignore[arg-type]
    return known + sorted(unknown, key=lambda row: row.vendor_name.lower())


def row_cells(
    row: ContractUsage, *, coverage_note: str | None, reporting: str = ""
) -> dict[str, Cell]:
    """The row's cells by column key, every one readable: no "None"."""
    no_data = coverage_note or "proCure has no data for this month."

    def known(value: object, text: str, reason_if_none: str) -> Cell:
        return Cell(text) if value is not None else Cell(UNKNOWN, reason_if_none)

    no_seats = "No seats are recorded for this contract."
    return {
        "contract": Cell(row.vendor_name),
        "active_users": Cell(f"{row.active_users:,}"),
        "seats": Cell(f"{row.total_seats:,}"),
        "utilization": known(
            row.utilization,
            percent(row.utilization) if row.utilization is not None else "",
            no_seats if row.total_seats == 0 else no_data,
        ),
        "unused_seats": known(
            row.unused_seats,
            f"{row.unused_seats:,}" if row.unused_seats is not None else "",
            no_data,
        ),
        "annual_spend": Cell(amount(row.annual_spend, row.currency, reporting)),
        "cost_per_active_user": known(
            row.cost_per_active_user,
            amount(row.cost_per_active_user, row.currency, reporting)
            if row.cost_per_active_user is not None
            else "",
            "Nobody used it this month.",
        ),
        "estimated_waste": known(
            row.estimated_waste,
            amount(row.estimated_waste, row.currency, reporting)
            if row.estimated_waste is not None
            else "",
            no_seats if row.total_seats == 0 else no_data,
        ),
        "seats_reclaimed": Cell(f"{row.seats_reclaimed:,}"),
        "realized_savings": Cell(amount(row.realized_savings, row.currency, reporting)),
    }
