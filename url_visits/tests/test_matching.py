"""The matching rule, without a database: these tests must not touch one."""

import pytest

from contracts.hosts import InvalidHost, host_from_url
from url_visits.matching import (
    ContractHosts,
    match_host,
    match_table_build,
    match_table_hosts,
)

SLACK, AWS, AMAZON, NOTION, SALESFORCE, FOO = 1, 2, 3, 4, 5, 6


def contract(contract_id: int, host: str, *extra_hosts) -> ContractHosts:
    return ContractHosts(contract_id, f"https://{host}", list(extra_hosts))


def match(table, url: str) -> int | None:
    return match_host(table, host_from_url(url))


@pytest.fixture
def table():
    return match_table_build(
        [
            contract(SLACK, "slack.com"),
            contract(AWS, "aws.amazon.com"),
            contract(AMAZON, "amazon.com"),
            contract(NOTION, "www.notion.so"),
            contract(SALESFORCE, "acme.my.salesforce.com", "force.com"),
            contract(FOO, "foo.co.uk"),
        ]
    )


def test_it_matches_the_exact_product_host(table):
    assert match(table, "https://acme.my.salesforce.com/home") == SALESFORCE


def test_it_matches_subdomains_of_the_product_host(table):
    assert match(table, "https://console.aws.amazon.com/ec2") == AWS
    assert match(table, "https://eu.acme.my.salesforce.com/") == SALESFORCE


def test_it_does_not_match_parents_or_siblings_of_a_subdomain_product_host():
    table = match_table_build([contract(SLACK, "app.slack.com")])

    assert match(table, "https://app.slack.com/client") == SLACK
    assert match(table, "https://slack.com/") is None
    assert match(table, "https://status.slack.com/") is None


def test_it_matches_every_subdomain_of_a_bare_domain_contract(table):
    assert match(table, "https://slack.com/") == SLACK
    assert match(table, "https://app.slack.com/client/T1") == SLACK
    assert match(table, "https://files.eu.slack.com/") == SLACK


def test_it_treats_a_www_product_host_as_its_bare_domain(table):
    assert match(table, "https://www.notion.so/") == NOTION
    assert match(table, "https://notion.so/") == NOTION
    assert match(table, "https://acme.notion.so/page") == NOTION


def test_it_uses_the_public_suffix_list_for_bare_domains(table):
    assert match(table, "https://app.foo.co.uk/") == FOO
    assert match(table, "https://bar.co.uk/") is None


def test_it_matches_extra_hosts_and_their_subdomains(table):
    assert match(table, "https://force.com/") == SALESFORCE
    assert match(table, "https://acme.lightning.force.com/one") == SALESFORCE


def test_it_gives_the_most_specific_host_the_win(table):
    assert match(table, "https://console.aws.amazon.com/") == AWS
    assert match(table, "https://aws.amazon.com/") == AWS
    assert match(table, "https://www.amazon.com/gp/cart") == AMAZON
    assert match(table, "https://sellercentral.amazon.com/") == AMAZON


def test_it_ignores_the_port_the_trailing_dot_and_case(table):
    assert match(table, "https://APP.Slack.COM:8443/client") == SLACK
    assert match(table, "https://console.aws.amazon.com./") == AWS
    assert match(table, "HTTP://Console.AWS.Amazon.com.:443/x?y=1#z") == AWS


def test_it_matches_nothing_for_unknown_hosts(table):
    assert match(table, "https://github.com/") is None
    assert match(table, "https://slack.com.evil.example/") is None
    assert match(table, "https://notslack.com/") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/admin",
        "http://[::1]:8080/",
        "https://192.168.1.1./",
        "chrome://newtab",
        "about:blank",
        "file:///etc/passwd",
        "http://localhost:3000/",
        "not a url",
        "https://:80/",
        "",
        None,
        1764201600000,
        "https://" + "a" * 300 + ".com/",
    ],
)
def test_it_refuses_ip_addresses_and_garbage(url):
    with pytest.raises(InvalidHost):
        host_from_url(url)


def test_it_picks_the_same_contract_whatever_the_order_on_a_collision():
    contracts = [
        contract(7, "www.slack.com"),
        contract(3, "slack.com"),
        contract(5, "tools.example.com", "slack.com"),
        contract(9, "a.example.org", "shared.example.net"),
        contract(4, "b.example.org", "shared.example.net"),
    ]

    for ordering in (contracts, list(reversed(contracts))):
        table = match_table_build(ordering)
        # The contract whose product host is the host itself wins, then a
        # widened www. product host, then extra hosts; then the lowest id.
        assert match(table, "https://app.slack.com/") == 3
        assert match(table, "https://shared.example.net/") == 4


def test_it_prefers_a_product_host_to_another_contracts_extra_host():
    table = match_table_build(
        [contract(1, "tools.example.com", "app.slack.com"), contract(2, "slack.com")]
    )

    # app.slack.com is claimed as an extra host by 1; the most specific host
    # still wins over the bare-domain contract 2.
    assert match(table, "https://app.slack.com/") == 1
    assert match(table, "https://slack.com/") == 2


def test_it_ignores_unusable_stored_hosts():
    table = match_table_build(
        [
            ContractHosts(1, "not a url", ["", "10.0.0.1", 42, None, "ok.example.com"]),
            ContractHosts(2, "https://two.example.com", "not-a-list.example.com"),
        ]
    )

    assert table == {"ok.example.com": 1, "two.example.com": 2}


def test_it_builds_an_empty_table_for_no_contracts():
    assert match_table_build([]) == {}
    assert match_host({}, "slack.com") is None


def test_it_lists_the_claimed_hosts_sorted(table):
    assert match_table_hosts(table) == [
        "acme.my.salesforce.com",
        "amazon.com",
        "aws.amazon.com",
        "foo.co.uk",
        "force.com",
        "notion.so",
        "slack.com",
    ]


@pytest.mark.parametrize(
    "host",
    [
        "slack.com",
        "files.eu.slack.com",
        "notslack.com",
        "slack.com.evil.example",
        "notion.so",
        "www.notion.so",
        "console.aws.amazon.com",
        "sellercentral.amazon.com",
        "acme.my.salesforce.com",
        "my.salesforce.com",
        "salesforce.com",
        "acme.lightning.force.com",
        "bar.co.uk",
        "app.foo.co.uk",
        "co.uk",
        "com",
    ],
)
def test_it_lists_hosts_that_filter_exactly_what_matches(table, host):
    """The extension's filter (the host or a subdomain of a listed host) keeps
    a host exactly when the matching rule gives it a contract."""
    listed = match_table_hosts(table)

    kept = any(host == entry or host.endswith("." + entry) for entry in listed)

    assert kept == (match_host(table, host) is not None)
