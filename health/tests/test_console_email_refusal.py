"""With DEBUG off, the console email backend (which would write reset links
to the log) stops gunicorn's start-up and fails `check --deploy`."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from procure_site.checks import (
    CONSOLE_EMAIL_BACKEND,
    check_console_email,
    console_email_problem,
    refuse_unsafe_settings,
)


def test_it_refuses_to_serve_with_console_email(settings):
    settings.EMAIL_BACKEND = CONSOLE_EMAIL_BACKEND

    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL is consolemail://"):
        refuse_unsafe_settings()


def test_it_fails_the_deploy_check_with_console_email(settings):
    settings.EMAIL_BACKEND = CONSOLE_EMAIL_BACKEND

    with pytest.raises(SystemCheckError, match=r"procure\.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


@pytest.mark.parametrize(
    "overrides",
    [{"ALLOW_CONSOLE_EMAIL": True}, {"DEBUG": True}],
    ids=["allowed", "debug"],
)
def test_it_serves_with_console_email_when_allowed_or_in_debug(settings, overrides):
    settings.EMAIL_BACKEND = CONSOLE_EMAIL_BACKEND
    for name, value in overrides.items():
        setattr(settings, name, value)

    refuse_unsafe_settings()  # raises when it refuses
    assert console_email_problem() is None
    assert check_console_email(None) == []


def test_it_serves_with_smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    refuse_unsafe_settings()  # raises when it refuses
    assert console_email_problem() is None
    assert check_console_email(None) == []
