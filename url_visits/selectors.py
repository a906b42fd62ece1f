from django.core.cache import cache
from django.db.models import QuerySet

from accounts.models import Organization, User
from contracts.models import Contract
from url_visits.matching import ContractHosts, MatchTable, match_table_build
from url_visits.models import Activity

# Tables of old contract versions are never read again; they only need to
# outlive the busiest stretch of a day before the cache drops them.
MATCH_TABLE_TIMEOUT_SECONDS = 24 * 60 * 60


def _match_table_cache_key(organization: Organization) -> str:
    # The format version ("v1") keeps workers running different code from
    # reading each other's tables during a deploy.
    return (
        f"url_visits:match_table:v1:{organization.pk}:{organization.contracts_version}"
    )


def contract_match_table(*, organization: Organization) -> MatchTable:
    """The organization's host → contract table, cached per contracts version.

    Every contract change bumps `organization.contracts_version`, which is
    part of the cache key, so a change is seen by every worker on its next
    request. The organization row comes loaded with the authenticated user,
    so a cache hit costs no query and a miss costs one.
    """
    key = _match_table_cache_key(organization)
    table = cache.get(key)
    if table is None:
        rows = (
            Contract.objects.filter(organization=organization)
            .order_by()
            .values_list("id", "product_url", "extra_hosts")
        )
        table = match_table_build(ContractHosts(*row) for row in rows)
        cache.set(key, table, MATCH_TABLE_TIMEOUT_SECONDS)
    return table


def activity_for_user(*, user: User) -> QuerySet[Activity]:
    """The activity recorded about `user`, newest first, with vendor names."""
    return (
        Activity.objects.filter(user=user)
        .select_related("contract")
        .only("day", "browser", "first_seen_at", "contract__vendor_name")
        .order_by("-day", "-first_seen_at", "-id")
    )
