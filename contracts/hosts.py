"""Host names: normalizing product URLs and visited URLs, registrable domains.

Pure functions, no database. The Public Suffix List is the snapshot bundled
with tldextract; it is never fetched over the network.
"""

import ipaddress
from urllib.parse import urlsplit

import tldextract

from procure_site.exceptions import DomainError

_URL_EXAMPLE = "https://app.slack.com"

# No suffix_list_urls and no cache_dir: tldextract reads only the snapshot it
# ships with, at import, and never touches the network or the disk cache.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_MAX_HOST_LENGTH = 253


class InvalidHost(ValueError):
    pass


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _clean_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if not host or len(host) > _MAX_HOST_LENGTH:
        raise InvalidHost("The host is empty or too long.")
    labels = host.split(".")
    if len(labels) < 2 or any(
        not label or len(label) > 63 or label.startswith("-") or label.endswith("-")
        for label in labels
    ):
        raise InvalidHost(f"{host!r} is not a host name.")
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-")
    if any(set(label) - allowed for label in labels):
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidHost(f"{host!r} is not a host name.") from None
        # The idna codec passes ASCII labels through unchecked, so spaces and
        # punctuation would survive it. Browsers accept underscores in hosts.
        if set(host) - allowed - {".", "_"}:
            raise InvalidHost(f"{host!r} is not a host name.")
    if _is_ip_address(host):
        raise InvalidHost("IP addresses are not product hosts.")
    return host


def host_from_url(url: str) -> str:
    """The lower-case host of an http(s) URL (or of a bare host), without port
    or trailing dot. Raises InvalidHost for anything else, IP addresses included.
    """
    if not isinstance(url, str):
        raise InvalidHost("The URL is not a string.")
    candidate = url.strip()
    if "://" not in candidate:
        candidate = "https://" + candidate
    try:
        parts = urlsplit(candidate)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidHost("The URL does not parse.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidHost("Only http and https URLs have hosts to match.")
    return _clean_host(host)


def normalize_host(host: str) -> str:
    """A host as contracts store it (extra hosts): lower-case, no port or dot."""
    return host_from_url(host)


def normalize_product_url(url: str) -> str:
    """`https://<host>` for a product URL; path, query, port and case dropped."""
    return f"https://{host_from_url(url)}"


def registrable_domain(host: str) -> str:
    """The registrable domain of a host by the Public Suffix List.

    `aws.amazon.com` → `amazon.com`, `foo.co.uk` → `foo.co.uk`. A host that
    is itself a public suffix (or has none) is its own registrable domain.
    """
    result = _extract(host)
    if result.domain and result.suffix:
        return f"{result.domain}.{result.suffix}"
    return host


def is_public_suffix(host: str) -> bool:
    """True when `host` is itself a public suffix, by the list's ICANN section
    (`co.uk`, `com.au`) or its private one (`github.io`, `herokuapp.com`).

    A contract on such a host would match every site registered under it,
    which would turn the contract into a log of people's browsing.
    """
    result = _extract(host, include_psl_private_domains=True)
    return not result.domain and bool(result.suffix)


def public_suffix_refusal(*, host: str, what: str) -> str:
    """The sentence that refuses `host`, a public suffix, as `what`."""
    return (
        f"{what} is {host}, a public suffix under which anyone can register "
        "sites: a contract on it would record visits to all of them. Use the "
        "vendor's own host, such as app.slack.com."
    )


def is_bare_domain(host: str) -> bool:
    """True when the host is a registrable domain or `www.` plus one."""
    return registrable_domain(host) == host.removeprefix("www.")


def host_and_parents(host: str) -> list[str]:
    """The host and each parent domain of it, most specific first.

    `console.aws.amazon.com` → [`console.aws.amazon.com`, `aws.amazon.com`,
    `amazon.com`, `com`].
    """
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def shorten(text: str, limit: int = 100) -> str:
    """A value as quoted in an error sentence: cut after `limit` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def contract_product_url(*, url: str) -> tuple[str, str]:
    """The normalized product URL and its vendor domain.

    `HTTPS://App.Slack.com:443/path?x` → (`https://app.slack.com`, `slack.com`).
    Raises DomainError with a sentence for anything that is not a web address
    and for a host that is a public suffix.
    """
    try:
        product_url = normalize_product_url(url)
    except InvalidHost:
        raise DomainError(
            f'The product URL "{shorten(url)}" is not a web address. '
            f"Use one such as {_URL_EXAMPLE}."
        ) from None
    host = product_url.removeprefix("https://")
    if is_public_suffix(host):
        raise DomainError(
            public_suffix_refusal(
                host=host, what=f'The host of the product URL "{shorten(url)}"'
            )
        )
    return product_url, registrable_domain(host)
