from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import DeviceToken, User
from accounts.services.organizations import user_change_role
from accounts.tests.helpers import SignedIn
from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory


def forget(email: str) -> str:
    out = StringIO()
    call_command("forget_user", email, stdout=out)
    return out.getvalue()


@pytest.fixture
def slack(organization):
    return ContractFactory(organization=organization, vendor_name="Slack")


@pytest.fixture
def traces(organization, admin_user, member, slack):
    """The member used Slack and Zoom, signed in and out on one device and is
    signed in on another (two cookie sessions and two refresh tokens in all),
    changed a contract and was made admin and back: four audit events name
    them, as actor or target."""
    ActivityFactory(user=member, contract=slack)
    ActivityFactory(
        user=member,
        contract=ContractFactory(organization=organization, vendor_name="Zoom"),
    )
    ActivityFactory(user=admin_user, contract=slack)
    SignedIn(member).device_client().post("/api/v1/auth/logout")
    sessions = SignedIn(member)
    audit_record(
        action=AuditAction.CONTRACT_UPDATED,
        organization=organization,
        actor=member,
        target="Slack",
    )
    user_change_role(user=member, role="admin", actor=admin_user)
    user_change_role(user=member, role="member", actor=admin_user)
    return sessions


def test_it_deletes_the_user_their_activity_and_their_tokens(member, traces):
    summary = forget("MAX@acme.io")

    assert summary == (
        "Erased max@acme.io: 2 activity rows, 2 device tokens and 4 sessions "
        "deleted; 4 audit events anonymized.\n"
    )
    assert not User.objects.filter(email="max@acme.io").exists()
    assert not Activity.objects.filter(user_id=member.pk).exists()
    assert not DeviceToken.objects.filter(user_id=member.pk).exists()
    assert not OutstandingToken.objects.filter(token__contains=str(member.pk)).exists()
    assert traces.statuses() == {"device": 401, "cookie": 401, "refresh": 401}


def test_it_keeps_everyone_elses_data(admin_user, traces):
    admin_sessions = SignedIn(admin_user)

    forget("max@acme.io")

    assert Activity.objects.filter(user=admin_user).count() == 1
    assert admin_sessions.statuses() == {"device": 200, "cookie": 200, "refresh": 200}


def test_it_keeps_the_analytics_right(admin_client, organization, member, traces):
    usage_url = f"/api/v1/organizations/{organization.public_id}/contract-usage"
    before = admin_client.get(usage_url).json()["contracts"]

    forget("max@acme.io")

    after = admin_client.get(usage_url).json()["contracts"]
    assert [(c["vendor_name"], c["active_users"]) for c in before] == [
        ("Slack", 2),
        ("Zoom", 1),
    ]
    assert [(c["vendor_name"], c["active_users"]) for c in after] == [
        ("Slack", 1),
        ("Zoom", 0),
    ]
    assert after[0]["unused_seats"] == 9
    assert organization.users.count() == 1


def test_it_keeps_the_audit_trail_without_the_persons_email(
    organization, admin_user, member, traces
):
    forget("max@acme.io")

    assert "max@acme.io" not in str(list(AuditEvent.objects.values()))
    changed = AuditEvent.objects.get(action=AuditAction.CONTRACT_UPDATED)
    assert (changed.actor, changed.actor_email) == (None, "(erased user)")
    role_changes = AuditEvent.objects.filter(action=AuditAction.USER_ROLE_CHANGED)
    assert {(e.actor, e.target) for e in role_changes} == {
        (admin_user, "(erased user)")
    }
    erased = AuditEvent.objects.get(action=AuditAction.USER_ERASED)
    assert erased.organization == organization
    assert erased.actor is None
    assert erased.actor_email == ""
    assert erased.details == {
        "user_id": str(member.pk),
        "activity": 2,
        "devices": 2,
        "sessions": 4,
        "audit_events": 4,
    }


def test_it_refuses_an_unknown_email(db):
    with pytest.raises(CommandError) as error:
        forget("nobody@acme.io")

    assert str(error.value) == (
        "No user has the email nobody@acme.io. Nothing was erased "
        "(an erased person is not found a second time)."
    )


def test_it_is_safe_to_run_twice(admin_user, member, traces):
    forget("max@acme.io")
    events = AuditEvent.objects.count()

    with pytest.raises(CommandError, match="Nothing was erased"):
        forget("max@acme.io")

    assert AuditEvent.objects.count() == events
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_it_explains_itself_in_help(capsys):
    with pytest.raises(SystemExit):
        call_command("forget_user", "--help")

    assert "Erases a person" in capsys.readouterr().out


def test_it_refuses_to_erase_an_organizations_last_admin(organization, admin_user):
    with pytest.raises(CommandError) as refusal:
        forget(admin_user.email)

    # Before, NewCo's only admin was erased with no warning.
    assert str(refusal.value) == (
        f"{admin_user.email} is the last admin of Acme; erasing them leaves nobody "
        "who can manage it. Make someone else an admin first, or erase anyway and "
        "invite a new admin with manage.py create_organization --domain acme.io "
        '--company "Acme" --admin-email <address>. Nothing was erased; --force '
        "erases anyway."
    )
    assert User.objects.filter(pk=admin_user.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.USER_ERASED).exists()


def test_it_erases_the_last_admin_when_forced_and_says_how_to_invite_one(
    organization, admin_user
):
    out = StringIO()
    call_command("forget_user", admin_user.email, "--force", stdout=out)

    assert not User.objects.filter(pk=admin_user.pk).exists()
    assert out.getvalue().splitlines()[-1] == (
        "Acme has no admin now. Invite one: manage.py create_organization "
        '--domain acme.io --company "Acme" --admin-email <address>'
    )


def test_it_erases_an_admin_who_is_not_the_last(organization, admin_user, member):
    user_change_role(user=member, role="admin")

    forget(admin_user.email)

    assert not User.objects.filter(pk=admin_user.pk).exists()
