from django.db.models import QuerySet

from accounts.models import Organization
from audit.models import AuditEvent


def audit_event_list(
    *, organization: Organization, action: str | None = None
) -> QuerySet[AuditEvent]:
    """The organization's audit trail, newest first, optionally of one action."""
    events = AuditEvent.objects.filter(organization=organization).order_by(
        "-created_at", "-id"
    )
    if action:
        events = events.filter(action=action)
    return events
