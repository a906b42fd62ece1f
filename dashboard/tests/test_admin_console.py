"""The staff console in the Django admin: an organization's usage page and the
overview of every organization, with the API's numbers."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from accounts.tests.factories import UserFactory
from analytics.tests.helpers import (
    activity,
    add_contracts_with_usage,
    analytics_url,
)
from conftest import grant
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from dashboard.tests.conftest import last_full_month
from procure_site import clock

ADMIN = "/" + settings.ADMIN_URL
ORGANIZATIONS = f"{ADMIN}accounts/organization/"


def test_it_shows_the_apis_contract_usage_for_the_last_full_month(
    console, staff_client, organization, slack
):
    # Idle for 45 days: inactive on any day (s0, who used it on the 1st of
    # last month, is not on the 1st of March).
    idle = UserFactory(organization=organization, email="idle@acme.io")
    activity(user=idle, contract=slack, day=clock.today() - dt.timedelta(days=45))
    api = staff_client.get(
        analytics_url(
            organization,
            "contract-usage",
            month=clock.format_month(last_full_month()),
        )
    )

    response = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/")

    assert response.status_code == 200
    usage = response.context["usage"]
    row = api.json()["contracts"][0]
    assert usage.month == api.json()["month"]
    assert (usage.contracts[0].active_users, usage.contracts[0].total_seats) == (
        row["active_users"],
        row["total_seats"],
    )
    page = response.content.decode()
    # Amounts are written with thousands separators: 4,500.00.
    shown = re.search(r'estimated-waste" data-label="[^"]*">([\d,.]+)</td>', page)
    total = re.search(r'id="total-waste" data-label="[^"]*">([\d,.]+)<', page)
    assert shown is not None and total is not None, page
    assert Decimal(shown.group(1).replace(",", "")) == Decimal(
        str(row["estimated_waste"])
    )
    assert Decimal(total.group(1).replace(",", "")) == Decimal(
        str(api.json()["totals"]["estimated_waste"])
    )
    assert "<svg" in page and "Slack: monthly active users" in page
    assert "idle@acme.io" in page  # inactive for the last 30 days
    assert "Renewals in the next 90 days" in page and "renew" in page.lower()


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (
            "month=2027-01",
            "2027-01 has not started yet, so there is no usage to report. Ask for "
            "2026-12 or an earlier month. Showing the last full one.",
        ),
        (
            "days=1000000",
            "days must be a whole number of days from 1 to 400, not "
            "&#x27;1000000&#x27;; showing 30.",
        ),
        (
            "days=0",
            "days must be a whole number of days from 1 to 400, not &#x27;0&#x27;; "
            "showing 30.",
        ),
        (
            "days=soon&contract=first&page=last",
            "days must be a whole number of days from 1 to 400, not "
            "&#x27;soon&#x27;; showing 30.",
        ),
    ],
)
@pytest.mark.time_machine(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC))
def test_it_explains_a_query_it_cannot_answer_on_the_usage_page(
    console, organization, slack, query, problem
):
    response = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/?{query}")

    assert response.status_code == 200
    assert f'<p class="errornote">{problem}</p>' in response.content.decode()
    assert response.context["usage"].month == "2026-11"
    assert response.context["inactive_days"] == 30


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (
            "month=2027-01",
            "2027-01 has not started yet, so there is no usage to report. Ask for "
            "2026-12 or an earlier month. Showing the last full one.",
        ),
        (
            "quiet_days=999999999",
            "quiet_days must be a whole number of days from 1 to 400, not "
            "&#x27;999999999&#x27;; showing 7.",
        ),
        (
            "quiet_days=-3",
            "quiet_days must be a whole number of days from 1 to 400, not "
            "&#x27;-3&#x27;; showing 7.",
        ),
    ],
)
@pytest.mark.time_machine(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC))
def test_it_explains_a_query_it_cannot_answer_on_the_overview(
    console, organization, slack, query, problem
):
    response = console.get(f"{ORGANIZATIONS}overview/?{query}")

    assert response.status_code == 200
    assert f'<p class="errornote">{problem}</p>' in response.content.decode()
    assert response.context["month"] == "2026-11"
    assert response.context["quiet_days"] == 7


def test_it_shows_another_month_and_explains_a_bad_one(console, organization, slack):
    other = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/?month=2020-01")
    bad = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/?month=Jan")

    assert other.context["usage"].month == "2020-01"
    assert other.context["usage"].contracts[0].active_users == 0
    assert bad.status_code == 200
    assert "&#x27;Jan&#x27; is not a month" in bad.content.decode()


def test_it_paginates_the_inactive_users(console, organization):
    contract = ContractFactory(organization=organization, num_seats=100)
    long_ago = clock.today() - dt.timedelta(days=90)
    for number in range(60):
        user = UserFactory(organization=organization, email=f"u{number:02d}@acme.io")
        activity(user=user, contract=contract, day=long_ago)

    first = console.get(
        f"{ORGANIZATIONS}{organization.pk}/usage/?contract={contract.pk}"
    )
    second = console.get(
        f"{ORGANIZATIONS}{organization.pk}/usage/?contract={contract.pk}&page=2"
    )

    assert len(first.context["inactive_page"]) == 50
    assert len(second.context["inactive_page"]) == 10
    assert "60 people used it before" in first.content.decode()


def test_its_queries_do_not_grow_with_contracts_or_users(console, organization):
    add_contracts_with_usage(organization=organization, count=2, today=clock.today())
    with CaptureQueriesContext(connection) as few:
        console.get(f"{ORGANIZATIONS}{organization.pk}/usage/")
    add_contracts_with_usage(organization=organization, count=8, today=clock.today())
    with CaptureQueriesContext(connection) as many:
        console.get(f"{ORGANIZATIONS}{organization.pk}/usage/")

    assert len(many) == len(few)


def test_it_links_the_usage_page_from_the_list_and_the_change_page(
    console, organization
):
    url = f"{ORGANIZATIONS}{organization.pk}/usage/"

    assert url in console.get(ORGANIZATIONS).content.decode()
    assert (
        url in console.get(f"{ORGANIZATIONS}{organization.pk}/change/").content.decode()
    )


def test_it_ranks_organizations_by_waste_and_lists_quiet_ones(
    console, organization, other_organization, slack
):
    ContractFactory(
        organization=other_organization, num_seats=100, annual_spend=Decimal("100000")
    )
    # Globex has been tracked for a year, so its empty month is a known 0 users.
    Organization.objects.filter(pk=other_organization.pk).update(
        created_at=clock.now() - dt.timedelta(days=365)
    )

    response = console.get(f"{ORGANIZATIONS}overview/")

    rows = response.context["rows"]
    assert [row.organization for row in rows] == [other_organization, organization]
    assert rows[0].estimated_waste == Decimal("100000.00")
    quiet = [row.organization for row in response.context["quiet"]]
    # Acme's last activity was last month; Globex never reported.
    assert other_organization in quiet
    assert "never" in response.content.decode()


def test_it_refuses_staff_without_the_analytics_permissions(db, organization):
    staff = UserFactory(organization=None, is_staff=True)
    staff = grant(staff, "accounts.view_organization")
    client = Client()
    client.force_login(staff)

    usage = client.get(f"{ORGANIZATIONS}{organization.pk}/usage/")
    overview = client.get(f"{ORGANIZATIONS}overview/")

    assert usage.status_code == 403
    assert overview.status_code == 403


def test_it_lists_users_with_last_activity_and_verification(
    console, organization, slack
):
    response = console.get(f"{ADMIN}accounts/user/?q=s0@")

    page = response.content.decode()
    assert response.context["cl"].result_list[0].last_activity == last_full_month()
    assert "Last activity" in page and "Verified" in page


def test_it_summarizes_a_persons_recent_activity_and_devices(console, organization):
    from accounts.services.sessions import device_token_issue

    person = UserFactory(organization=organization, email="pat@acme.io")
    contract = ContractFactory(organization=organization, vendor_name="Figma")
    for offset in (0, 1, 5, 45):
        activity(
            user=person, contract=contract, day=clock.today() - dt.timedelta(offset)
        )
    device_token_issue(user=person, device_id="laptop-7")

    page = console.get(f"{ADMIN}accounts/user/{person.pk}/change/").content.decode()

    assert f"Figma: 3 days, last on {clock.today().isoformat()}" in page
    assert "laptop-7" in page


def test_it_shows_the_most_wasteful_contracts_inactive_users_by_default(
    console, organization
):
    # The default used to be read as contract id 1, so an organization
    # whose contract 1 existed saw that one instead of the most wasteful.
    # Data since well before last month, so that its waste is known.
    Organization.objects.filter(pk=organization.pk).update(
        created_at=clock.now() - dt.timedelta(days=120)
    )
    small = ContractFactory(organization=organization, annual_spend=Decimal("10.00"))
    wasteful = ContractFactory(
        organization=organization, annual_spend=Decimal("9000.00")
    )
    spare = Contract.objects.aggregate(top=Max("id"))["top"] + 1
    Contract.objects.filter(pk=1).exclude(pk=small.pk).update(id=spare)
    Contract.objects.filter(pk=small.pk).update(id=1)
    wasteful.refresh_from_db()

    response = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/")

    assert response.status_code == 200
    assert response.context["chosen_contract"] == wasteful.pk
    assert f'<option value="{wasteful.pk}" selected>' in response.content.decode()


def usage_page(console, organization, **query: str) -> str:
    response = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/", query)
    assert response.status_code == 200
    page: str = response.content.decode()
    return page


@pytest.fixture
def three_contracts(organization):
    """Zoom wastes the most, then Asana, then Slack; Figma has no seats."""
    month = last_full_month()
    for vendor, host, seats, spend, users in [
        ("Slack", "app.slack.com", 10, "12345.50", 7),
        ("Zoom", "zoom.us", 20, "3000.00", 4),
        ("Asana", "app.asana.com", 5, "2500.00", 0),
        ("Figma", "figma.com", 0, "100.00", 1),
    ]:
        contract = ContractFactory(
            organization=organization,
            host=host,
            vendor_name=vendor,
            num_seats=seats,
            annual_spend=Decimal(spend),
        )
        for _ in range(users):
            user = UserFactory(organization=organization)
            activity(user=user, contract=contract, day=month)


def shown_contracts(page: str) -> list[str]:
    return re.findall(r'data-label="Contract"><a [^>]+>([^<]+)</a>', page)


def test_it_sorts_by_waste_and_by_any_column(console, organization, three_contracts):
    # Waste: Slack 3,703.65, Zoom 2,400.00, Asana 2,500.00; Figma unknown.
    assert shown_contracts(usage_page(console, organization)) == [
        "Slack",
        "Asana",
        "Zoom",
        "Figma",
    ]
    assert shown_contracts(usage_page(console, organization, sort="seats")) == [
        "Figma",
        "Asana",
        "Slack",
        "Zoom",
    ]
    assert shown_contracts(usage_page(console, organization, sort="-seats")) == [
        "Zoom",
        "Slack",
        "Asana",
        "Figma",
    ]
    # An unknown column sorts by waste, as by default.
    assert shown_contracts(usage_page(console, organization, sort="nope"))[0] == (
        "Slack"
    )


def test_it_writes_percentages_and_amounts_a_person_can_read(
    console, organization, three_contracts
):
    page = usage_page(console, organization)

    assert 'data-label="Utilization">70%</td>' in page
    assert 'data-label="Annual spend">12,345.50</td>' in page
    assert 'id="total-spend" data-label="Annual spend">17,945.50<' in page


def test_it_says_unknown_and_why_instead_of_none(
    console, organization, three_contracts
):
    page = usage_page(console, organization)

    assert "None" not in page
    assert (
        'data-label="Utilization" title="No seats are recorded for this contract.">'
        "unknown"
    ) in page
    assert 'title="Nobody used it this month.">unknown' in page


def test_it_draws_the_twelve_months_to_the_chosen_month(
    console, organization, three_contracts
):
    chosen = clock.add_months(last_full_month(), -3)

    page = usage_page(console, organization, month=clock.format_month(chosen))

    assert f"12 months to {clock.format_month(chosen)}" in page
    assert f">{clock.format_month(chosen)[2:]}<" in page
    after = clock.format_month(clock.add_months(chosen, 1))
    assert f">{after[2:]}<" not in page


def test_it_says_why_months_are_left_blank_in_the_charts(
    console, organization, three_contracts
):
    page = usage_page(console, organization)

    # The organization's data starts last month: the months before are gaps.
    assert 'id="chart-coverage-note"' in page
    assert "left blank, not drawn as 0" in page


def test_it_links_the_console_from_the_admins_home(console, db):
    page = console.get(ADMIN).content.decode()

    assert 'id="staff-console"' in page
    assert f'href="{ORGANIZATIONS}overview/"' in page


def test_it_shows_no_console_links_to_staff_who_may_not_read_usage(db):
    client = Client()
    client.force_login(UserFactory(organization=None, is_staff=True))

    assert 'id="staff-console"' not in client.get(ADMIN).content.decode()
