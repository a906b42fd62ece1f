"""GET /api/v1/organizations/{organization_id}/discovered-apps."""

import datetime as dt
import re

import pytest

from conftest import client_for
from contracts.tests.factories import ContractFactory
from discovery.models import Application, ApplicationMonth
from discovery.tests.helpers import (
    close_the_month,
    discovered,
    discovery_on,
    people,
    report_url,
    report_visits,
)


def test_it_shows_applications_at_the_threshold_and_hides_those_below(
    admin_user, organization, django_assert_num_queries, time_machine
):
    discovery_on(organization, min_users=3)
    users = people(organization, 3)
    for user in users:
        report_visits(user, "https://linear.app/team/issues")
    for user in users[:2]:
        report_visits(user, "https://chatgpt.com/")
    month = close_the_month(time_machine)
    admin_client = client_for(admin_user)

    # The JWT, the organization, then the report's five (the admins'
    # decisions among them) whatever its size.
    with django_assert_num_queries(7):
        response = admin_client.get(report_url(organization))

    assert response.status_code == 200
    assert response.json() == {
        "organization_id": organization.public_id,
        "month": month,
        "enabled": True,
        "min_users": 3,
        "applications": [
            {
                "application_id": Application.objects.get(name="Linear").pk,
                "name": "Linear",
                "vendor": "Linear",
                "category": "engineering",
                "domains": ["linear.app"],
                "active_users": 3,
                "first_seen_month": month,
                "has_contract": False,
                "contract": {
                    "vendor_name": "Linear",
                    "product_url": "https://linear.app",
                    "extra_hosts": [],
                },
                "decision": {
                    "state": "new",
                    "note": "",
                    "owner_id": None,
                    "owner_email": None,
                    "decided_by": None,
                    "decided_at": None,
                },
            }
        ],
    }


def test_it_never_goes_below_two_users(admin_client, organization, member):
    discovery_on(organization)
    # A threshold of 1 cannot be set through the API; even in the database
    # it is read as 2.
    organization.discovery_min_users = 1
    organization.save()

    report_visits(member, "https://linear.app/")

    response = admin_client.get(report_url(organization))
    assert response.json()["min_users"] == 2
    assert response.json()["applications"] == []


def test_it_sorts_by_users_and_marks_applications_with_a_contract(
    admin_user, organization, time_machine
):
    discovery_on(organization, min_users=2)
    users = people(organization, 3)
    for user in users:
        report_visits(user, "https://www.figma.com/file/1")
    for user in users[:2]:
        report_visits(user, "https://app.asana.com/0/1")
    ContractFactory(organization=organization, host="www.figma.com")
    close_the_month(time_machine)

    rows = client_for(admin_user).get(report_url(organization)).json()["applications"]

    assert [
        (row["name"], row["active_users"], row["has_contract"]) for row in rows
    ] == [
        ("Figma", 3, True),
        ("Asana", 2, False),
    ]


def test_it_turns_a_row_into_a_contract(admin_user, organization, time_machine):
    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://zoom.us/j/1")
    close_the_month(time_machine)
    admin_client = client_for(admin_user)
    [row] = admin_client.get(report_url(organization)).json()["applications"]

    created = admin_client.post(
        "/api/v1/contracts",
        {**row["contract"], "annual_spend": "1200.00", "num_seats": 10},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert created.json()["product_url"] == "https://zoom.us"
    assert created.json()["extra_hosts"] == ["zoom.com"]
    [row] = admin_client.get(report_url(organization)).json()["applications"]
    assert row["has_contract"] is True


# February 2026 has closed: the report shows months that have ended.
@pytest.mark.time_machine(dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC))
def test_it_reports_a_closed_month_from_its_counts(admin_client, organization):
    linear = Application.objects.get(name="Linear")
    figma = Application.objects.get(name="Figma")
    ApplicationMonth.objects.create(
        organization=organization,
        month="2026-01-01",
        application=linear,
        active_users=2,
    )
    ApplicationMonth.objects.create(
        organization=organization,
        month="2026-02-01",
        application=linear,
        active_users=4,
    )
    ApplicationMonth.objects.create(
        organization=organization, month="2026-02-01", application=figma, active_users=2
    )

    response = admin_client.get(report_url(organization), {"month": "2026-02"})

    rows = response.json()["applications"]
    assert [(r["name"], r["active_users"], r["first_seen_month"]) for r in rows] == [
        ("Linear", 4, "2026-02")
    ]


def test_it_refuses_a_malformed_month(admin_client, organization):
    response = admin_client.get(report_url(organization), {"month": "2026-13"})

    assert response.status_code == 400
    assert "month must be a month in the form YYYY-MM" in response.json()["detail"]


def test_it_shows_another_organization_nothing_of_this_one(
    admin_user, organization, other_organization, outsider_admin, time_machine
):
    discovery_on(organization, min_users=2)
    discovery_on(other_organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://linear.app/")
    close_the_month(time_machine)

    assert discovered(client_for(admin_user), organization) == {"Linear": 2}
    assert discovered(client_for(outsider_admin), other_organization) == {}


def test_it_refuses_a_member(member_client, organization):
    response = member_client.get(report_url(organization))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only admins of the organization can do this.",
        "code": "admins_only",
    }


def test_it_refuses_another_organizations_admin(outsider_client, organization):
    response = outsider_client.get(report_url(organization))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You can only see your own organization.",
        "code": "other_organization",
    }


def test_it_refuses_an_unknown_organization(admin_client):
    response = admin_client.get("/api/v1/organizations/org_nope/discovered-apps")

    assert response.status_code == 404


def test_it_refuses_an_anonymous_caller(anon_client, organization):
    assert anon_client.get(report_url(organization)).status_code == 401


def test_its_schema_describes_months_as_the_report_writes_them(
    admin_client, organization
):
    # The schema fuzzer found the months declared as dates ("2026-11-01")
    # while the report writes "2026-11".
    schema = admin_client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    report = admin_client.get(
        f"/api/v1/organizations/{organization.public_id}/discovered-apps"
    ).json()

    for component, field in [
        ("DiscoveryReport", "month"),
        ("DiscoveredApplication", "first_seen_month"),
    ]:
        described = components[component]["properties"][field]
        assert described.get("format") != "date"
        assert described["pattern"] == r"^\d{4}-\d{2}$"
    assert re.fullmatch(r"\d{4}-\d{2}", report["month"])
