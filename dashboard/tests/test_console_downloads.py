"""The usage page's tables download as the API's CSV, for staff with the
analytics permissions only."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.test import Client

from accounts.tests.factories import UserFactory
from alerts.tests.seed import organization_created_on
from contracts.tests.factories import ContractFactory
from dashboard.tests.test_admin_console import ORGANIZATIONS
from procure_site import clock


def rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_staff_download_the_usage_and_renewals_tables(
    console,
    staff_client,
    organization,
    slack,
):
    page = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/")
    usage_link = page.content.decode().split('id="contract-usage-csv" href="')[1]
    usage_url = usage_link.split('"')[0].replace("&amp;", "&")
    month = usage_url.rsplit("month=", 1)[1]

    usage = console.get(usage_url)
    renewals = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/renewals.csv")

    assert usage.status_code == 200
    assert usage["Content-Disposition"] == (
        'attachment; filename="acme.io-contract-usage.csv"'
    )
    api = staff_client.get(
        f"/api/v1/organizations/{organization.public_id}/contract-usage"
        f"?month={month}&format=csv"
    )
    assert usage.content == api.content
    assert [row["vendor_name"] for row in rows(usage)] == ["Slack", "Total"]
    assert [row["vendor_name"] for row in rows(renewals)] == ["Slack"]
    assert (
        console.get(f"{ORGANIZATIONS}{organization.pk}/usage/other.csv").status_code
        == 404
    )


def test_staff_without_the_analytics_permissions_get_no_download(organization):
    client = Client()
    client.force_login(UserFactory(organization=None, is_staff=True))

    response = client.get(f"{ORGANIZATIONS}{organization.pk}/usage/renewals.csv")

    assert response.status_code == 403


def test_the_renewals_table_lists_the_largest_savings_first(console, organization):
    # Data for the last 60 days, so that advice can cut: both are unused and
    # cancelling saves their whole spend.
    organization_created_on(organization, clock.today() - dt.timedelta(days=60))
    for vendor, spend, days in (("Small", "1000.00", 10), ("Big", "5000.00", 40)):
        ContractFactory(
            organization=organization,
            vendor_name=vendor,
            annual_spend=Decimal(spend),
            expire_at=clock.now() + dt.timedelta(days=days),
        )

    page = console.get(f"{ORGANIZATIONS}{organization.pk}/usage/").content.decode()

    table = page.split('id="renewals-table"')[1]
    assert table.index("Big") < table.index("Small")
