"""The catalog's CSV format and its host-matching rule, without a database."""

import pytest

from discovery.catalog import (
    CATEGORIES,
    CatalogError,
    application_match,
    application_table_build,
    catalog_parse,
    catalog_read,
)

HEADER = "name,vendor,category,domains\n"


def test_it_ships_at_least_300_applications_in_every_listed_category() -> None:
    entries = catalog_read()

    assert len(entries) >= 300
    categories = {entry.category for entry in entries}
    for category in [
        "collaboration",
        "engineering",
        "design",
        "crm_sales",
        "marketing",
        "finance",
        "hr",
        "security",
        "ai",
        "storage",
    ]:
        assert category in categories
    assert categories <= set(CATEGORIES)


def test_it_never_gives_a_whole_shared_domain_to_one_product() -> None:
    domains = {domain for entry in catalog_read() for domain in entry.domains}

    for shared in ["google.com", "microsoft.com", "amazon.com", "linkedin.com"]:
        assert shared not in domains


def test_it_stores_bare_domains_as_registrable_domains() -> None:
    [entry] = catalog_parse(HEADER + "Slack,Salesforce,collaboration,WWW.Slack.com\n")

    assert entry.domains == ["slack.com"]


def test_it_lists_every_bad_row() -> None:
    text = HEADER + (
        "Slack,Salesforce,collaboration,slack.com\n"
        "Slack,Salesforce,collaboration,slack2.com\n"
        "Other,Other,nonsense,other.com\n"
        "Clone,Clone,design,app.slack.com slack.com\n"
        "Broken,Broken,design,-bad-.com\n"
        ",,,\n"
    )

    with pytest.raises(CatalogError) as caught:
        catalog_parse(text)

    assert str(caught.value) == (
        "The catalog CSV has 5 bad rows; nothing was imported."
    )
    assert caught.value.rows == [
        "Row 3: Slack is already in the catalog.",
        "Row 4: unknown category 'nonsense'; use one of " + ", ".join(CATEGORIES) + ".",
        "Row 5: slack.com already belongs to Slack.",
        "Row 6: '-bad-.com' is not a host name.",
        "Row 7: name, vendor and domains are required.",
    ]


def test_it_names_missing_columns() -> None:
    with pytest.raises(CatalogError, match="it lacks category, domains"):
        catalog_parse("name,vendor\nSlack,Salesforce\n")


def test_it_matches_subdomains_and_the_most_specific_domain() -> None:
    table = application_table_build(
        [(1, ["google.com"]), (2, ["drive.google.com"]), (3, ["slack.com"])]
    )

    assert application_match(table, "app.slack.com") == 3
    assert application_match(table, "drive.google.com") == 2
    assert application_match(table, "eu.drive.google.com") == 2
    assert application_match(table, "mail.google.com") == 1
    assert application_match(table, "notslack.com") is None


def test_it_never_matches_a_public_suffix_typed_in_the_admin() -> None:
    table = application_table_build([(1, ["heroku.com", "herokuapp.com"])])

    assert application_match(table, "dashboard.heroku.com") == 1
    assert application_match(table, "someones-site.herokuapp.com") is None


def test_it_gives_a_domain_claimed_twice_to_the_older_application() -> None:
    table = application_table_build([(7, ["zoom.us"]), (3, ["zoom.us", "bad host"])])

    assert application_match(table, "zoom.us") == 3
