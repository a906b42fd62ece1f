import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.core.cache import caches
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
from url_visits.visited_hosts import HostMatches

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
    """The organization's host → contract table, cached in each worker per
    contracts version.

    Every contract change bumps `organization.contracts_version`, which is
    part of the cache key, so a change is seen by every worker on its next
    request. The organization row comes loaded with the authenticated user,
    so a cache hit costs no query and a miss costs one.
    """
    # In this process's memory: a table is keyed by the version it was built
    # from, so no worker can read a stale one, and ingestion never waits on
    # the shared cache (the database, by default).
    local = caches["local"]
    key = _match_table_cache_key(organization)
    table = local.get(key)
    if table is None:
        rows = (
            Contract.objects.filter(organization=organization)
            .order_by()
            .values_list("id", "product_url", "extra_hosts")
        )
        table = match_table_build(ContractHosts(*row) for row in rows)
        local.set(key, table, MATCH_TABLE_TIMEOUT_SECONDS)
    return table


# Each worker keeps the host matches of the organizations it served last, per
# contracts version: a version it has not seen (a contract changed) misses and
# reads the new table, so a change is seen on the next request as before.
HOST_MATCHES_ORGANIZATIONS = 64
HOST_MATCHES_HOSTS = 20_000
_host_matches: OrderedDict[tuple[str, int, int], HostMatches] = OrderedDict()
_host_matches_lock = threading.Lock()


def contract_host_matches(*, organization: Organization) -> HostMatches:
    """The organization's host → contract matches, remembered in this process
    for its current contracts version (see `contract_match_table`).

    Costs no query and no cache read while this worker has served the same
    version of the organization's contracts recently.
    """
    key = (MATCH_TABLE_FORMAT, organization.pk, organization.contracts_version)
    with _host_matches_lock:
        matches = _host_matches.get(key)
        if matches is not None:
            _host_matches.move_to_end(key)
            return matches
    matches = HostMatches(
        contract_match_table(organization=organization), size=HOST_MATCHES_HOSTS
    )
    with _host_matches_lock:
        _host_matches[key] = matches
        while len(_host_matches) > HOST_MATCHES_ORGANIZATIONS:
            _host_matches.popitem(last=False)
    return matches


def contract_host_matches_forget() -> None:
    """Forgets every remembered host match of this process. For tests, whose
    databases reuse organization ids that production never reuses."""
    with _host_matches_lock:
        _host_matches.clear()


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
