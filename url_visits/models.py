from django.conf import settings
from django.db import models

from accounts.models import Organization
from contracts.models import Contract


class Activity(models.Model):
    """That a user used a contract's product on a UTC day.

    This is the only thing kept from the extension's reports: no URL, no path
    and no host that matched nothing.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="activities"
    )
    # Denormalized from the contract so that organization-wide analytics read
    # one table through one index.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="activities"
    )
    day = models.DateField()
    browser = models.CharField(max_length=50, default="Chrome")
    first_seen_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-day", "contract_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contract", "day"], name="activity_one_per_user_day"
            )
        ]
        indexes = [
            # Monthly usage per contract: a range of days in one organization,
            # read without touching the table.
            models.Index(
                fields=["organization", "day", "contract", "user"],
                name="activity_org_day_idx",
            ),
            # Purging by age.
            models.Index(fields=["day"], name="activity_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} used {self.contract_id} on {self.day}"
