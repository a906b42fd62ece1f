import re
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from accounts.models import Invitation, Organization, Role
from accounts.tests.factories import UserFactory
from audit.models import AuditAction, AuditEvent


def run(*args) -> str:
    out = StringIO()
    call_command("create_organization", *args, stdout=out)
    return out.getvalue()


def test_it_creates_an_organization_and_prints_its_public_id(db):
    output = run("--domain", "Acme.io", "--company", "Acme", "--admin-seats", "2")

    organization = Organization.objects.get()
    assert organization.domain_name == "acme.io"
    assert organization.company_name == "Acme"
    assert organization.admin_seats == 2
    assert organization.member_seats == 1000
    assert re.fullmatch(r"org_[0-9A-Za-z]{32}", organization.public_id)
    assert organization.public_id in output


def test_it_prints_the_existing_organization_when_run_twice(db):
    first = run("--domain", "acme.io", "--company", "Acme")
    organization = Organization.objects.get()

    second = run("--domain", "Acme.io", "--company", "Acme again")

    assert first == (
        f"Created organization Acme (acme.io): {organization.public_id}\n"
        "Nobody can sign in yet. Run again with --admin-email someone@acme.io to "
        "email the first admin an invitation, or have them sign up with role "
        "admin in the web app and open the verification link.\n"
    )
    assert second == (
        f"Organization Acme (acme.io) already exists, unchanged: "
        f"{organization.public_id}\n"
    )
    organization.refresh_from_db()
    assert Organization.objects.count() == 1
    assert (organization.company_name, organization.admin_seats) == ("Acme", 1)


def test_it_raises_the_seat_caps_of_an_existing_organization(db):
    run("--domain", "acme.io", "--company", "Acme")
    organization = Organization.objects.get()

    output = run(
        "--domain",
        "acme.io",
        "--company",
        "Acme",
        "--admin-seats",
        "3",
        "--member-seats",
        "1000",
    )

    # Before, a second run left the caps as they were ("unchanged"), so no
    # command raised a cap.
    assert output == (
        "Organization Acme (acme.io) already exists; changed admin seats 1 → 3: "
        f"{organization.public_id}\n"
    )
    organization.refresh_from_db()
    assert (organization.admin_seats, organization.member_seats) == (3, 1000)
    event = AuditEvent.objects.get(action=AuditAction.ORGANIZATION_SEATS_CHANGED)
    assert event.details == {
        "before": {"admin_seats": 1},
        "after": {"admin_seats": 3},
    }
    assert event.actor is None


def test_it_refuses_a_cap_below_the_seats_in_use(db):
    run("--domain", "acme.io", "--company", "Acme", "--member-seats", "5")
    organization = Organization.objects.get()
    UserFactory.create_batch(2, organization=organization, role=Role.MEMBER)
    UserFactory(organization=organization, role=Role.MEMBER, email_verified_at=None)

    with pytest.raises(CommandError) as refusal:
        run("--domain", "acme.io", "--company", "Acme", "--member-seats", "1")

    assert str(refusal.value) == (
        "Acme has 2 member seats in use (people with a verified address and "
        "pending invitations), so its member cap cannot be 1. Deactivate people, "
        "change roles or revoke invitations first."
    )
    organization.refresh_from_db()
    assert organization.member_seats == 5
    assert not AuditEvent.objects.filter(
        action=AuditAction.ORGANIZATION_SEATS_CHANGED
    ).exists()


def test_it_refuses_a_duplicate_domain_when_asked_to(db):
    run("--domain", "acme.io", "--company", "Acme")

    with pytest.raises(CommandError) as error:
        run("--domain", "acme.io", "--company", "Acme again", "--fail-if-exists")

    assert str(error.value) == "An organization with the domain acme.io already exists."
    assert Organization.objects.get().company_name == "Acme"


def test_it_creates_when_asked_to_fail_if_it_exists_and_it_does_not(db):
    output = run("--domain", "acme.io", "--company", "Acme", "--fail-if-exists")

    assert output.startswith("Created organization Acme (acme.io): org_")
    assert Organization.objects.count() == 1


def test_it_exits_zero_on_a_second_run_from_the_command_line(db, capsys):
    run("--domain", "acme.io", "--company", "Acme")

    # Only the command line turns a CommandError into exit status 1, which
    # would surface here as SystemExit.
    utility = ManagementUtility(
        ["manage.py", "create_organization", "--domain", "acme.io", "--company", "A"]
    )
    utility.execute()

    # run_from_argv closes the database connections when it ends, so the
    # answer is read from the output only.
    assert "already exists, unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("domain", ["acme", "not a domain", "-acme.io", "acme..io"])
def test_it_refuses_a_malformed_domain(db, domain):
    with pytest.raises(CommandError, match="is not a domain name"):
        run(f"--domain={domain}", "--company", "Acme")
    assert not Organization.objects.exists()


def test_it_refuses_negative_seat_caps(db):
    with pytest.raises(CommandError, match="zero or more"):
        run("--domain", "acme.io", "--company", "Acme", "--member-seats", "-1")


def test_it_emails_the_first_admin_an_invitation(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = run(
            "--domain", "acme.io", "--company", "Acme", "--admin-email", "Boss@acme.io"
        )

    organization = Organization.objects.get()
    assert output == (
        f"Created organization Acme (acme.io): {organization.public_id}\n"
        "Invited boss@acme.io to be an admin; the link works for 7 days.\n"
    )
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.status) == (
        "boss@acme.io",
        "admin",
        "pending",
    )
    assert mailoutbox[0].to == ["boss@acme.io"]
    assert "/account/accept-invitation?token=" in mailoutbox[0].body
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).count() == 1


def test_it_does_not_invite_twice_when_run_again(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run("--domain", "acme.io", "--company", "Acme", "--admin-email", "boss@acme.io")

    second = run(
        "--domain", "acme.io", "--company", "Acme", "--admin-email", "boss@acme.io"
    )

    assert second.endswith(
        "No invitation sent: An invitation to boss@acme.io is already pending. "
        "Revoke it to send a new one.\n"
    )
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_it_refuses_an_admin_email_outside_the_domain(db):
    with pytest.raises(CommandError) as error:
        run("--domain", "acme.io", "--company", "Acme", "--admin-email", "a@evil.io")

    assert str(error.value) == "Only addresses at acme.io can join Acme."


def test_it_refuses_zero_admin_seats(db):
    with pytest.raises(CommandError) as error:
        run("--domain", "acme.io", "--company", "Acme", "--admin-seats", "0")

    assert str(error.value) == (
        "--admin-seats must be at least 1: an organization needs an admin to manage it."
    )
    assert not Organization.objects.exists()
