"""Deactivating a person withdraws the seat questions they can no longer
answer, in the same step; their released or unanswered seats stay for an
admin to confirm removed in the vendor's tool."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import change_form
from audit.models import AuditEvent
from conftest import SUPPORT_PERMISSIONS, grant
from contracts.tests.factories import ContractFactory
from reclaims.models import ReclaimState
from reclaims.tests.helpers import answer, reclaim_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(organization, seats):
    miro = ContractFactory(organization=organization, vendor_name="Miro")
    return {
        "asked": reclaim_in(
            ReclaimState.ASKED,
            organization=organization,
            contract=seats.figma,
            user=seats.ann,
            asked_days_ago=1,
        ),
        "released": reclaim_in(
            ReclaimState.RELEASED,
            organization=organization,
            contract=miro,
            user=seats.ann,
        ),
    }


def test_deactivating_through_the_api_withdraws_the_open_question(
    admin_client, admin_user, organization, seats, questions
):
    response = admin_client.post(
        f"/api/v1/organizations/{organization.public_id}/users/{seats.ann.pk}"
        "/deactivate"
    )

    assert response.status_code == 200, response.json()
    questions["asked"].refresh_from_db()
    questions["released"].refresh_from_db()
    assert questions["asked"].state == ReclaimState.CANCELLED
    assert questions["asked"].closed_by == admin_user
    assert questions["released"].state == ReclaimState.RELEASED
    event = AuditEvent.objects.get(action="reclaim.cancelled")
    assert event.details["reason"] == "person_deactivated"
    assert event.target == "ann@acme.io on Figma"
    page = answer(questions["asked"], "keep")
    assert "the question it asked was withdrawn" in page.content.decode()


def test_deactivating_in_the_console_does_the_same(organization, seats, questions):
    staff = grant(UserFactory(organization=None, is_staff=True), *SUPPORT_PERMISSIONS)
    client = Client()
    client.force_login(staff)
    url = f"/{settings.ADMIN_URL}accounts/user/{seats.ann.pk}/change/"

    response = client.post(url, change_form(seats.ann, is_active=""))

    assert response.status_code == 302
    seats.ann.refresh_from_db()
    assert seats.ann.is_active is False
    questions["asked"].refresh_from_db()
    assert questions["asked"].state == ReclaimState.CANCELLED
