"""Reclaims in the staff console: every organization's, read-only, with the
bulk steps for staff who may change reclaims, through the services."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from conftest import grant
from procure_site import clock
from reclaims.models import ReclaimState
from reclaims.tests.helpers import reclaim_in

pytestmark = pytest.mark.django_db

CHANGELIST = f"/{settings.ADMIN_URL}reclaims/reclaim/"


def staff_client(*permissions: str) -> Client:
    client = Client()
    client.force_login(
        grant(UserFactory(organization=None, is_staff=True), *permissions)
    )
    return client


@pytest.fixture
def released(organization, seats):
    return reclaim_in(
        ReclaimState.RELEASED,
        organization=organization,
        contract=seats.figma,
        user=seats.ann,
    )


def test_staff_who_may_view_see_reclaims_but_cannot_act(released):
    client = staff_client("reclaims.view_reclaim")

    page = client.get(CHANGELIST)
    acted = client.post(
        CHANGELIST,
        {"action": "confirm_removed", "_selected_action": [released.pk]},
    )

    assert page.status_code == 200
    assert "ann@acme.io" in page.content.decode()
    assert "Confirm the selected seats removed" not in page.content.decode()
    assert acted.status_code in (200, 302)
    released.refresh_from_db()
    assert released.state == ReclaimState.RELEASED


def test_staff_who_may_change_confirm_removals_through_the_service(released):
    client = staff_client("reclaims.view_reclaim", "reclaims.change_reclaim")

    response = client.post(
        CHANGELIST,
        {"action": "confirm_removed", "_selected_action": [released.pk]},
        follow=True,
    )

    assert "1 reclaim(s) confirmed removed." in response.content.decode()
    released.refresh_from_db()
    assert released.state == ReclaimState.REMOVED
    assert str(released.realized_saving) == "100.00"
    assert AuditEvent.objects.filter(action="reclaim.removed").count() == 1


def test_the_console_says_why_a_seat_cannot_be_removed(organization, seats):
    waiting = reclaim_in(
        ReclaimState.ASKED,
        organization=organization,
        contract=seats.figma,
        user=seats.ben,
        asked_days_ago=1,
    )
    client = staff_client("reclaims.view_reclaim", "reclaims.change_reclaim")

    response = client.post(
        CHANGELIST,
        {"action": "confirm_removed", "_selected_action": [waiting.pk]},
        follow=True,
    )

    assert "still waiting for an answer until" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == ReclaimState.ASKED


def test_the_organizations_usage_page_shows_seats_reclaimed_and_savings(
    organization, released, admin_client
):
    admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/reclaims/remove",
        {"reclaim_ids": [released.pk]},
        format="json",
    )
    client = staff_client("accounts.view_organization", "url_visits.view_activity")

    # The page shows the last full month unless asked: removed this month.
    month = clock.format_month(clock.current_month())
    page = client.get(
        f"/{settings.ADMIN_URL}accounts/organization/{organization.pk}/usage/",
        {"month": month},
    ).content.decode()

    assert 'class="number seats-reclaimed" data-label="Seats reclaimed">1<' in page
    assert 'class="number realized-savings" data-label="Realized savings">100.00<' in (
        page
    )
    assert 'id="total-realized-savings" data-label="Realized savings">100.00<' in page
    assert f"reclaims/reclaim/?organization__id__exact={organization.pk}" in page
