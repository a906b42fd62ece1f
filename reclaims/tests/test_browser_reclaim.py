"""End to end in a real browser (Debian's chromium through Playwright): an
admin asks three idle people about their Figma seats through the API with
the web app's cookie; one keeps it and one releases it on the emailed page
(on a phone), one does not answer before the window closes; the admin
confirms the two removals, and contract usage and the audit log show it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import TEST_PASSWORD, OrganizationFactory, UserFactory
from accounts.tests.helpers import link_in
from analytics.tests.helpers import activity
from conftest import WEB_ORIGIN, screenshot
from contracts.tests.factories import ContractFactory
from procure_site import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def site(live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.AUTH_COOKIE_SECURE = False
    settings.AUTH_COOKIE_SAMESITE = "Lax"
    organization = OrganizationFactory(domain_name="acme.io", company_name="Acme")
    UserFactory(organization=organization, email="boss@acme.io", role=Role.ADMIN)
    # 3,650.00 a year for 10 seats: 1.00 a seat a day, for 100 days more.
    figma = ContractFactory(
        organization=organization,
        vendor_name="Figma",
        host="www.figma.com",
        num_seats=10,
        annual_spend=Decimal("3650.00"),
        expire_at=clock.now() + dt.timedelta(days=100),
    )
    for name, idle_days in (("ann", 60), ("ben", 45), ("cat", 40)):
        user = UserFactory(
            organization=organization,
            email=f"{name}@acme.io",
            date_joined=clock.now() - dt.timedelta(days=400),
        )
        activity(
            user=user, contract=figma, day=clock.today() - dt.timedelta(days=idle_days)
        )
    return live_server.url, organization, figma


def sign_in(page, base: str) -> None:
    """As the web app does: the cookie comes with every later call."""
    signed_in = page.request.post(
        f"{base}/api/v1/auth/sign-in",
        headers={"Origin": WEB_ORIGIN},
        data={"email": "boss@acme.io", "password": TEST_PASSWORD, "device_id": "web"},
    )
    assert signed_in.status == 200, signed_in.text()


def link_for(email: str) -> str:
    message = next(m for m in mail.outbox if m.to == [email])
    path, params = link_in(message)
    return f"{path}?token={params['token']}"


def test_an_admin_reclaims_two_of_three_idle_seats(site, page, time_machine):
    base, organization, figma = site
    api = f"{base}/api/v1/organizations/{organization.public_id}"
    sign_in(page, base)

    started = page.request.post(
        f"{api}/contracts/{figma.pk}/reclaims",
        headers={"Origin": WEB_ORIGIN},
        data={"inactive_days": 30},
    )
    assert started.status == 201, started.text()
    ids = {row["email"]: row["id"] for row in started.json()["asked"]}
    assert sorted(ids) == ["ann@acme.io", "ben@acme.io", "cat@acme.io"]
    assert len(mail.outbox) == 3

    # ann keeps hers, on a laptop.
    page.set_viewport_size(LAPTOP)
    page.goto(base + link_for("ann@acme.io"))
    expect(
        page.get_by_role("heading", name="Do you still need your Figma seat?")
    ).to_be_visible()
    page.get_by_role("button", name="Keep it").click()
    expect(
        page.get_by_text("You answered that you still need your Figma seat")
    ).to_be_visible()

    # ben releases his, on a phone.
    page.set_viewport_size(PHONE)
    page.goto(base + link_for("ben@acme.io"))
    expect(page.get_by_text("proCure last saw you use it on")).to_be_visible()
    expect(page.get_by_role("button", name="Release it")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "reclaim-question-phone")
    page.get_by_role("button", name="Release it").click()
    expect(page.get_by_text("You released your Figma seat")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "reclaim-released-phone")

    # cat does not answer; the window of 7 days passes.
    time_machine.move_to(clock.now() + dt.timedelta(days=8))
    page.goto(base + link_for("cat@acme.io"))
    expect(page.get_by_text("The time to answer passed on")).to_be_visible()
    expect(page.get_by_role("button", name="Keep it")).to_have_count(0)
    sign_in(page, base)
    states = {
        row["email"]: row["state"] for row in page.request.get(f"{api}/reclaims").json()
    }
    assert states == {
        "ann@acme.io": "kept",
        "ben@acme.io": "released",
        "cat@acme.io": "no_answer",
    }

    removed = page.request.post(
        f"{api}/reclaims/remove",
        headers={"Origin": WEB_ORIGIN},
        data={"reclaim_ids": [ids["ben@acme.io"], ids["cat@acme.io"]]},
    )
    assert removed.status == 200, removed.text()
    # 92 days were left in the term: 92.00 each.
    assert [row["realized_saving"] for row in removed.json()] == [92.0, 92.0]

    usage = page.request.get(f"{api}/contract-usage").json()
    [row] = usage["contracts"]
    assert (row["seats_reclaimed"], row["realized_savings"]) == (2, 184.0)
    assert usage["totals"]["realized_savings"] == 184.0

    log = page.request.get(f"{api}/audit-log").json()["results"]
    steps = sorted(
        (event["action"], event["target"])
        for event in log
        if event["action"].startswith("reclaim.")
    )
    assert steps == [
        ("reclaim.asked", "ann@acme.io on Figma"),
        ("reclaim.asked", "ben@acme.io on Figma"),
        ("reclaim.asked", "cat@acme.io on Figma"),
        ("reclaim.kept", "ann@acme.io on Figma"),
        ("reclaim.no_answer", "cat@acme.io on Figma"),
        ("reclaim.released", "ben@acme.io on Figma"),
        ("reclaim.removed", "ben@acme.io on Figma"),
        ("reclaim.removed", "cat@acme.io on Figma"),
    ]
