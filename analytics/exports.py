"""The analytics reports as tables, for their CSV answers (the API's
`?format=csv` and the staff console's downloads): one function per report,
from the report as its serializer renders it, so that a CSV always has the
JSON's figures."""

from typing import Any

from procure_site.renderers import Table

USAGE_COLUMNS = (
    "contract_id",
    "vendor_name",
    "pricing_model",
    "currency",
    "active_users",
    "total_seats",
    "annual_spend",
    "utilization",
    "unused_seats",
    "cost_per_active_user",
    "estimated_waste",
    "seats_reclaimed",
    "realized_savings",
)
RENEWAL_COLUMNS = (
    "contract_id",
    "vendor_name",
    "expire_at",
    "days_until_expiry",
    "cancel_by",
    "days_until_cancel_by",
    "auto_renew",
    "notice_period_days",
    "pricing_model",
    "currency",
    "annual_spend",
    "total_seats",
    "active_users",
    "utilization",
    "suggestion",
    "suggested_seats",
    "estimated_savings",
    "reason",
)


def contract_usage_table(data: dict[str, Any]) -> Table:
    """One row per contract, then the totals (contract_id empty)."""
    rows: list[list[Any]] = [
        [data["month"], *(row[column] for column in USAGE_COLUMNS)]
        for row in data["contracts"]
    ]
    totals = data["totals"]
    total: dict[str, Any] = {
        "vendor_name": "Total",
        "currency": totals["currency"],
        "annual_spend": totals["annual_spend"],
        "estimated_waste": totals["estimated_waste"],
        "seats_reclaimed": totals["seats_reclaimed"],
        "realized_savings": totals["realized_savings"],
    }
    rows.append([data["month"], *(total.get(column) for column in USAGE_COLUMNS)])
    return ("month", *USAGE_COLUMNS), rows


def usage_trend_table(data: dict[str, Any]) -> Table:
    """One row per contract and month."""
    columns = ("contract_id", "vendor_name", "total_seats", "month")
    rows = [
        [
            contract["contract_id"],
            contract["vendor_name"],
            contract["total_seats"],
            month["month"],
            month["active_users"],
            month["coverage"],
        ]
        for contract in data["contracts"]
        for month in contract["months"]
    ]
    return (*columns, "active_users", "coverage"), rows


def inactive_users_table(data: dict[str, Any]) -> Table:
    """One row per idle seat: the contract and the person."""
    columns = ("contract_id", "vendor_name", "user_id", "email")
    rows = [
        [
            contract["contract_id"],
            contract["vendor_name"],
            user["user_id"],
            user["email"],
            user["last_active_day"],
        ]
        for contract in data["contracts"]
        for user in contract["inactive_users"]
    ]
    return (*columns, "last_active_day"), rows


def renewals_table(data: dict[str, Any]) -> Table:
    """One row per contract, its advice included."""
    rows = [[row[column] for column in RENEWAL_COLUMNS] for row in data["contracts"]]
    return RENEWAL_COLUMNS, rows


def spend_by_department_table(data: dict[str, Any]) -> Table:
    rows: list[list[Any]] = [
        [data["month"], row["department"], row["active_users"], row["spend"]]
        for row in data["departments"]
    ]
    rows.append([data["month"], "(unused seats)", None, data["unused_seats"]])
    rows.append(
        [data["month"], "(contracts nobody used)", None, data["unused_contracts"]]
    )
    rows.append([data["month"], "Total", None, data["total_spend"]])
    return ("month", "department", "active_users", "spend"), rows
