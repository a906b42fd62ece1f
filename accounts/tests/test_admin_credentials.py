"""No admin page shows a credential. Reproduces the report of a staff account
with only view_outstandingtoken that copied a user's cookie value from
simplejwt's outstanding-token page and signed in with it."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.tests.factories import UserFactory
from accounts.tests.helpers import SignedIn
from audit.models import AuditEvent
from conftest import grant

ADMIN = "/" + settings.ADMIN_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_viewer(db):
    staff = UserFactory(organization=None, is_staff=True, email="tv@procure.example")
    return grant(
        staff,
        "token_blacklist.view_outstandingtoken",
        "token_blacklist.view_blacklistedtoken",
        "accounts.view_user",
        "accounts.view_devicetoken",
    )


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_has_no_page_for_simplejwts_tokens(token_viewer, member):
    SignedIn(member)
    browser = browser_for(token_viewer)

    for path in ("outstandingtoken", "blacklistedtoken"):
        response = browser.get(f"{ADMIN}token_blacklist/{path}/")

        assert response.status_code == 404, path
    index = browser.get(ADMIN).content.decode()
    assert "Outstanding tokens" not in index
    assert "Token Blacklist" not in index


def test_it_shows_no_credential_on_any_page_a_staff_member_can_open(
    token_viewer, member
):
    signed_in = SignedIn(member)
    token = OutstandingToken.objects.filter(user=member).first()
    browser = browser_for(token_viewer)
    pages = [
        ADMIN,
        f"{ADMIN}accounts/user/",
        f"{ADMIN}accounts/user/{member.pk}/change/",
        f"{ADMIN}accounts/devicetoken/",
        f"{ADMIN}token_blacklist/outstandingtoken/",
        f"{ADMIN}token_blacklist/outstandingtoken/{token.pk}/change/",
    ]

    for page in pages:
        html = browser.get(page).content.decode()
        for secret in (signed_in.cookie, signed_in.refresh, signed_in.device_token):
            assert secret not in html, page


def test_it_signs_a_user_out_everywhere_from_the_users_list(member, admin_user):
    signed_in = SignedIn(member)
    superuser = UserFactory(organization=None, is_staff=True, is_superuser=True)

    response = browser_for(superuser).post(
        f"{ADMIN}accounts/user/",
        {"action": "sign_out_everywhere", "_selected_action": [member.pk]},
        follow=True,
    )

    assert "Signed 1 users out of every device and session." in (
        response.content.decode()
    )
    assert signed_in.statuses() == {"device": 401, "cookie": 401, "refresh": 401}
    assert AuditEvent.objects.filter(target=member.email).exists()
