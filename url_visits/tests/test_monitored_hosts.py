"""GET /api/v1/url-visits/monitored-hosts: what the extension may filter on."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient

from accounts.services.sessions import session_token_issue
from contracts.hosts import is_public_suffix
from contracts.tests.factories import ContractFactory
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL

URL = "/api/v1/url-visits/monitored-hosts"


@pytest.fixture
def contracts(organization, other_organization):
    ContractFactory(organization=organization, host="slack.com")
    ContractFactory(organization=organization, host="www.notion.so")
    ContractFactory(organization=organization, host="aws.amazon.com")
    ContractFactory(
        organization=organization,
        host="acme.my.salesforce.com",
        extra_hosts=["force.com"],
    )
    ContractFactory(organization=other_organization, host="globex-tools.com")


def cookie_client(user) -> APIClient:
    client = APIClient()
    client.cookies[settings.AUTH_COOKIE_NAME] = session_token_issue(user=user)
    return client


def test_it_lists_the_hosts_the_organization_tracks(
    device_client, organization, contracts
):
    organization.refresh_from_db()

    response = device_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "version": organization.contracts_version,
        "tracking_paused": False,
        # A bare domain (or www. + it) stands for all of its subdomains.
        "hosts": [
            "acme.my.salesforce.com",
            "aws.amazon.com",
            "force.com",
            "notion.so",
            "slack.com",
        ],
    }
    assert response["Cache-Control"] == "private, no-cache"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')


def test_it_answers_every_member_however_they_sign_in(
    member_client, admin_client, admin_user, member, contracts
):
    responses = [
        member_client.get(URL),
        admin_client.get(URL),
        cookie_client(member).get(URL),
        cookie_client(admin_user).get(URL),
    ]

    assert [response.status_code for response in responses] == [200] * 4
    assert len({response["ETag"] for response in responses}) == 1
    assert "slack.com" in responses[0].json()["hosts"]


def test_it_shows_another_organization_only_its_own_hosts(
    outsider_client, device_client, other_organization, contracts
):
    theirs = outsider_client.get(URL)
    ours = device_client.get(URL)

    assert theirs.json()["organization_id"] == other_organization.public_id
    assert theirs.json()["hosts"] == ["globex-tools.com"]
    assert theirs["ETag"] != ours["ETag"]


def test_it_refuses_anonymous_callers(anon_client, contracts):
    response = anon_client.get(URL)

    assert response.status_code == 401
    assert response.json() == {
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
    }


def test_it_refuses_users_without_an_organization(staff_client, contracts):
    response = staff_client.get(URL)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account does not belong to an organization. Ask proCure "
        "support to add it to one.",
        "code": "no_organization",
    }


def test_it_answers_304_without_a_body_while_the_list_is_current(
    device_client, contracts
):
    etag = device_client.get(URL)["ETag"]

    for header in [etag, f"W/{etag}", f'"stale", {etag}', "*"]:
        response = device_client.get(URL, HTTP_IF_NONE_MATCH=header)

        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
        assert response["Cache-Control"] == "private, no-cache"


def test_it_answers_200_for_an_etag_that_is_not_current(device_client, contracts):
    response = device_client.get(URL, HTTP_IF_NONE_MATCH='"something-else"')

    assert response.status_code == 200
    assert "slack.com" in response.json()["hosts"]


def test_it_changes_the_etag_when_a_contract_is_added(
    device_client, admin_client, contracts
):
    etag = device_client.get(URL)["ETag"]

    created = admin_client.post(
        "/api/v1/contracts",
        {"vendor_name": "GitHub", "product_url": "https://github.com"},
        format="json",
    )
    response = device_client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert created.status_code == 201
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "github.com" in response.json()["hosts"]


def test_it_changes_the_etag_when_a_contract_is_removed(
    device_client, admin_client, organization, contracts
):
    github = ContractFactory(organization=organization, host="github.com")
    etag = device_client.get(URL)["ETag"]

    assert admin_client.delete(f"/api/v1/contracts/{github.id}").status_code == 204
    response = device_client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert "github.com" not in response.json()["hosts"]


def test_it_lists_nothing_while_tracking_is_paused(
    device_client, admin_client, organization, contracts
):
    tracking_url = f"/api/v1/organizations/{organization.public_id}/tracking"
    etag = device_client.get(URL)["ETag"]

    admin_client.put(tracking_url, {"paused": True}, format="json")
    paused = device_client.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert paused.status_code == 200
    assert paused["ETag"] != etag
    assert paused.json()["tracking_paused"] is True
    assert paused.json()["hosts"] == []
    assert device_client.get(URL, HTTP_IF_NONE_MATCH=paused["ETag"]).status_code == 304

    admin_client.put(tracking_url, {"paused": False}, format="json")
    resumed = device_client.get(URL, HTTP_IF_NONE_MATCH=paused["ETag"])

    assert resumed.status_code == 200
    assert resumed["ETag"] == etag
    assert "slack.com" in resumed.json()["hosts"]


def test_it_filters_exactly_what_ingestion_matches(device_client, contracts):
    """A host that passes the list's filter matches a contract on ingestion,
    and a host that does not never does: the two use one rule."""
    hosts = device_client.get(URL).json()["hosts"]
    visited = [
        "slack.com",
        "app.slack.com",
        "notion.so",
        "www.notion.so",
        "aws.amazon.com",
        "console.aws.amazon.com",
        "amazon.com",
        "eu.acme.my.salesforce.com",
        "my.salesforce.com",
        "login.force.com",
        "notforce.com",
        "globex-tools.com",
        "github.com",
    ]
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    timestamp = int(yesterday.timestamp() * 1000)

    for host in visited:
        passes = any(host == kept or host.endswith("." + kept) for kept in hosts)
        body = device_client.post(
            "/api/v1/url-visits",
            {"entries": [{"url": f"https://{host}/x", "timestamp": timestamp}]},
            format="json",
        ).json()

        assert body["matched"] == int(passes), host


def test_it_costs_one_query_for_a_current_list(
    member_client, organization, django_assert_num_queries
):
    for number in range(20):
        ContractFactory(organization=organization, host=f"tool{number}.example.com")
    caches["local"].clear()

    # Authentication loads the user with the organization; the contracts are
    # read once and then cached.
    with django_assert_num_queries(2):
        etag = member_client.get(URL)["ETag"]
    with django_assert_num_queries(1):
        assert member_client.get(URL).status_code == 200
    caches["local"].clear()
    with django_assert_num_queries(1):
        assert member_client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_it_costs_the_same_queries_for_one_contract_and_many(
    member_client, organization, django_assert_num_queries
):
    ContractFactory(organization=organization, host="tool.example.com")
    caches["local"].clear()
    with django_assert_num_queries(2):
        assert len(member_client.get(URL).json()["hosts"]) == 1

    for number in range(50):
        ContractFactory(organization=organization, host=f"tool{number}.example.com")
    caches["local"].clear()
    with django_assert_num_queries(2):
        assert len(member_client.get(URL).json()["hosts"]) == 51


def test_it_lists_the_catalogs_domains_while_discovery_is_on(
    device_client, organization, contracts
):
    before = device_client.get(URL)
    organization.discovery_enabled = True
    organization.save()

    response = device_client.get(URL, HTTP_IF_NONE_MATCH=before["ETag"])

    # Turning discovery on changes the list, so the old copy is stale.
    assert response.status_code == 200
    assert response["ETag"] != before["ETag"]
    hosts = response.json()["hosts"]
    assert {"slack.com", "aws.amazon.com", "linear.app", "drive.google.com"} <= set(
        hosts
    )
    assert hosts == sorted(hosts)
    assert "globex-tools.com" not in hosts
    # No public suffix: the extension would report every site under it
    # (the bundled catalog listed herokuapp.com, myshopify.com and others).
    assert [host for host in hosts if is_public_suffix(host)] == []
