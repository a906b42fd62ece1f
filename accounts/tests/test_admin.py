import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.test import Client

from accounts.models import DeviceToken, Invitation, Role, User
from accounts.services.sessions import device_token_issue
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import SignedIn
from audit.models import AuditAction, AuditEvent
from conftest import client_for, grant
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory

ADMIN = "/" + settings.ADMIN_URL


@pytest.fixture
def staff_browser(db):
    superuser = User.objects.create_superuser("root@procure.example", "Sup3rSecret!")
    client = Client()
    client.force_login(superuser)
    return client


def test_it_lists_organizations_with_remaining_seats(staff_browser, organization):
    organization.admin_seats = 3
    organization.save()
    UserFactory(organization=organization, role=Role.ADMIN)

    response = staff_browser.get(f"{ADMIN}accounts/organization/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "acme.io" in page
    row = response.context["cl"].result_list[0]
    assert row.admin_seats_used == 1
    # The public id is on the organization's page (the list leaves it out to
    # fit a laptop's width), and the list's search finds it.
    found = staff_browser.get(
        f"{ADMIN}accounts/organization/", {"q": organization.public_id}
    )
    assert [o.pk for o in found.context["cl"].result_list] == [organization.pk]


def test_it_searches_organizations_by_domain(
    staff_browser, organization, other_organization
):
    response = staff_browser.get(f"{ADMIN}accounts/organization/?q=globex")

    assert [o.domain_name for o in response.context["cl"].result_list] == ["globex.com"]


def test_it_filters_users_by_role_and_searches_by_email(
    staff_browser, admin_user, member
):
    by_role = staff_browser.get(f"{ADMIN}accounts/user/?role__exact=admin")
    by_email = staff_browser.get(f"{ADMIN}accounts/user/?q=max@")

    assert list(by_role.context["cl"].result_list) == [admin_user]
    assert list(by_email.context["cl"].result_list) == [member]


def test_it_changes_roles_within_the_cap(
    staff_browser, organization, admin_user, member
):
    organization.admin_seats = 1
    organization.save()

    response = staff_browser.post(
        f"{ADMIN}accounts/user/",
        {"action": "make_admin", "_selected_action": [member.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "no admin seats left" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_it_keeps_the_last_admin(staff_browser, organization, admin_user):
    response = staff_browser.post(
        f"{ADMIN}accounts/user/",
        {"action": "make_member", "_selected_action": [admin_user.pk]},
        follow=True,
    )

    assert "last admin" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_it_promotes_a_member_when_a_seat_is_free(staff_browser, organization, member):
    staff_browser.post(
        f"{ADMIN}accounts/user/",
        {"action": "make_admin", "_selected_action": [member.pk]},
    )

    member.refresh_from_db()
    assert member.role == Role.ADMIN


def test_it_revokes_device_tokens_and_never_shows_the_hash(staff_browser, member):
    device_token_issue(user=member, device_id="ext-1")
    token = DeviceToken.objects.get()

    page = staff_browser.get(f"{ADMIN}accounts/devicetoken/{token.pk}/change/")
    staff_browser.post(
        f"{ADMIN}accounts/devicetoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert page.status_code == 200
    assert token.token_hash not in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_creates_users_with_a_hashed_password(staff_browser, organization):
    response = staff_browser.post(
        f"{ADMIN}accounts/user/add/",
        {
            "email": "New.Person@Acme.io",
            "password": "Str0ngPass",
            "organization": organization.pk,
            "role": "member",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@acme.io")
    assert user.check_password("Str0ngPass")


def test_it_erases_a_user_deleted_in_the_admin(staff_browser, organization, member):
    ActivityFactory(user=member, contract=ContractFactory(organization=organization))
    sessions = SignedIn(member)

    response = staff_browser.post(
        f"{ADMIN}accounts/user/{member.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Activity.objects.exists()
    assert sessions.statuses() == {"device": 401, "cookie": 401, "refresh": 401}
    erased = AuditEvent.objects.get(action=AuditAction.USER_ERASED)
    assert erased.actor.email == "root@procure.example"
    assert erased.details["user_id"] == str(member.pk)
    # The admin's own history of the deletion does not keep the email either.
    assert LogEntry.objects.get().object_repr == "(erased user)"
    assert "max@acme.io" not in str(list(AuditEvent.objects.values()))


def test_it_erases_users_deleted_in_bulk(staff_browser, organization, member):
    other = UserFactory(organization=organization)

    staff_browser.post(
        f"{ADMIN}accounts/user/",
        {
            "action": "delete_selected",
            "_selected_action": [member.pk, other.pk],
            "post": "yes",
        },
    )

    assert not User.objects.filter(pk__in=[member.pk, other.pk]).exists()
    assert AuditEvent.objects.filter(action=AuditAction.USER_ERASED).count() == 2
    assert set(LogEntry.objects.values_list("object_repr", flat=True)) == {
        "(erased user)"
    }


def test_it_audits_role_changes_by_staff(staff_browser, organization, member):
    staff_browser.post(
        f"{ADMIN}accounts/user/",
        {"action": "make_admin", "_selected_action": [member.pk]},
    )

    event = AuditEvent.objects.get(action=AuditAction.USER_ROLE_CHANGED)
    assert event.actor.email == "root@procure.example"
    assert event.details == {"from": "member", "to": "admin"}


def test_it_audits_device_tokens_revoked_by_staff(staff_browser, member):
    device_token_issue(user=member, device_id="ext-1")
    token = DeviceToken.objects.get()

    staff_browser.post(
        f"{ADMIN}accounts/devicetoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert event.actor.email == "root@procure.example"
    assert event.target == "max@acme.io"
    assert event.details == {"reason": "admin", "device_id": "ext-1"}


def test_it_changes_roles_only_through_the_actions(staff_browser, member):
    page = staff_browser.get(f"{ADMIN}accounts/user/{member.pk}/change/")

    assert "role" not in page.context["adminform"].form.fields
    assert "email_verified_at" not in page.context["adminform"].form.fields


def test_it_lists_invitations_and_revokes_them(staff_browser, organization):
    from accounts.models import Invitation
    from accounts.services.invitations import invitation_create

    invitation = invitation_create(
        organization=organization, email="new@acme.io", role=Role.MEMBER, actor=None
    )

    listing = staff_browser.get(f"{ADMIN}accounts/invitation/")
    assert listing.status_code == 200
    assert "new@acme.io" in listing.content.decode()

    staff_browser.post(
        f"{ADMIN}accounts/invitation/",
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert Invitation.objects.get().status == "revoked"
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED).exists()


@pytest.fixture
def bob_invited_someone(organization, admin_user):
    """A second admin, Bob, with a pending invitation he sent."""
    bob = UserFactory(organization=organization, role=Role.ADMIN, email="bob@acme.io")
    response = client_for(bob).post(
        f"/api/v1/organizations/{organization.public_id}/invitations",
        {"email": "new@acme.io", "role": "member"},
        format="json",
    )
    assert response.status_code == 201
    return bob, Invitation.objects.get(pk=response.json()["id"])


def test_it_revokes_the_invitations_of_an_admin_the_action_makes_member(
    staff_user, bob_invited_someone
):
    bob, invitation = bob_invited_someone
    browser = Client()
    browser.force_login(staff_user)

    response = browser.post(
        f"{ADMIN}accounts/user/",
        {"action": "make_member", "_selected_action": [bob.pk]},
        follow=True,
    )

    assert "Changed the role of 1 users to member." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_REVOKED)
    assert (event.actor, event.target, event.details) == (
        staff_user,
        "new@acme.io",
        {"reason": "inviter_demoted"},
    )


def test_it_revokes_the_invitations_of_an_admin_it_erases(bob_invited_someone):
    bob, invitation = bob_invited_someone
    staff = grant(
        UserFactory(organization=None, is_staff=True, email="eve@procure.example"),
        "accounts.view_user",
        "accounts.delete_user",
    )
    browser = Client()
    browser.force_login(staff)

    response = browser.post(f"{ADMIN}accounts/user/{bob.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(email="bob@acme.io").exists()
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert AuditEvent.objects.filter(
        action=AuditAction.INVITATION_REVOKED,
        actor=staff,
        target="new@acme.io",
        details={"reason": "inviter_erased"},
    ).exists()
