"""The emails proCure sends, as tasks that leave the request path.

Django's task framework (the django-tasks backport on Django 5.2): with
`TASKS_BACKEND=database` (the default) a request only stores the task in the
database, and the worker (`manage.py db_worker`, which `make run` starts
beside gunicorn) sends the email. No answer waits for a mail server, and a
password-reset request takes as long whether or not the address has an
account. Tests use the immediate backend, which runs a task when it is
enqueued.

A task's arguments are stored until it runs, so they never hold a link's
secret: the worker makes the link when it sends. `email_send` is the one
place that talks to the mail server; other apps' emails go through it too.
"""

import logging
import smtplib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from accounts.models import Invitation, User, UserManager
from accounts.services import lockout
from accounts.tokens import email_verification_token_make, invitation_token_make

logger = logging.getLogger(__name__)


def email_deliver(*, to: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError) as exc:
        # The exception's text may carry the server's reply; its type is enough.
        logger.error("Could not send the email %r: %s", subject, type(exc).__name__)
        raise


@task()
def email_send(*, to: str, subject: str, body: str) -> None:
    """Sends one plain-text email; a failure fails the task (and is logged)."""
    email_deliver(to=to, subject=subject, body=body)


@task()
def email_verification_email_send(*, user_id: str) -> None:
    """Emails an active user with an unverified address a link that verifies it."""
    user = User.objects.filter(
        pk=user_id, is_active=True, email_verified_at__isnull=True
    ).first()
    if user is None:
        return
    token = email_verification_token_make(user_id=str(user.pk), email=user.email)
    link = f"{settings.PUBLIC_BASE_URL}/account/verify-email?" + urlencode(
        {"token": token}
    )
    hours = int(settings.EMAIL_VERIFICATION_MAX_AGE.total_seconds() // 3600)
    email_deliver(
        to=user.email,
        subject="Verify your email address for proCure",
        body=(
            f"Hello,\n\nPlease confirm that {user.email} is your address by "
            f"opening this link within {hours} hours:\n\n{link}\n\n"
            "The page asks for the password of your proCure account.\n\n"
            "If you did not sign up for proCure, you can ignore this email.\n"
        ),
    )


@task()
def password_reset_email_send(*, email: str) -> None:
    """Emails a reset link if an active user has `email`, at most
    PASSWORD_RESET_EMAILS_PER_HOUR times an hour; nothing otherwise."""
    user = User.objects.filter(
        email=UserManager.normalize_email(email), is_active=True
    ).first()
    if user is None or not lockout.password_reset_email_allowed(email=user.email):
        return
    link = f"{settings.PUBLIC_BASE_URL}/account/reset-password?" + urlencode(
        {
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
    )
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    email_deliver(
        to=user.email,
        subject="Reset your proCure password",
        body=(
            "Hello,\n\nSomeone asked to reset the password of the proCure "
            f"account {user.email}. To choose a new one, open this link "
            f"within {hours} hours:\n\n{link}\n\n"
            "If it was not you, ignore this email: your password stays as "
            "it is.\n"
        ),
    )


@task()
def invitation_email_send(*, invitation_id: int) -> None:
    """Emails a pending invitation's link to the address it invites."""
    invitation = (
        Invitation.objects.pending()
        .select_related("organization", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return
    link = f"{settings.PUBLIC_BASE_URL}/account/accept-invitation?" + urlencode(
        {"token": invitation_token_make(invitation_id=invitation.pk)}
    )
    organization = invitation.organization
    inviter = invitation.invited_by.email if invitation.invited_by else "proCure"
    days = settings.INVITATION_MAX_AGE.days
    email_deliver(
        to=invitation.email,
        subject=f"You are invited to {organization.company_name} on proCure",
        body=(
            f"Hello,\n\n{inviter} invites you to join {organization.company_name} "
            f"on proCure as {invitation.get_role_display().lower()}. To accept, "
            f"open this link within {days} days and choose a password:\n\n"
            f"{link}\n\nIf you did not expect this, you can ignore this email.\n"
        ),
    )
