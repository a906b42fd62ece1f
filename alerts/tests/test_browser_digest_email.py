"""The digest email's HTML as a mail client shows it, and the admin's list of
deliveries, in chromium: screenshots for a person to look at."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from playwright.sync_api import expect

from accounts.models import User
from alerts.models import NotificationSettings
from alerts.tests.seed import seed_organization
from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_renders_the_digest_email(organization, admin_user, page):
    seed_organization(organization=organization, admin=admin_user)
    call_command("send_digests", stdout=None)
    [(html, _)] = mail.outbox[0].alternatives

    page.set_viewport_size({"width": 900, "height": 900})
    page.set_content(html)

    expect(page.get_by_role("heading", name="Acme: renewals and waste")).to_be_visible()
    expect(page.get_by_text("Only 2 of 10 seats of Slack")).to_be_visible()
    assert page.get_by_role("link", name="See who").get_attribute("href") == (
        "http://localhost:3000/inactive-users?days=30"
    )
    screenshot(page, "digest-email")


def test_it_shows_staff_the_deliveries(live_server, organization, admin_user, page):
    seed_organization(organization=organization, admin=admin_user)
    NotificationSettings.objects.create(
        organization=organization, webhook_url="https://10.0.0.1/hook"
    )
    # The webhook's delivery fails, so the command exits non-zero.
    with pytest.raises(CommandError):
        call_command("send_digests", stdout=None, stderr=None)
    User.objects.create_superuser("root@procure.example", "Sup3rSecret!")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/alerts/digestdelivery/")
    page.get_by_label("Email").fill("root@procure.example")
    page.get_by_label("Password").fill("Sup3rSecret!")
    page.get_by_role("button", name="Log in").click()

    expect(
        page.get_by_role("heading", name="Select digest delivery to view")
    ).to_be_visible()
    # More room for the table: the admin's navigation folds away.
    page.locator("#toggle-nav-sidebar").click()
    expect(
        page.get_by_text("The webhook URL points to a private network")
    ).to_be_visible()
    screenshot(page, "digest-deliveries-admin")
