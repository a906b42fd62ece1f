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


def _event(
    *,
    action: AuditAction,
    organization: Organization | None,
    actor: User | None,
    target: str,
    details: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(
        organization=organization,
        actor=actor if actor is not None and actor.pk else None,
        actor_email=actor.email if actor is not None else "",
        action=action,
        target=target[:200],
        details=_without_secrets(details or {}),
    )


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
    event = _event(
        action=action,
        organization=organization,
        actor=actor,
        target=target,
        details=details,
    )
    event.save()
    return event


def audit_record_many(
    *,
    action: AuditAction,
    organization: Organization | None,
    actor: User | None,
    entries: list[tuple[str, dict[str, Any]]],
) -> None:
    """Appends one event per (target, details) entry in one statement, for a
    change made to many rows at once (people asked about their seats).
    Like audit_record, call it inside the change's transaction."""
    AuditEvent.objects.bulk_create(
        [
            _event(
                action=action,
                organization=organization,
                actor=actor,
                target=target,
                details=details,
            )
            for target, details in entries
        ],
        batch_size=500,
    )
