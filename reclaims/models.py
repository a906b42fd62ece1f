from django.conf import settings
from django.db import models

from accounts.models import Organization
from contracts.models import Contract


class ReclaimState(models.TextChoices):
    # Emailed; waiting for the person's answer until `answer_by`.
    ASKED = "asked"
    # The person still needs the seat: closed, nothing to remove.
    KEPT = "kept"
    # The person gave the seat up: an admin removes it in the vendor's tool.
    RELEASED = "released"
    # `answer_by` passed without an answer: an admin decides.
    NO_ANSWER = "no_answer"
    # An admin confirmed the seat removed in the vendor's tool: a saving.
    REMOVED = "removed"
    # An admin closed it without removing the seat.
    CANCELLED = "cancelled"


# One reclaim per person and contract may be in these states at a time.
OPEN_STATES = (ReclaimState.ASKED, ReclaimState.RELEASED, ReclaimState.NO_ANSWER)


class Reclaim(models.Model):
    """One person asked whether they still need their seat of one contract,
    and what came of it. Its changes are audited (audit.AuditAction.RECLAIM_*).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reclaims"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reclaims"
    )
    state = models.CharField(
        max_length=10, choices=ReclaimState.choices, default=ReclaimState.ASKED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The person's last day of use of the contract when they were asked, if
    # any: use after it shows as "active since asked".
    last_active_day = models.DateField(null=True, blank=True)
    asked_at = models.DateTimeField()
    answer_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when the seat is removed: what it saves, in the contract's
    # currency (reclaims/savings.py), frozen at that moment.
    realized_saving = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(max_length=3, blank=True, default="")

    class Meta:
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                condition=models.Q(state__in=OPEN_STATES),
                name="reclaim_one_open_per_person_and_contract",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["organization", "contract", "state"]),
        ]

    def __str__(self) -> str:
        return f"Seat of {self.user_id} on {self.contract_id}: {self.state}"
