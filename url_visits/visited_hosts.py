"""The host of a visited URL and the contract it matches, fast.

Pure code, no database. Ingestion parses about a hundred URLs per request,
nearly all of them `https://<ordinary lower-case name>/...`, and the same few
thousand hosts come back in every batch. So:

- `visited_host` reads an ordinary URL with one regular expression and cheap
  checks, and hands everything else (ports, user info, upper case, IDNA,
  numeric hosts, whitespace) to `contracts.hosts.host_from_url`, the rule. The
  fast path only ever answers what the rule would answer; the tests compare
  the two on every kind of URL.
- `HostMatches` remembers host → contract id for one organization's match
  table, bounded, and is thrown away with its table when the contracts change.
"""

import re
import threading
from collections import OrderedDict

from contracts.hosts import InvalidHost, host_from_url
from url_visits.matching import MatchTable, match_host

# Scheme, then a lower-case ASCII name of two labels or more, then the end of
# the authority: a path, a query, a fragment or nothing. No port, no user
# info, no trailing dot: those take the rule's path. \Z, not $, which would
# let a trailing newline through.
_ORDINARY_URL = re.compile(r"https?://([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?=[/?#]|\Z)")
_MAX_HOST_LENGTH = 253
_MAX_LABEL_LENGTH = 63


def _ordinary_host(url: str) -> str | None:
    """The host of an ordinary URL that passes every check of the rule, or None
    when the rule must decide."""
    found = _ORDINARY_URL.match(url)
    if found is None:
        return None
    host = found.group(1)
    if len(host) > _MAX_HOST_LENGTH:
        return None
    labels = host.split(".")
    for label in labels:
        if len(label) > _MAX_LABEL_LENGTH or label[0] == "-" or label[-1] == "-":
            return None
    # An IPv4 address ends with a numeric label; ordinary names do not.
    if labels[-1].isdigit():
        return None
    return host


def visited_host(url: object) -> str | None:
    """The normalized host of a visited URL, or None when it has none that
    matching can use (what `host_from_url` refuses)."""
    if isinstance(url, str):
        host = _ordinary_host(url)
        if host is not None:
            return host
    try:
        return host_from_url(url)  # type: ignore[arg-type]
    except InvalidHost:
        return None


class HostMatches:
    """host → contract id (or None) for one match table, remembered.

    At most `size` hosts are kept, the least recently used going first, so a
    worker's memory stays bounded whatever hosts the extensions send. Safe
    to share between a worker's threads (GUNICORN_THREADS).
    """

    def __init__(self, table: MatchTable, *, size: int) -> None:
        self.table = table
        self._size = size
        self._known: OrderedDict[str, int | None] = OrderedDict()
        self._lock = threading.Lock()

    def contract_for(self, host: str) -> int | None:
        known = self._known
        with self._lock:
            if host in known:
                known.move_to_end(host)
                return known[host]
            contract_id = match_host(self.table, host)
            known[host] = contract_id
            if len(known) > self._size:
                known.popitem(last=False)
            return contract_id

    def __len__(self) -> int:
        return len(self._known)
