"""Start-up refusals for settings that are valid but unsafe in production."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def console_email_problem() -> str | None:
    """Why the email settings must not serve, or None.

    The console backend writes every email, with its verification and
    password-reset links, to the log; with DEBUG off that is a production
    log, which must never hold a link that takes over an account.
    """
    if settings.DEBUG or settings.ALLOW_CONSOLE_EMAIL:
        return None
    if settings.EMAIL_BACKEND != CONSOLE_EMAIL_BACKEND:
        return None
    return (
        "EMAIL_URL is consolemail://, which writes password-reset links to the "
        "log. With DEBUG off, set EMAIL_URL to your mail server (e.g. "
        "smtp+tls://user:password@smtp.example.com:587), or "
        "ALLOW_CONSOLE_EMAIL=true if that log is private."
    )


def refuse_unsafe_settings() -> None:
    """Called by wsgi.py, so that gunicorn does not start with them."""
    problem = console_email_problem()
    if problem is not None:
        raise ImproperlyConfigured(problem)


@register(deploy=True)
def check_console_email(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    problem = console_email_problem()
    return [] if problem is None else [Error(problem, id="procure.E001")]
