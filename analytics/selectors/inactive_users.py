"""Users who stopped using a contract."""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import CharField
from django.db.models.functions import Cast

from accounts.models import Organization
from analytics.selectors.activity import (
    organization_contracts,
)
from procure_site import clock
from procure_site.db_router import reads_from_replica
from url_visits.models import LatestActivity

# One idle seat: (user_id, email, last_active_day). A plain tuple on
# purpose. A large organization has tens of thousands of idle seats, and the
# garbage collector stops tracking a plain tuple of strings and a date at its
# first pass, but keeps tracking dataclass and named-tuple instances: those
# made a full collection in most requests (26,312 seats: about 110 ms of a
# 300 ms request).
InactiveUser = tuple[str, str, date]


@dataclass(frozen=True)
class ContractInactiveUsers:
    contract_id: int
    vendor_name: str
    total_seats: int
    inactive_user_count: int
    inactive_users: list[InactiveUser]


@dataclass(frozen=True)
class InactiveUsersReport:
    organization_id: str
    company_name: str
    days: int
    active_since: date
    contracts: list[ContractInactiveUsers]


def _uuid_text(value: str) -> str:
    """A user id read as text in its usual form.

    PostgreSQL gives a uuid cast to text in that form already, which is much
    cheaper than making a UUID per row and printing it; SQLite stores the 32
    hex digits only.
    """
    return value if "-" in value else str(UUID(value))


@reads_from_replica
def contract_inactive_users(
    *,
    organization: Organization,
    days: int,
    contract_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> InactiveUsersReport:
    """Per contract, the users who used it before but not in the last `days` days.

    The last `days` days include today (UTC): with 30, activity on or after
    `active_since` = today - 29 days counts as recent. Their seats are the
    ones that can be reclaimed. Every contract in force is listed, longest
    idle users first; with `contract_id`, that contract only. With `limit`,
    each contract lists that many of them from `offset`, and its count stays
    the whole count.
    """
    active_since = clock.today() - timedelta(days=days - 1)
    contracts = organization_contracts(
        organization=organization,
        contract_id=contract_id,
        in_force_on=clock.today(),
    )
    latest = LatestActivity.objects.filter(
        organization=organization, last_day__lt=active_since
    )
    if contract_id is not None:
        latest = latest.filter(contract_id=contract_id)
    # Tuples rather than dicts: a large organization has tens of thousands
    # of idle seats, and building a dict per row costs more than the query.
    rows = latest.order_by("last_day", "user__email").values_list(
        "contract_id",
        Cast("user_id", output_field=CharField()),
        "user__email",
        "last_day",
    )
    by_contract: dict[int, list[InactiveUser]] = {}
    for contract_id, user_id, email, last_day in rows:
        by_contract.setdefault(contract_id, []).append(
            (_uuid_text(user_id), email, last_day)
        )
    return InactiveUsersReport(
        organization_id=organization.public_id,
        company_name=organization.company_name,
        days=days,
        active_since=active_since,
        contracts=[
            ContractInactiveUsers(
                contract_id=contract.id,
                vendor_name=contract.vendor_name,
                total_seats=contract.num_seats,
                inactive_user_count=len(by_contract.get(contract.id, [])),
                inactive_users=by_contract.get(contract.id, [])[
                    offset : None if limit is None else offset + limit
                ],
            )
            for contract in contracts
        ],
    )
