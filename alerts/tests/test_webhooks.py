"""alerts.webhooks, without a database: which URLs and addresses a webhook
may use."""

import socket
import time

import pytest

from alerts.tests.receiver import TricklingReceiver
from alerts.webhooks import (
    WebhookFailed,
    WebhookRefused,
    webhook_post,
    webhook_url_masked,
    webhook_url_problem,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T0/B0/x",
        "https://example.com:8443/hook?team=1",
        "https://93.184.216.34/hook",
    ],
)
def test_it_accepts_public_https_urls(url):
    assert webhook_url_problem(url, allow_private=False) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://example.com/", "must start with https://"),
        ("https:///path", "has no host name"),
        ("https://127.0.0.2/", "a loopback address"),
        ("https://10.20.30.40/", "a private network address"),
        ("https://172.16.0.1/", "a private network address"),
        ("https://192.168.1.1/", "a private network address"),
        ("https://169.254.169.254/", "link-local"),
        ("https://[fe80::1]/", "link-local"),
        ("https://[fd00:ec2::254]/", "a private network address"),
        ("https://0.0.0.0/", "which is not allowed"),
        ("https://100.64.0.1/", "not public"),
        ("https://224.0.0.1/", "not public"),
    ],
)
def test_it_refuses_what_is_not_public(url, problem):
    assert problem in (webhook_url_problem(url, allow_private=False) or "")


def test_it_allows_private_addresses_and_http_where_told(settings):
    assert webhook_url_problem("http://10.0.0.1/hook", allow_private=True) is None
    assert webhook_url_problem("http://127.0.0.1/hook", allow_private=True) is None


def test_it_checks_every_address_a_name_resolves_to(monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    with pytest.raises(WebhookRefused, match="resolves to a private network address"):
        webhook_post(
            "https://mixed.example/hook", payload={}, allow_private=False, timeout=1
        )


def test_it_gives_up_on_a_trickling_receiver_at_the_deadline():
    # Every read gets a byte within half a second; the answer takes 20 s.
    with TricklingReceiver(interval=0.5) as slow:
        started = time.monotonic()
        with pytest.raises(WebhookFailed) as failure:
            webhook_post(slow.url, payload={}, allow_private=True, timeout=1)
        elapsed = time.monotonic() - started

    assert str(failure.value) == (
        "The webhook at 127.0.0.1 did not answer within 1 second."
    )
    assert slow.requests == 1
    assert elapsed < 1 + 2


@pytest.mark.timed_waits
def test_it_counts_a_slow_name_resolution_against_the_deadline(monkeypatch):
    def slow_getaddrinfo(host, port, *args, **kwargs):
        time.sleep(3)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)

    started = time.monotonic()
    with pytest.raises(WebhookFailed) as failure:
        webhook_post(
            "https://slow-dns.example/hook", payload={}, allow_private=False, timeout=1
        )
    elapsed = time.monotonic() - started

    assert str(failure.value) == (
        "The webhook host slow-dns.example could not be resolved within 1 second."
    )
    assert elapsed < 1 + 2


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "https://hooks.slack.com/services/T0/B0/abcdWXYZ",
            "https://hooks.slack.com/…WXYZ",
        ),
        (
            "https://chat.example:8443/hook?token=s3cr3t99",
            "https://chat.example:8443/…3t99",
        ),
        ("https://[2001:db8::1]/a/long/secret/path", "https://[2001:db8::1]/…path"),
        # Too short to show four characters and still hide the rest.
        ("https://chat.example/abcdefgh", "https://chat.example/…"),
        ("https://chat.example", "https://chat.example/…"),
        ("", ""),
    ],
)
def test_it_masks_a_webhook_url_to_its_host_and_last_characters(url, masked):
    assert webhook_url_masked(url) == masked


def test_it_masks_what_is_not_a_url_entirely():
    assert webhook_url_masked("https://[::1/secret-path-of-the-hook") == "…"


# IPv6 addresses that stand for an IPv4 one, through a translator or a tunnel,
# are judged by the IPv4 address they carry.
EMBEDDED_IPV4 = [
    ("64:ff9b::7f00:1", "a loopback address"),  # NAT64, 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64, 169.254.169.254
    ("64:ff9b:1::a00:1", "a private network address"),  # local NAT64, 10.0.0.1
    ("64:ff9b:1::5db8:d822", "an address that is not public"),  # local NAT64
    ("::127.0.0.1", "a loopback address"),  # IPv4-compatible
    ("::10.1.2.3", "a private network address"),  # IPv4-compatible
    ("2002:7f00:1::", "a loopback address"),  # 6to4, 127.0.0.1
    ("2002:c0a8:101::1", "a private network address"),  # 6to4, 192.168.1.1
    ("::ffff:0:7f00:1", "a loopback address"),  # IPv4-translated (SIIT)
    ("::ffff:0:a9fe:a9fe", "link-local"),  # IPv4-translated
    ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped
    ("fec0::1", "a site-local address"),  # site-local, deprecated
    ("feff::1", "a site-local address"),
]


@pytest.mark.parametrize(("address", "problem"), EMBEDDED_IPV4)
def test_it_refuses_an_ipv6_host_that_carries_a_non_public_ipv4_one(address, problem):
    found = webhook_url_problem(f"https://[{address}]/hook", allow_private=False)

    assert found is not None
    assert found.startswith("The webhook URL points to ")
    assert problem in found


@pytest.mark.parametrize(("address", "problem"), EMBEDDED_IPV4)
def test_it_refuses_a_name_that_resolves_to_an_ipv6_form_of_a_non_public_ipv4(
    monkeypatch, address, problem
):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    with pytest.raises(WebhookRefused) as refusal:
        webhook_post(
            "https://hooks.attacker.example/hook",
            payload={},
            allow_private=False,
            timeout=1,
        )

    assert str(refusal.value).startswith(
        "The webhook host hooks.attacker.example resolves to "
    )
    assert problem in str(refusal.value)


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::5db8:d822",
        "2002:5db8:d822::1",
        "::ffff:0:5db8:d822",
        "2606:4700::1111",
    ],
)
def test_it_accepts_ipv6_forms_of_a_public_ipv4_address(address):
    # 93.184.216.34, through NAT64, 6to4 and SIIT; and a plain public address.
    assert webhook_url_problem(f"https://[{address}]/hook", allow_private=False) is None
