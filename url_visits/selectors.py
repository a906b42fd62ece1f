import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet

from accounts.models import Organization, User
from contracts.models import Contract
from discovery.selectors import application_table, application_table_digest
from url_visits.matching import (
    ContractHosts,
    MatchTable,
    match_table_build,
    match_table_hosts,
)
from url_visits.models import Activity

# Tables of old contract versions are never read again; they only need to
# outlive the busiest stretch of a day before the cache drops them.
MATCH_TABLE_TIMEOUT_SECONDS = 24 * 60 * 60
# Bumped when the matching rule or the table's shape changes. It keeps workers
# running different code from reading each other's tables during a deploy,
# and changes every monitored-hosts ETag so that extensions fetch the new list.
MATCH_TABLE_FORMAT = "v1"


def _match_table_cache_key(organization: Organization) -> str:
    return (
        f"url_visits:match_table:{MATCH_TABLE_FORMAT}:{organization.pk}:"
        f"{organization.contracts_version}"
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


@dataclass(frozen=True)
class MonitoredHosts:
    organization_id: str
    version: int
    tracking_paused: bool
    hosts: list[str]


def monitored_hosts_etag(*, organization: Organization) -> str:
    """A strong ETag of the organization's monitored hosts, without a query.

    The list is a function of the organization, its contracts version, whether
    tracking is paused and the matching rule's format, so a hash of those
    changes whenever the list can. With discovery on, the catalog's digest
    (cached) joins them.
    """
    state = (
        f"{MATCH_TABLE_FORMAT}:{organization.public_id}:"
        f"{organization.contracts_version}:{int(organization.tracking_paused)}"
    )
    if organization.discovery_enabled:
        state += f":discovery:{application_table_digest()}"
    return '"' + hashlib.sha256(state.encode()).hexdigest()[:32] + '"'


def monitored_hosts(*, organization: Organization) -> MonitoredHosts:
    """The hosts whose visits the organization records, for the extension to
    filter on the device. While tracking is paused nothing is recorded, so
    the list is empty and the contracts are not read. With discovery on, the
    catalog's domains are listed too, so that the extension sends the visits
    discovery counts.

    Costs no query while the match tables are cached, one each otherwise.
    """
    hosts = (
        []
        if organization.tracking_paused
        else match_table_hosts(contract_match_table(organization=organization))
    )
    if organization.discovery_enabled and not organization.tracking_paused:
        hosts = sorted(set(hosts) | set(application_table()))
    return MonitoredHosts(
        organization_id=organization.public_id,
        version=organization.contracts_version,
        tracking_paused=organization.tracking_paused,
        hosts=hosts,
    )
