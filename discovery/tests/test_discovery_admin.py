"""The Django admin: the catalog for staff to edit, and an organization's
discovered applications."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client

from accounts.tests.factories import UserFactory
from conftest import screenshot
from discovery.models import Application, ApplicationMonth
from discovery.selectors import APPLICATION_TABLE_KEY, application_table
from discovery.tests.helpers import (
    close_the_month,
    discovery_on,
    people,
    report_visits,
)

REPORT_URL = "/admin/discovery/applicationmonth/report/"


@pytest.fixture
def superuser_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    return client


def test_it_shows_an_organizations_discovered_applications(
    organization, other_organization, time_machine
):
    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://linear.app/", "https://claude.ai/")
    report_visits(people(organization, 1)[0], "https://www.figma.com/")
    close_the_month(time_machine)
    superuser_client = Client()
    superuser_client.force_login(
        UserFactory(organization=None, is_staff=True, is_superuser=True)
    )

    response = superuser_client.get(
        REPORT_URL, {"organization": organization.public_id}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>Linear</td>" in page
    assert "<td>Claude</td>" in page
    # One person's use is never shown.
    assert "Figma" not in page
    assert "Globex (globex.com) (discovery off)" in page


def test_it_explains_a_malformed_month(superuser_client, organization):
    response = superuser_client.get(REPORT_URL, {"month": "2026-13"})

    assert "month must be a month in the form YYYY-MM" in response.content.decode()


def test_it_refuses_staff_without_the_view_permission(db, organization):
    client = Client()
    client.force_login(UserFactory(organization=None, is_staff=True))

    assert client.get(REPORT_URL).status_code == 403


def test_it_lets_staff_with_the_view_permission_see_it(db, organization):
    staff = UserFactory(organization=None, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_applicationmonth"))
    client = Client()
    client.force_login(staff)

    assert client.get(REPORT_URL).status_code == 200


def test_it_lets_staff_edit_the_catalog(superuser_client):
    figma = Application.objects.get(name="Figma")
    application_table()

    response = superuser_client.post(
        f"/admin/discovery/application/{figma.pk}/change/",
        {
            "name": "Figma",
            "vendor": "Figma",
            "category": "design",
            "domains": '["figma.com", "figjam.com"]',
        },
    )

    assert response.status_code == 302
    figma.refresh_from_db()
    assert figma.domains == ["figma.com", "figjam.com"]
    assert cache.get(APPLICATION_TABLE_KEY) is None
    assert application_table()["figjam.com"] == figma.pk


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_the_report_in_a_browser(live_server, page, time_machine):
    from accounts.tests.factories import TEST_PASSWORD, OrganizationFactory

    organization = OrganizationFactory(domain_name="acme.io", company_name="Acme")
    discovery_on(organization, min_users=2)
    users = people(organization, 3)
    for user in users:
        report_visits(user, "https://linear.app/", "https://chatgpt.com/")
    report_visits(users[0], "https://www.figma.com/")
    report_visits(users[1], "https://www.figma.com/")
    close_the_month(time_machine)
    UserFactory(
        organization=None, is_staff=True, is_superuser=True, email="sam@procure.example"
    )

    page.goto(f"{live_server.url}/admin/login/?next={REPORT_URL}")
    page.get_by_label("Email").fill("sam@procure.example")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("#discovered-apps-filter")
    screenshot(page, "admin-discovered-apps")
    assert page.locator("#discovered-apps").count() == 1, page.inner_text("#content")

    rows = page.locator("#discovered-apps tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t")[:5] == [
        "ChatGPT",
        "OpenAI",
        "ai",
        "chatgpt.com, chat.openai.com",
        "3",
    ]


def test_it_lists_no_closed_month_count_of_one_person(superuser_client, organization):
    for name, users in [("Linear", 1), ("Figma", 2)]:
        ApplicationMonth.objects.create(
            organization=organization,
            month="2026-10-01",
            application=Application.objects.get(name=name),
            active_users=users,
        )

    page = superuser_client.get("/admin/discovery/applicationmonth/").content.decode()

    assert "Figma" in page
    assert "Linear" not in page
