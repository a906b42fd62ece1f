import socket

import pytest
import tldextract

from contracts import hosts
from contracts.hosts import (
    InvalidHost,
    host_and_parents,
    is_bare_domain,
    normalize_host,
    normalize_product_url,
    registrable_domain,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://App.Slack.com:443/path?x", "https://app.slack.com"),
        ("https://app.slack.com/", "https://app.slack.com"),
        ("http://zoom.us/j/123#frag", "https://zoom.us"),
        ("aws.amazon.com", "https://aws.amazon.com"),
        ("  github.com.  ", "https://github.com"),
        ("https://user:secret@notion.so/page", "https://notion.so"),
        ("https://bücher.de", "https://xn--bcher-kva.de"),
    ],
)
def test_it_normalizes_product_urls(url, expected):
    assert normalize_product_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "not a url",
        "ftp://files.example.com",
        "localhost",
        "https://127.0.0.1",
        "https://[::1]/",
        "https://slack.com:notaport",
        "https://-bad-.example.com",
        "https://" + "a" * 64 + ".com",
        "https://exa mple.com",
        "https://exa!mple.com",
    ],
)
def test_it_rejects_what_is_not_a_web_address(url):
    with pytest.raises(InvalidHost):
        normalize_product_url(url)


def test_it_rejects_a_url_that_is_not_a_string():
    with pytest.raises(InvalidHost):
        normalize_product_url(None)


def test_it_normalizes_hosts_like_product_urls():
    assert normalize_host("Force.COM:443") == "force.com"
    assert normalize_host("https://login.salesforce.com/x") == "login.salesforce.com"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("app.slack.com", "slack.com"),
        ("aws.amazon.com", "amazon.com"),
        ("console.aws.amazon.com", "amazon.com"),
        ("foo.co.uk", "foo.co.uk"),
        ("a.b.foo.co.uk", "foo.co.uk"),
        ("acme.atlassian.net", "atlassian.net"),
        ("co.uk", "co.uk"),
    ],
)
def test_it_finds_the_registrable_domain(host, expected):
    assert registrable_domain(host) == expected


def test_it_tells_bare_domains_from_subdomains():
    assert is_bare_domain("slack.com")
    assert is_bare_domain("www.slack.com")
    assert is_bare_domain("foo.co.uk")
    assert not is_bare_domain("app.slack.com")
    assert not is_bare_domain("aws.amazon.com")


def test_it_lists_a_host_and_its_parents_most_specific_first():
    assert host_and_parents("console.aws.amazon.com") == [
        "console.aws.amazon.com",
        "aws.amazon.com",
        "amazon.com",
        "com",
    ]


def test_it_never_touches_the_network_for_the_public_suffix_list(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("tldextract tried to open a network connection.")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    # Hosts the module-level extractor has not seen before.
    assert registrable_domain("portal.never-seen-before.co.nz") == (
        "never-seen-before.co.nz"
    )
    assert registrable_domain("x.y.z.example.com.au") == "example.com.au"

    # A fresh extractor configured like hosts.py's loads its list on first use:
    # that load must come from the bundled snapshot too.
    assert hosts._extract.suffix_list_urls == ()
    fresh = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    monkeypatch.setattr(hosts, "_extract", fresh)
    assert registrable_domain("eu.app.fresh-vendor.co.uk") == "fresh-vendor.co.uk"
    assert registrable_domain("aws.amazon.com") == "amazon.com"


@pytest.mark.parametrize(
    "host, expected",
    [
        ("co.uk", True),
        ("com.au", True),
        ("github.io", True),
        ("herokuapp.com", True),
        ("slack.com", False),
        ("app.slack.com", False),
        ("foo.github.io", False),
        ("intranet.notatld", False),
    ],
)
def test_it_knows_public_suffixes(host, expected):
    assert hosts.is_public_suffix(host) is expected
