"""A staff member runs the product from the admin in a real browser: logs in,
opens an organization's usage page, whose numbers are the API's, and the
overview; at a laptop's width and at a phone's."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from analytics.tests.helpers import activity, analytics_url
from conftest import SUPPORT_PERMISSIONS, client_for, grant, screenshot
from contracts.tests.factories import ContractFactory
from procure_site import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sup3rSecret!"


@pytest.fixture
def staff(db):
    user = User.objects.create_user(
        "ops@procure.example", PASSWORD, organization=None, is_staff=True
    )
    return grant(user, *SUPPORT_PERMISSIONS)


@pytest.fixture
def usage(organization):
    month = clock.add_months(clock.month_start(clock.today()), -1)
    for vendor, host, seats, spend, users in [
        ("Slack", "app.slack.com", 10, "1200.00", 7),
        ("Zoom", "zoom.us", 20, "3000.00", 4),
        ("Asana", "app.asana.com", 5, "500.00", 0),
    ]:
        contract = ContractFactory(
            organization=organization,
            host=host,
            vendor_name=vendor,
            num_seats=seats,
            annual_spend=Decimal(spend),
            expire_at=timezone.now() + dt.timedelta(days=40),
        )
        for number in range(users):
            user = UserFactory(organization=organization)
            for offset in range(0, 300, 29):
                activity(
                    user=user,
                    contract=contract,
                    day=month + dt.timedelta(days=number % 27) - dt.timedelta(offset),
                )
    return clock.format_month(month)


def log_in(page, live_server, staff):
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/{settings.ADMIN_URL}")


def test_it_shows_the_apis_usage_numbers_and_the_overview(
    live_server, page, staff, organization, other_organization, usage
):
    log_in(page, live_server, staff)
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}accounts/organization/")
    page.get_by_role("link", name="Usage").first.click()
    page.wait_for_selector("#contract-usage")

    api = client_for(staff).get(
        analytics_url(organization, "contract-usage", month=usage)
    )
    assert api.status_code == 200
    expected = {
        row["vendor_name"]: (
            row["active_users"],
            row["total_seats"],
            Decimal(str(row["estimated_waste"])),
        )
        for row in api.json()["contracts"]
    }
    shown = {}
    for row in page.locator("#contract-usage tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        shown[cells[0]] = (int(cells[1]), int(cells[2]), Decimal(cells[7]))
    assert shown == expected
    total = Decimal(page.locator("#total-waste").inner_text())
    assert total == Decimal(str(api.json()["totals"]["estimated_waste"]))
    assert page.locator("#month").input_value() == usage
    assert page.locator("svg.usage-chart").count() == 2

    chosen = int(page.locator("#contract").input_value())
    inactive = client_for(staff).get(
        analytics_url(organization, "inactive-users", days=30, contract_id=chosen)
    )
    assert inactive.status_code == 200
    expected_people = [
        [person["email"], person["last_active_day"]]
        for person in inactive.json()["contracts"][0]["inactive_users"]
    ]
    shown_people = [
        row.locator("td").all_inner_texts()
        for row in page.locator("#inactive-users tbody tr").all()
    ]
    assert expected_people
    assert shown_people == expected_people
    screenshot(page, "console-usage-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "console-usage-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(f"{live_server.url}/{settings.ADMIN_URL}accounts/organization/overview/")
    ranking = page.locator("#waste-ranking tbody tr td:first-child").all_inner_texts()
    assert ranking == ["Acme", "Globex"]
    assert "Globex" in page.locator("#quiet-organizations").inner_text()
    screenshot(page, "console-overview")
