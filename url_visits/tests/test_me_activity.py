import datetime as dt

import pytest

from contracts.tests.factories import ContractFactory
from procure_site.exceptions import NOT_SIGNED_IN_DETAIL
from url_visits.tests.factories import ActivityFactory

URL = "/api/v1/me/activity"


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def slack(organization):
    return ContractFactory(organization=organization, vendor_name="Slack")


@pytest.fixture
def zoom(organization):
    return ContractFactory(organization=organization, vendor_name="Zoom")


def test_it_lists_my_activity_newest_first(member_client, member, slack, zoom):
    today = dt.datetime.now(dt.UTC).date()
    yesterday = today - dt.timedelta(days=1)
    ActivityFactory(
        user=member, contract=slack, day=yesterday, first_seen_at=at(yesterday, 9)
    )
    ActivityFactory(
        user=member,
        contract=zoom,
        day=today,
        first_seen_at=at(today, 8),
        browser="Edge",
    )
    ActivityFactory(user=member, contract=slack, day=today, first_seen_at=at(today, 10))

    response = member_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["results"] == [
        {
            "contract_id": slack.id,
            "vendor_name": "Slack",
            "day": today.isoformat(),
            "browser": "Chrome",
            "first_seen_at": f"{today.isoformat()}T10:00:00Z",
        },
        {
            "contract_id": zoom.id,
            "vendor_name": "Zoom",
            "day": today.isoformat(),
            "browser": "Edge",
            "first_seen_at": f"{today.isoformat()}T08:00:00Z",
        },
        {
            "contract_id": slack.id,
            "vendor_name": "Slack",
            "day": yesterday.isoformat(),
            "browser": "Chrome",
            "first_seen_at": f"{yesterday.isoformat()}T09:00:00Z",
        },
    ]


def test_it_shows_only_my_own_activity(
    member_client, member, admin_user, outsider_admin, slack
):
    ActivityFactory(user=member, contract=slack)
    ActivityFactory(user=admin_user, contract=slack)
    ActivityFactory(
        user=outsider_admin, contract__organization=outsider_admin.organization
    )

    results = member_client.get(URL).json()["results"]

    assert [row["contract_id"] for row in results] == [slack.id]


def test_it_works_with_the_device_token(device_client, member, slack):
    ActivityFactory(user=member, contract=slack)

    response = device_client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_it_paginates(member_client, member, slack):
    today = dt.datetime.now(dt.UTC).date()
    for days in range(5):
        ActivityFactory(
            user=member, contract=slack, day=today - dt.timedelta(days=days)
        )

    first = member_client.get(URL, {"page_size": 2}).json()
    last = member_client.get(URL, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5
    assert [row["day"] for row in first["results"]] == [
        today.isoformat(),
        (today - dt.timedelta(days=1)).isoformat(),
    ]
    assert first["next"].endswith("page=2&page_size=2")
    assert first["previous"] is None
    assert [row["day"] for row in last["results"]] == [
        (today - dt.timedelta(days=4)).isoformat()
    ]
    assert last["next"] is None


def test_it_answers_an_empty_list_to_users_without_activity(staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_it_refuses_anonymous_callers(anon_client):
    response = anon_client.get(URL)

    assert response.status_code == 401
    assert response.json() == {
        "detail": NOT_SIGNED_IN_DETAIL,
        "code": "not_authenticated",
    }


def test_it_reads_a_page_in_a_constant_number_of_queries(
    member_client, member, organization, django_assert_num_queries
):
    today = dt.datetime.now(dt.UTC).date()
    ActivityFactory(user=member, contract=ContractFactory(organization=organization))

    # Authentication, the count and the page, with each row's vendor name.
    with django_assert_num_queries(3):
        assert member_client.get(URL).json()["count"] == 1

    for days in range(1, 30):
        ActivityFactory(
            user=member,
            contract=ContractFactory(organization=organization),
            day=today - dt.timedelta(days=days),
        )

    with django_assert_num_queries(3):
        assert len(member_client.get(URL).json()["results"]) == 30
