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
