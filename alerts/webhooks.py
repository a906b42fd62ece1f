"""Posting JSON to a webhook URL that a customer typed, without letting it
reach this service's own network (SSRF).

The host is resolved once, every address it resolves to is checked, and the
connection is made to the checked address (with the name kept for TLS and the
Host header), so that a second DNS answer cannot swap in a private address.
Redirects are never followed. Nothing here touches the database.

The timeout is a deadline for the whole delivery, from resolving the name to
the last byte of the answer, so that a receiver that answers slowly cannot
hold up the digests of the organizations after it.
"""

import contextlib
import http.client
import ipaddress
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

# Enough of an answer to show an admin what the receiver said.
RESPONSE_LIMIT = 2000


class WebhookRefused(Exception):
    """The URL may not be called: a sentence an admin can act on."""


class WebhookFailed(Exception):
    """The receiver could not be reached or did not answer in time."""


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


# A masked URL shows its last characters only when at least this many
# characters after the host stay hidden.
MASK_HIDDEN_AT_LEAST = 12


def webhook_url_masked(url: str) -> str:
    """`url` with everything after its host hidden but the last four
    characters: enough to tell webhooks apart, not to call one. The URL of a
    webhook is its credential. Empty stays empty."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "…"
    # Never a user name or password, should an old row hold one.
    server = parts.netloc.rpartition("@")[2]
    secret = url.split(parts.netloc, 1)[-1] if parts.netloc else url
    tail = secret[-4:] if len(secret) - 4 >= MASK_HIDDEN_AT_LEAST else ""
    return f"{parts.scheme}://{server}/…{tail}"


# IPv6 prefixes whose addresses carry an IPv4 address in their last 32 bits:
# NAT64 (RFC 6052, and RFC 8215's local-use prefix), IPv4-compatible
# (deprecated) and IPv4-translated (SIIT, RFC 7915). A translator or the
# operating system turns them into a connection to that IPv4 address.
_LAST_32_BITS_IPV4 = [
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
]
# Where in an address of this prefix the IPv4 one sits is the local
# network's choice, and none of it is public.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that `ip` stands for, when it is IPv4-mapped, 6to4,
    NAT64, IPv4-compatible or IPv4-translated."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in prefix for prefix in _LAST_32_BITS_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _kind_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        # 169.254.169.254 is the cloud metadata service.
        return "a link-local address (such as the cloud metadata service)"
    if ip.is_private:
        return "a private network address"
    if not ip.is_global or ip.is_multicast:
        return "an address that is not public"
    return None


def address_refusal(address: str) -> str | None:
    """Why proCure will not connect to the IP `address` (loopback, private,
    link-local, not public, in any of their IPv6 disguises), or None. Also
    the rule for the identity providers' issuers (identity.services.oidc).
    A host name raises ValueError."""
    ip = ipaddress.ip_address(address.split("%")[0])
    # :: and ::1 are IPv4-compatible in form only.
    if isinstance(ip, ipaddress.IPv6Address) and not (
        ip.is_loopback or ip.is_unspecified
    ):
        if ip.is_site_local:
            # Deprecated, but still routed inside some networks.
            return "a site-local address"
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            refusal = _kind_refusal(embedded)
            if refusal is None and ip in _LOCAL_NAT64:
                return "an address that is not public"
            return refusal
    return _kind_refusal(ip)


def webhook_url_problem(url: str, *, allow_private: bool) -> str | None:
    """Why `url` cannot be a webhook, judged from its text alone, or None.

    A host that is an IP address is checked here too; names are checked
    after resolution, when sending.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "The webhook URL is not a valid URL."
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        return "The webhook URL must start with https://."
    if not parts.hostname:
        return "The webhook URL has no host name."
    if parts.username or parts.password:
        return "The webhook URL must not contain a user name or password."
    if port == 0:
        return "The webhook URL has no valid port."
    if not allow_private:
        try:
            refusal = address_refusal(parts.hostname)
        except ValueError:
            refusal = None
        if refusal is not None:
            return f"The webhook URL points to {refusal}, which is not allowed."
    return None


def _seconds(seconds: float) -> str:
    return f"{seconds:g} second" if seconds == 1 else f"{seconds:g} seconds"


def _resolve(host: str, port: int, *, allow_private: bool, timeout: float) -> str:
    """The address to connect to: the first that `host` resolves to, once
    every one of them is allowed.

    getaddrinfo has no timeout of its own, so it runs in a thread that is
    abandoned after `timeout`; the resolver's own time limits end it.
    """
    resolver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="webhook-dns")
    lookup = resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    resolver.shutdown(wait=False)
    try:
        infos = lookup.result(timeout=timeout)
    except FutureTimeout:
        raise WebhookFailed(
            f"The webhook host {host} could not be resolved within {_seconds(timeout)}."
        ) from None
    except (socket.gaierror, UnicodeError):
        raise WebhookFailed(f"The webhook host {host} could not be resolved.") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise WebhookFailed(f"The webhook host {host} could not be resolved.")
    if not allow_private:
        for address in addresses:
            refusal = address_refusal(address)
            if refusal is not None:
                raise WebhookRefused(
                    f"The webhook host {host} resolves to {refusal}, which is "
                    "not allowed."
                )
    return addresses[0]


class _Deadline:
    """Shuts the request's socket down once the whole request has taken
    `seconds`. http.client's own timeout applies to each read, which a
    receiver sending one byte at a time never reaches; a shut-down socket
    ends whatever read or write is waiting on it at once."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, connection: socket.socket) -> None:
        with self._lock:
            if self.expired:
                connection.close()
                raise TimeoutError
            self._socket = connection

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._socket is not None:
                # The receiver may have hung up already.
                with contextlib.suppress(OSError):
                    self._socket.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()


def webhook_post(
    url: str, *, payload: dict[str, Any], allow_private: bool, timeout: float
) -> WebhookAnswer:
    """POSTs `payload` as JSON to `url` and returns what the receiver said.

    Raises WebhookRefused for a URL that may not be called and WebhookFailed
    when nothing usable came back, or not all of it within `timeout` seconds
    of the call. A redirect is an answer, never followed.
    """
    started = time.monotonic()
    problem = webhook_url_problem(url, allow_private=allow_private)
    if problem is not None:
        raise WebhookRefused(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _resolve(host, port, allow_private=allow_private, timeout=timeout)
    late = WebhookFailed(
        f"The webhook at {host} did not answer within {_seconds(timeout)}."
    )
    remaining = timeout - (time.monotonic() - started)
    if remaining <= 0:
        raise late

    connection: http.client.HTTPConnection
    if https:
        connection = http.client.HTTPSConnection(host, port, timeout=remaining)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=remaining)
    deadline = _Deadline(remaining)

    def connect_to_checked_address(
        _address: tuple[str, int],
        timeout: float | None = None,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        opened = socket.create_connection((address, port), timeout, source_address)
        deadline.watch(opened)
        return opened

    # http.client connects through this attribute; TLS still verifies the
    # certificate against `host`.
    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    body = json.dumps(payload).encode()
    try:
        with deadline:
            connection.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "proCure-digest/1",
                },
            )
            response = connection.getresponse()
            text = response.read(RESPONSE_LIMIT).decode("utf-8", errors="replace")
            status = response.status
            location = response.getheader("Location")
    except TimeoutError:
        raise late from None
    except (OSError, http.client.HTTPException) as exc:
        if deadline.expired:
            raise late from None
        raise WebhookFailed(
            f"The webhook at {host} could not be reached ({type(exc).__name__})."
        ) from None
    finally:
        connection.close()
    # A body cut short by the deadline can read as a complete one.
    if deadline.expired:
        raise late
    if 300 <= status < 400:
        text = (
            f"Redirect to {location or 'nowhere'} not followed: point the webhook "
            "at the final URL."
        )
    return WebhookAnswer(status=status, body=text)
