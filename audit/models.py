from django.conf import settings
from django.db import models

from accounts.models import Organization


class AuditAction(models.TextChoices):
    USER_SIGNED_UP = "user.signed_up", "User signed up"
    USER_ROLE_CHANGED = "user.role_changed", "User role changed"
    USER_DEPARTMENT_CHANGED = "user.department_changed", "User department changed"
    USER_DEACTIVATED = "user.deactivated", "User deactivated"
    USER_REACTIVATED = "user.reactivated", "User reactivated"
    USER_ERASED = "user.erased", "User erased"
    USER_EMAIL_VERIFIED = "user.email_verified", "Email verified"
    USER_PASSWORD_RESET = "user.password_reset", "Password reset"
    USER_PASSWORD_SET = "user.password_set", "Password set by staff"
    USER_EMAIL_CHANGED = "user.email_changed", "Email changed by staff"
    TOKEN_REVOKED = "token.revoked", "Device token revoked"
    CONTRACT_CREATED = "contract.created", "Contract created"
    CONTRACT_UPDATED = "contract.updated", "Contract updated"
    CONTRACT_DELETED = "contract.deleted", "Contract deleted"
    CONTRACTS_IMPORTED = "contracts.imported", "Contracts imported"
    ACTIVITY_PURGED = "activity.purged", "Activity purged"
    TRACKING_PAUSED = "tracking.paused", "Tracking paused"
    TRACKING_RESUMED = "tracking.resumed", "Tracking resumed"
    NOTIFICATIONS_UPDATED = "notifications.updated", "Notification settings changed"
    EXCHANGE_RATE_SET = "exchange_rate.set", "Exchange rate set"
    INVITATION_SENT = "invitation.sent", "Invitation sent"
    INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
    INVITATION_ACCEPTED = "invitation.accepted", "Invitation accepted"
    DISCOVERY_CHANGED = "discovery.changed", "Discovery settings changed"
    APPLICATIONS_IMPORTED = "applications.imported", "Application catalog imported"
    ORGANIZATION_SEATS_CHANGED = "organization.seats_changed", "Seat caps changed"
    RECLAIM_SETTINGS_CHANGED = "reclaims.settings_changed", "Reclaim settings changed"
    RECLAIM_ASKED = "reclaim.asked", "Seat reclaim: person asked"
    RECLAIM_KEPT = "reclaim.kept", "Seat reclaim: person keeps the seat"
    RECLAIM_RELEASED = "reclaim.released", "Seat reclaim: person released the seat"
    RECLAIM_NO_ANSWER = "reclaim.no_answer", "Seat reclaim: no answer in time"
    RECLAIM_REMOVED = "reclaim.removed", "Seat reclaim: seat removed"
    RECLAIM_CANCELLED = "reclaim.cancelled", "Seat reclaim: cancelled"
    APPLICATION_DECIDED = "application.decided", "Discovered app: state changed"
    ORGANIZATION_DOMAIN_REQUESTED = (
        "organization.domain_requested",
        "Domain requested",
    )
    ORGANIZATION_DOMAIN_VERIFIED = "organization.domain_verified", "Domain verified"
    ORGANIZATION_DOMAIN_REMOVED = "organization.domain_removed", "Domain removed"
    IDENTITY_PROVIDER_CHANGED = (
        "identity_provider.changed",
        "Identity provider (sign-in) changed",
    )
    IDENTITY_PROVIDER_REMOVED = (
        "identity_provider.removed",
        "Identity provider (sign-in) removed",
    )
    SCIM_TOKEN_CREATED = "scim.token_created", "SCIM token created"
    SCIM_TOKEN_REVOKED = "scim.token_revoked", "SCIM token revoked"
    USER_PROVISIONED = "user.provisioned", "User provisioned by the identity provider"
    USER_PROVISIONING_CHANGED = (
        "user.provisioning_changed",
        "User changed by the identity provider",
    )


class AuditEvent(models.Model):
    """Who did what, in which organization, and when. Never a secret."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text so that the trail still reads after the actor is deleted;
    # empty for the system (management commands run by operators).
    actor_email = models.CharField(max_length=254, blank=True, default="")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target = models.CharField(max_length=200, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "-created_at"], name="audit_org_created_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_email or 'system'} at {self.created_at}"
