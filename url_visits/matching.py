"""Which contract a visited host belongs to (the matching rule of domain-model.md).

Pure functions, no database. A match table maps a host to the id of the
contract that claims it; a visited host matches the contract of the most
specific of its claimed parents, so `console.aws.amazon.com` goes to a
contract on `aws.amazon.com` before one on `amazon.com`.
"""

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from contracts.hosts import (
    InvalidHost,
    host_and_parents,
    host_from_url,
    is_bare_domain,
    normalize_host,
    registrable_domain,
)

MatchTable = dict[str, int]


class ContractHosts(NamedTuple):
    """The columns of a contract that matching needs."""

    contract_id: int
    product_url: str
    extra_hosts: list[str]


# When two contracts claim the same host, the one whose product host is that
# very host wins, then one whose bare product domain was widened to it (a
# `www.` product host), then one that lists it as an extra host; the oldest
# contract (lowest id) breaks a remaining tie, so the outcome never depends on
# the order the contracts were read in.
_PRODUCT_HOST, _WIDENED_PRODUCT_HOST, _EXTRA_HOST = 0, 1, 2


def _claimed_hosts(contract: ContractHosts) -> Iterator[tuple[str, int]]:
    """(host, rank) for each host the contract claims, skipping unusable ones."""
    try:
        product_host = host_from_url(contract.product_url)
    except InvalidHost:
        product_host = None
    if product_host is not None:
        if is_bare_domain(product_host):
            # A contract on slack.com or www.slack.com covers every subdomain
            # of slack.com, which walking the parents of a visited host finds.
            domain = registrable_domain(product_host)
            yield (
                domain,
                _PRODUCT_HOST if domain == product_host else _WIDENED_PRODUCT_HOST,
            )
        else:
            yield product_host, _PRODUCT_HOST
    # Extra hosts are normalized when saved, but the column is free JSON that
    # the Django admin can edit, so anything unusable is ignored here.
    extra_hosts = contract.extra_hosts if isinstance(contract.extra_hosts, list) else []
    for extra_host in extra_hosts:
        try:
            yield normalize_host(extra_host), _EXTRA_HOST
        except InvalidHost:
            continue


def match_table_build(contracts: Iterable[ContractHosts]) -> MatchTable:
    """The host → contract id table of one organization's contracts."""
    claims: dict[str, tuple[int, int]] = {}
    for contract in contracts:
        for host, rank in _claimed_hosts(contract):
            claim = (rank, contract.contract_id)
            if host not in claims or claim < claims[host]:
                claims[host] = claim
    return {host: contract_id for host, (_, contract_id) in claims.items()}


def match_host(table: MatchTable, host: str) -> int | None:
    """The id of the contract a normalized host (from `host_from_url`) matches.

    The host itself is tried first, then each parent domain, so the most
    specific claimed host wins.
    """
    for candidate in host_and_parents(host):
        contract_id = table.get(candidate)
        if contract_id is not None:
            return contract_id
    return None


def match_table_hosts(table: MatchTable) -> list[str]:
    """The hosts a match table claims, sorted.

    `match_host` tries a visited host and each of its parents, so a host
    matches some contract exactly when it is one of these hosts or a
    subdomain of one. That makes this list a complete filter for the
    extension: a host that passes it may match, one that does not never will.
    """
    return sorted(table)
