"""The organization's webhook: which URL a settings change stores, calling
it, and the admin's test message (the only delivery made in a request)."""

from urllib.parse import urlsplit

from django.conf import settings

from accounts.models import Organization
from alerts import rendering, selectors
from alerts.webhooks import (
    WebhookAnswer,
    WebhookFailed,
    WebhookRefused,
    webhook_post,
    webhook_url_masked,
    webhook_url_problem,
)
from procure_site.error_codes import ErrorCode
from procure_site.exceptions import DomainError, InvalidFields


class WebhookUnreachable(DomainError):
    """The receiver gave no answer: the test endpoint answers 502."""

    status_code = 502
    code = ErrorCode.WEBHOOK_UNREACHABLE


def webhook_url_chosen(*, sent: str, stored: str, allow_private: bool) -> str:
    """The webhook URL to store when `sent` replaces `stored`.

    A webhook URL must be https:// (http:// too where private networks are
    allowed) and must not name a non-public address; names are checked again
    after DNS resolution whenever something is sent. The masked URL that
    staff are shown, sent back as it is, keeps the stored URL. Raises
    InvalidFields naming webhook_url otherwise.
    """
    sent = sent.strip()
    if stored and sent == webhook_url_masked(stored):
        return stored
    if sent:
        problem = webhook_url_problem(sent, allow_private=allow_private)
        if problem is not None:
            raise InvalidFields({"webhook_url": [problem]})
    return sent


def webhook_host(url: str) -> str | None:
    return urlsplit(url).hostname if url else None


def webhook_call(*, url: str, payload: dict[str, object]) -> WebhookAnswer:
    return webhook_post(
        url,
        payload=payload,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )


def webhook_test_send(*, organization: Organization) -> WebhookAnswer:
    """Posts a test message to the organization's webhook and returns what the
    receiver answered, whatever its status. A URL that may not be called is
    a 400 and a receiver that cannot be reached a 502."""
    notification_settings = selectors.notification_settings_get(
        organization=organization
    )
    if not notification_settings.webhook_url:
        raise DomainError(
            "This organization has no webhook URL: set webhook_url in its "
            "notification settings first."
        )
    try:
        return webhook_call(
            url=notification_settings.webhook_url,
            payload=rendering.webhook_test_payload(
                company_name=organization.company_name
            ),
        )
    except WebhookRefused as exc:
        raise DomainError(str(exc)) from None
    except WebhookFailed as exc:
        raise WebhookUnreachable(str(exc)) from None
