"""The Django admin's user pages obey the API's rules: seat caps, the last
admin, revocation on deactivation, audit, tenancy, and erasure said plainly.
Each test reproduces a report made against the admin before this was so."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import SignedIn, change_form
from audit.models import AuditAction, AuditEvent
from conftest import grant
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory

ADMIN = "/" + settings.ADMIN_URL
USERS = f"{ADMIN}accounts/user/"


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@procure.example", "Sup3rSecret!")


@pytest.fixture
def browser(root):
    client = Client()
    client.force_login(root)
    return client


def test_it_refuses_to_add_an_admin_past_the_admin_seats(browser, organization):
    organization.admin_seats = 3
    organization.save()
    for number in range(3):
        UserFactory(
            organization=organization, role=Role.ADMIN, email=f"a{number}@acme.io"
        )

    response = browser.post(
        f"{USERS}add/",
        {
            "email": "fourth@acme.io",
            "password": "Str0ngPass!",
            "organization": organization.pk,
            "role": "admin",
        },
        follow=True,
    )

    assert "Acme has no admin seats left (3 of 3 taken)" in response.content.decode()
    assert not User.objects.filter(email="fourth@acme.io").exists()
    assert not AuditEvent.objects.exists()


def test_it_audits_a_user_added_in_the_admin(browser, organization, root):
    browser.post(
        f"{USERS}add/",
        {
            "email": "new@acme.io",
            "password": "Str0ngPass!",
            "organization": organization.pk,
            "role": "member",
        },
    )

    user = User.objects.get(email="new@acme.io")
    event = AuditEvent.objects.get(action=AuditAction.USER_SIGNED_UP)
    assert (event.actor, event.target, event.organization) == (
        root,
        "new@acme.io",
        organization,
    )
    assert event.details == {"role": "member", "by": "staff"}
    assert user.check_password("Str0ngPass!")


def test_it_revokes_sessions_and_audits_when_is_active_is_unticked(
    browser, organization, admin_user, member, root
):
    signed_in = SignedIn(member)

    response = browser.post(
        f"{USERS}{member.pk}/change/", change_form(member, is_active="")
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_active is False
    assert signed_in.statuses() == {"device": 401, "cookie": 401, "refresh": 401}
    event = AuditEvent.objects.get(action=AuditAction.USER_DEACTIVATED)
    assert (event.actor, event.target) == (root, member.email)


def test_it_refuses_to_deactivate_the_last_admin(browser, organization, admin_user):
    response = browser.post(
        f"{USERS}{admin_user.pk}/change/",
        change_form(admin_user, is_active=""),
        follow=True,
    )

    assert (
        "is the last admin of Acme. Make someone else an admin first."
        in response.content.decode()
    )
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_it_reactivates_within_the_seat_caps(browser, organization, admin_user):
    organization.member_seats = 1
    organization.save()
    gone = UserFactory(organization=organization, email="gone@acme.io", is_active=False)
    UserFactory(organization=organization, email="took@acme.io")

    refused = browser.post(
        f"{USERS}{gone.pk}/change/", change_form(gone, is_active="on"), follow=True
    )

    assert "Acme has no member seats left" in refused.content.decode()
    gone.refresh_from_db()
    assert gone.is_active is False

    organization.member_seats = 2
    organization.save()
    browser.post(f"{USERS}{gone.pk}/change/", change_form(gone, is_active="on"))

    gone.refresh_from_db()
    assert gone.is_active is True
    assert AuditEvent.objects.filter(action=AuditAction.USER_REACTIVATED).count() == 1


def test_it_never_moves_a_user_into_another_organization(
    browser, organization, other_organization, member
):
    ActivityFactory(user=member, contract=ContractFactory(organization=organization))
    page = browser.get(f"{USERS}{member.pk}/change/")

    browser.post(
        f"{USERS}{member.pk}/change/",
        change_form(member, organization=str(other_organization.pk)),
    )

    assert "organization" not in page.context["adminform"].form.fields
    member.refresh_from_db()
    assert member.organization == organization
    assert Activity.objects.get().organization == organization


def test_it_says_a_delete_is_an_erasure_and_counts_instead_of_listing(
    browser, organization, member
):
    contract = ContractFactory(organization=organization)
    for offset in range(40):
        ActivityFactory(
            user=member, contract=contract, day=date(2026, 1, 1) + timedelta(offset)
        )
    SignedIn(member)

    page = browser.get(f"{USERS}{member.pk}/delete/").content.decode()

    assert "is an erasure" in page
    assert "Activity rows (user, contract, day): 40" in page
    assert "Device tokens: 1" in page
    assert page.count("<li>") < 20


def test_it_says_a_bulk_delete_is_an_erasure(browser, organization, member):
    page = browser.post(
        USERS, {"action": "delete_selected", "_selected_action": [member.pk]}
    ).content.decode()

    assert "Deleting these people is an erasure" in page
    assert "People: 1" in page


def test_it_marks_an_address_verified_on_the_persons_behalf(
    browser, organization, root
):
    person = UserFactory(organization=organization, email_verified_at=None)

    response = browser.post(
        USERS,
        {"action": "mark_email_verified", "_selected_action": [person.pk]},
        follow=True,
    )

    assert "Marked 1 email addresses verified." in response.content.decode()
    person.refresh_from_db()
    assert person.email_verified
    event = AuditEvent.objects.get(action=AuditAction.USER_EMAIL_VERIFIED)
    assert event.actor == root
    assert event.target == str(person.email)
    assert event.details == {"via": "staff"}


def test_it_explains_why_an_admin_cannot_be_marked_verified_when_seats_are_full(
    browser, organization, admin_user
):
    organization.admin_seats = 1
    organization.save()
    waiting = UserFactory(
        organization=organization,
        role=Role.ADMIN,
        email="second@acme.io",
        email_verified_at=None,
    )
    member = UserFactory(organization=organization, email_verified_at=None)

    response = browser.post(
        USERS,
        {"action": "mark_email_verified", "_selected_action": [waiting.pk, member.pk]},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    # The admin capitalizes each message.
    assert "Second@acme.io: Acme has no admin seats left (1 of 1 taken)." in page
    assert "Marked 1 email addresses verified." in page
    waiting.refresh_from_db()
    member.refresh_from_db()
    assert not waiting.email_verified
    assert member.email_verified


def test_it_shows_an_overrun_when_a_cap_is_lowered_below_the_seats_in_use(
    browser, organization, admin_user
):
    UserFactory(organization=organization, role=Role.ADMIN, email="a2@acme.io")
    organization.admin_seats = 1
    organization.save()

    page = browser.get(f"{ADMIN}accounts/organization/").content.decode()

    assert "0 (over by 1)" in page


def test_it_lets_only_superusers_grant_staff_powers(organization, member):
    staff = UserFactory(organization=None, is_staff=True, email="sup@procure.example")
    staff = grant(staff, "accounts.view_user", "accounts.change_user")
    client = Client()
    client.force_login(staff)

    own = client.post(
        f"{USERS}{staff.pk}/change/",
        change_form(staff, is_superuser="on", is_staff="on"),
    )
    other = client.post(
        f"{USERS}{member.pk}/change/", change_form(member, is_staff="on")
    )

    assert (own.status_code, other.status_code) == (302, 302)
    staff.refresh_from_db()
    member.refresh_from_db()
    assert staff.is_superuser is False
    assert member.is_staff is False
