"""Reclaims as a table, for the API's ?format=csv and the staff console."""

from typing import Any

from procure_site.renderers import Table

RECLAIM_COLUMNS = (
    "id",
    "contract_id",
    "vendor_name",
    "user_id",
    "email",
    "state",
    "asked_at",
    "answer_by",
    "answered_at",
    "closed_at",
    "started_by",
    "closed_by",
    "last_active_day",
    "active_since_asked",
    "realized_saving",
    "currency",
)


def reclaims_table(rows: list[dict[str, Any]]) -> Table:
    return RECLAIM_COLUMNS, (
        [row[column] for column in RECLAIM_COLUMNS] for row in rows
    )
