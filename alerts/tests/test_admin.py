"""The Django admin: staff see, per organization, which digests went out when,
and failed deliveries with their attempts and last error."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from alerts.models import DigestDelivery, NotificationSettings
from alerts.tests.seed import MONDAY, send_due_at

ADMIN = "/" + settings.ADMIN_URL + "alerts/digestdelivery/"

# Staff sign in on the Monday the digests are sent, so that their session is
# as fresh as the deliveries they look at.
pytestmark = pytest.mark.time_machine(MONDAY)


@pytest.fixture
def staff_browser(db):
    superuser = User.objects.create_superuser("root@procure.example", "Sup3rSecret!")
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def deliveries(
    organization, admin_user, other_organization, outsider_admin, time_machine
):
    NotificationSettings.objects.create(
        organization=organization, webhook_url="https://10.0.0.1/hook"
    )
    send_due_at(time_machine, MONDAY)
    return DigestDelivery.objects.all()


def listed(response) -> list[DigestDelivery]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_it_lists_what_was_sent_per_organization(
    staff_browser, organization, deliveries
):
    page = staff_browser.get(f"{ADMIN}?organization__id__exact={organization.pk}")

    rows = listed(page)
    assert {(row.channel, row.status, row.attempts) for row in rows} == {
        ("email", "sent", 1),
        ("webhook", "failed", 1),
    }
    html = page.content.decode()
    assert "2026-W45" in html
    assert "The webhook URL points to a private network address" in html
    assert listed(staff_browser.get(f"{ADMIN}?status__exact=failed")) == [
        DigestDelivery.objects.get(channel="webhook")
    ]
    assert len(listed(staff_browser.get(f"{ADMIN}?q=globex"))) == 1


def test_it_shows_a_delivery_but_changes_nothing(staff_browser, deliveries):
    delivery = deliveries.get(channel="webhook")

    page = staff_browser.get(f"{ADMIN}{delivery.pk}/change/")
    changed = staff_browser.post(f"{ADMIN}{delivery.pk}/change/", {"status": "sent"})

    assert page.status_code == 200
    assert changed.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_it_keeps_the_webhook_url_out_of_the_settings_page(
    staff_browser, organization, deliveries
):
    found = NotificationSettings.objects.get(organization=organization)

    page = staff_browser.get(
        f"/{settings.ADMIN_URL}alerts/notificationsettings/{found.pk}/change/"
    )

    assert page.status_code == 200
    assert "10.0.0.1" not in page.content.decode()
