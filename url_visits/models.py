from django.conf import settings
from django.db import models

from accounts.models import Organization
from contracts.models import Contract


class Activity(models.Model):
    """That a user used a contract's product on a UTC day.

    This is the only thing kept from the extension's reports: no URL, no path
    and no host that matched nothing.
    """

    # No index of its own: the unique (user, contract, day) constraint starts
    # with the user and serves every lookup by user, and each index costs
    # every ingested row a write.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="activities"
    )
    # Denormalized from the contract so that organization-wide analytics read
    # one table through one index. No index of its own: activity_org_day_idx
    # starts with it. No database constraint either, as each one costs every
    # new row a check at commit: the row goes in only while its contract
    # exists and belongs to this organization (url_visits.activity_sql), the
    # contract's own key keeps the organization, and a user's organization
    # cannot be deleted (PROTECT). Django still cascades deletes.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
        db_constraint=False,
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


class MonthlyActivity(models.Model):
    """That a user used a contract at least once in a UTC month.

    A rollup of Activity, written in the same transaction as the activity it
    summarizes (see url_visits.rollups), so that monthly active users are a
    count of index entries rather than a distinct count over every day of
    the month.
    """

    # The unique constraint starts with the user and the count index with the
    # organization, so neither foreign key needs an index of its own. No
    # foreign key has a database constraint: a rollup row is only written in
    # the statement that writes the activity it summarizes, whose own keys
    # and checks vouch for the user, the contract and the organization, and
    # each constraint would cost every new row a check at commit. Django
    # still cascades deletes.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The first day of the month.
    month = models.DateField()

    class Meta:
        verbose_name_plural = "monthly activities"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contract", "month"],
                name="monthly_activity_one_per_month",
            )
        ]
        indexes = [
            # Active users per contract and month, counted from the index
            # alone.
            models.Index(
                fields=["organization", "month", "contract"],
                name="monthly_activity_org_month_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} used {self.contract_id} in {self.month:%Y-%m}"


class LatestActivity(models.Model):
    """The last UTC day a user used a contract.

    A rollup of Activity, kept with it like MonthlyActivity, so that the users
    who stopped using a contract are a range of this index rather than the
    latest day of every user over all of the organization's activity.
    """

    # Foreign keys without database constraints, as MonthlyActivity's.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    last_day = models.DateField()

    class Meta:
        verbose_name_plural = "latest activities"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contract"], name="latest_activity_one_per_contract"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "last_day"],
                name="latest_activity_org_day_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} last used {self.contract_id} on {self.last_day}"
