"""The fast path of ingestion's host parsing and the remembered matches,
without a database: these tests must not touch one."""

import pytest

from contracts.hosts import InvalidHost, host_from_url
from url_visits import visited_hosts
from url_visits.matching import ContractHosts, match_table_build
from url_visits.visited_hosts import HostMatches, visited_host

URLS = [
    "https://slack.com",
    "https://slack.com/",
    "https://app.slack.com/client/T1?x=1#y",
    "http://docs.google.com?q",
    "https://docs.google.com#frag",
    "https://a-b.example.co.uk/path",
    "https://xn--bcher-kva.example/",
    "https://1password.com/",
    "https://example.123/",
    "https://1.2.3.4/",
    "https://1.2.3/",
    "https://10.0.0.1:8443/",
    "https://[::1]/",
    "https://Slack.com/",
    "HTTPS://slack.com/",
    "https://slack.com:443/",
    "https://slack.com:99999/",
    "https://slack.com:/",
    "https://user:pw@slack.com/",
    "https://slack.com@evil.example/",
    "https://slack.com./",
    "https://slack..com/",
    "https://-slack.com/",
    "https://slack-.com/",
    "https://" + "a" * 63 + ".com/",
    "https://" + "a" * 64 + ".com/",
    "https://" + ".".join(["abcdefghi"] * 25) + ".com/",
    "https://" + ".".join(["abcdefghi"] * 26) + ".com/",
    "https://sla\tck.com/",
    "https://slack.com/\n",
    "https://slack.com\n",
    " https://slack.com/ ",
    "https://slack.com /",
    "https://slack.com\\evil.example/",
    "https://sl%61ck.com/",
    "https://bücher.example/",
    "https://a_b.example.com/",
    "https://localhost/",
    "ftp://slack.com/",
    "slack.com",
    "slack.com/path",
    "https://",
    "",
    "not a url",
]


def rule(url: object) -> str | None:
    try:
        return host_from_url(url)
    except InvalidHost:
        return None


@pytest.mark.parametrize("url", URLS)
def test_it_reads_every_url_as_the_rule_does(url):
    assert visited_host(url) == rule(url)


@pytest.mark.parametrize("value", [None, 5, 1.5, ["https://slack.com"], {"u": 1}])
def test_it_finds_no_host_in_what_is_not_a_string(value):
    assert visited_host(value) is None


def test_it_reads_an_ordinary_url_without_the_full_parser(monkeypatch):
    def refuse(url):
        raise AssertionError(f"the rule was asked about {url}")

    monkeypatch.setattr(visited_hosts, "host_from_url", refuse)

    assert visited_host("https://app.slack.com/client") == "app.slack.com"


def test_it_remembers_matches_and_forgets_the_least_recently_used():
    table = match_table_build([ContractHosts(7, "https://slack.com", [])])
    matches = HostMatches(table, size=2)

    assert matches.contract_for("app.slack.com") == 7
    assert matches.contract_for("example.com") is None
    assert matches.contract_for("app.slack.com") == 7
    assert matches.contract_for("other.example") is None

    assert len(matches) == 2
    assert "example.com" not in matches._known
    assert list(matches._known) == ["app.slack.com", "other.example"]
