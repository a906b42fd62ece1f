import datetime as dt

import pytest
from django.core import signing

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.helpers import link_in
from accounts.tokens import EMAIL_VERIFICATION_SALT, email_verification_token_make
from audit.models import AuditAction, AuditEvent
from procure_site import clock

URL = "/api/v1/auth/verify-email"
INVALID = (
    "This link is not valid: it may have been cut short or changed. Open the "
    "link from the email again, or sign in and ask for a new one."
)
EXPIRED = "This link has expired. We sent a new one to jane@acme.io."
SENT_RECENTLY = (
    "This link has expired. We sent a new one to jane@acme.io less than 15 "
    "minutes ago: open the newest email from proCure in that inbox."
)


@pytest.fixture
def unverified(organization) -> User:
    return UserFactory(
        organization=organization, email="jane@acme.io", email_verified_at=None
    )


def token_for(user: User) -> str:
    return email_verification_token_make(user_id=str(user.pk), email=user.email)


def verify(client, token: str, password: str = TEST_PASSWORD):
    return client.post(URL, {"token": token, "password": password}, format="json")


def test_it_verifies_the_address_from_the_link_emailed_at_sign_up(
    anon_client, organization, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        anon_client.post(
            "/api/v1/auth/create-user",
            {"email": "jane@acme.io", "password": "Str0ngPass", "device_id": "d"},
            format="json",
        )
    _, params = link_in(mailoutbox[0])

    response = verify(anon_client, params["token"], "Str0ngPass")

    assert response.status_code == 200
    assert response.json() == {"detail": "Your email address is verified."}
    user = User.objects.get(email="jane@acme.io")
    assert user.email_verified_at is not None
    event = AuditEvent.objects.get(action=AuditAction.USER_EMAIL_VERIFIED)
    assert (event.actor, event.organization, event.target) == (
        user,
        organization,
        "jane@acme.io",
    )


def test_it_answers_ok_again_for_a_link_already_followed(anon_client, unverified):
    token = token_for(unverified)
    verify(anon_client, token)
    first = User.objects.get(pk=unverified.pk).email_verified_at

    response = verify(anon_client, token)

    assert response.status_code == 200
    assert User.objects.get(pk=unverified.pk).email_verified_at == first
    assert (
        AuditEvent.objects.filter(action=AuditAction.USER_EMAIL_VERIFIED).count() == 1
    )


def test_it_refuses_an_expired_link_and_sends_a_new_one(
    anon_client, unverified, settings, time_machine, mailoutbox
):
    token = token_for(unverified)
    time_machine.move_to(
        clock.now() + settings.EMAIL_VERIFICATION_MAX_AGE + dt.timedelta(minutes=1)
    )

    response = verify(anon_client, token)

    assert response.status_code == 400
    assert response.json() == {"detail": EXPIRED, "code": "link_not_valid"}
    assert User.objects.get(pk=unverified.pk).email_verified_at is None
    assert [message.to for message in mailoutbox] == [["jane@acme.io"]]


def test_it_sends_one_new_link_per_address_every_15_minutes(
    anon_client, unverified, settings, time_machine, mailoutbox
):
    token = token_for(unverified)
    time_machine.move_to(
        clock.now() + settings.EMAIL_VERIFICATION_MAX_AGE + dt.timedelta(minutes=1)
    )

    answers = [verify(anon_client, token) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [400] * 5
    assert [answer.json()["detail"] for answer in answers] == [EXPIRED] + [
        SENT_RECENTLY
    ] * 4
    assert len(mailoutbox) == 1

    time_machine.move_to(clock.now() + dt.timedelta(minutes=15, seconds=1))

    assert verify(anon_client, token).json() == {
        "detail": EXPIRED,
        "code": "link_not_valid",
    }
    assert len(mailoutbox) == 2
    assert User.objects.get(pk=unverified.pk).email_verified_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        # The same claims signed without the verification salt.
        lambda token: signing.dumps(signing.loads(token, salt=EMAIL_VERIFICATION_SALT)),
    ],
    ids=["altered", "garbage", "other-purpose"],
)
def test_it_refuses_a_link_it_did_not_sign_for_this(anon_client, unverified, tamper):
    response = verify(anon_client, tamper(token_for(unverified)))

    assert response.status_code == 400
    assert response.json() == {"detail": INVALID, "code": "link_not_valid"}
    assert User.objects.get(pk=unverified.pk).email_verified_at is None


def test_it_refuses_a_link_for_an_address_the_user_no_longer_has(
    anon_client, unverified
):
    token = token_for(unverified)
    unverified.email = "jane.doe@acme.io"
    unverified.save()

    response = verify(anon_client, token)

    assert response.status_code == 400
    assert response.json() == {"detail": INVALID, "code": "link_not_valid"}
    assert User.objects.get(pk=unverified.pk).email_verified_at is None


def test_it_refuses_a_link_for_a_deactivated_user(anon_client, unverified):
    token = token_for(unverified)
    User.objects.filter(pk=unverified.pk).update(is_active=False)

    response = verify(anon_client, token)

    assert response.status_code == 400
    assert User.objects.get(pk=unverified.pk).email_verified_at is None


def test_it_names_a_missing_token(anon_client, db):
    response = anon_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "token": ["This field is required."],
        "password": ["This field is required."],
    }


def test_it_refuses_the_wrong_password(anon_client, unverified):
    response = verify(anon_client, token_for(unverified), "N0tTheirs1")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "That is not the password of the proCure account jane@acme.io. "
        "Didn't create this account? Reset its password.",
        "code": "wrong_password",
    }
    assert User.objects.get(pk=unverified.pk).email_verified_at is None
