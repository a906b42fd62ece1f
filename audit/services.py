from typing import Any

from accounts.models import Organization, User
from audit.models import AuditAction, AuditEvent

# Keys whose values are never written into an audit event's details, at any
# depth, whatever a caller passes.
_SECRET_KEYS = ("password", "token", "secret", "hash", "key")


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_secrets(item)
            for key, item in value.items()
            if not any(secret in str(key).lower() for secret in _SECRET_KEYS)
        }
    if isinstance(value, list | tuple):
        return [_without_secrets(item) for item in value]
    return value


def audit_record(
    *,
    action: AuditAction,
    organization: Organization | None = None,
    actor: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends an event to the audit trail. Call it inside the transaction of
    the change it records, so that the two are written or lost together."""
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.pk else None,
        actor_email=actor.email if actor is not None else "",
        action=action,
        target=target[:200],
        details=_without_secrets(details or {}),
    )
