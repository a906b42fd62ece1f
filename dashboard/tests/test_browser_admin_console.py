"""A staff member runs the product from the admin in a real browser: logs in,
opens an organization's usage page, whose numbers are the API's, and the
overview; at a laptop's width and at a phone's."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from analytics.tests.helpers import activity, analytics_url
from conftest import SUPPORT_PERMISSIONS, client_for, grant, screenshot
from contracts.tests.factories import ContractFactory
from procure_site import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sup3rSecret!"


@pytest.fixture
def staff(db):
    user = UserFactory(
        email="ops@procure.example",
        password=PASSWORD,
        organization=None,
        is_staff=True,
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
            expire_at=clock.now() + dt.timedelta(days=40),
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
        waste = cells[7].replace(",", "")
        shown[cells[0]] = (int(cells[1]), int(cells[2]), Decimal(waste))
    assert shown == expected
    total = Decimal(page.locator("#total-waste").inner_text().replace(",", ""))
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


def test_it_reads_at_a_laptops_and_at_a_phones_width(
    live_server, page, staff, organization, usage
):
    log_in(page, live_server, staff)
    # The admin's home leads to the console.
    assert page.locator("#staff-console").get_by_role("link", name="Overview").count()

    page.goto(f"{live_server.url}/{settings.ADMIN_URL}accounts/organization/")
    usage_link = page.get_by_role("link", name="Usage").first.bounding_box()
    # Before, the list overflowed and Usage sat at x = 1625.
    assert usage_link is not None and usage_link["x"] + usage_link["width"] <= 1366
    # Every column is on screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shown = page.locator(".results").bounding_box()
    last = page.locator("#result_list thead th").last.bounding_box()
    assert shown is not None and last is not None
    assert last["x"] + last["width"] <= shown["x"] + shown["width"]
    screenshot(page, "console-organizations-1366")

    page.get_by_role("link", name="Usage").first.click()
    page.wait_for_selector("#contract-usage")
    contracts = page.locator("#contract-usage tbody tr td:first-child")
    # Largest estimated waste first: Zoom 2,400.00 (16 of 20 seats unused),
    # Asana 500.00 (nobody), Slack 360.00 (3 of 10).
    assert contracts.all_inner_texts() == ["Zoom", "Asana", "Slack"]
    rows = page.locator("#contract-usage tbody tr")
    assert rows.nth(0).locator("td.utilization").inner_text() == "20%"
    assert rows.nth(0).locator("td.annual-spend").inner_text() == "3,000.00"
    assert "None" not in page.locator("#content").inner_text()

    page.locator("#contract-usage thead").get_by_role(
        "link", name="Seats", exact=True
    ).click()
    page.wait_for_url("**sort=-seats**")
    assert contracts.all_inner_texts() == ["Zoom", "Slack", "Asana"]
    screenshot(page, "console-usage-sorted-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # Nothing scrolls sideways: waste, advice and reason are on screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    waste = page.locator("#contract-usage tbody tr").first.locator("td.estimated-waste")
    box = waste.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    reason = page.locator("#renewals-table tbody tr").first.locator(
        "td[data-label=Why]"
    )
    reason_box = reason.bounding_box()
    assert reason_box is not None and reason_box["x"] + reason_box["width"] <= 390
    # Chart labels keep their size on a phone (before: about 6 px).
    label = page.locator("svg.usage-chart text").first.bounding_box()
    assert label is not None and label["height"] >= 11
    screenshot(page, "console-usage-390")
