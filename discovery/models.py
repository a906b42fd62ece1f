from django.conf import settings
from django.db import models

from accounts.models import Organization
from discovery.catalog import CATEGORIES


class Application(models.Model):
    """A SaaS application of the catalog, and the domains it is served from."""

    name = models.CharField(max_length=200, unique=True)
    vendor = models.CharField(max_length=200)
    category = models.CharField(max_length=40, choices=list(CATEGORIES.items()))
    # Normalized hosts: a registrable domain covers its subdomains.
    domains = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApplicationUser(models.Model):
    """That a person used a catalog application in the current UTC month.

    The only discovery record that names anyone. It exists while its month is
    open: closing the month (discovery.services.discovery_months_close)
    replaces the month's rows by one anonymous count per application, and
    erasing the person deletes theirs with them.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "application", "user"],
                name="application_user_unique",
            )
        ]
        # Closing months deletes by month across organizations.
        indexes = [models.Index(fields=["month"], name="application_user_month_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.month:%Y-%m}"


class ApplicationMonth(models.Model):
    """How many distinct people of an organization used a catalog application
    in a closed UTC month. A count only: nothing says who they were."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="+"
    )
    active_users = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month", "application"],
                name="application_month_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.month:%Y-%m}: {self.active_users}"


class ApplicationState(models.TextChoices):
    NEW = "new"
    IN_REVIEW = "in_review"
    SANCTIONED = "sanctioned"
    NOT_SANCTIONED = "not_sanctioned"
    RETIRED = "retired"


# The states an application may move to from each state: a review first or
# a decision at once, and a decision revisited; retiring ends an approved or
# refused application, and a retired one may come back for review.
NEXT_STATES: dict[str, tuple[str, ...]] = {
    ApplicationState.NEW: (
        ApplicationState.IN_REVIEW,
        ApplicationState.SANCTIONED,
        ApplicationState.NOT_SANCTIONED,
    ),
    ApplicationState.IN_REVIEW: (
        ApplicationState.NEW,
        ApplicationState.SANCTIONED,
        ApplicationState.NOT_SANCTIONED,
    ),
    ApplicationState.SANCTIONED: (
        ApplicationState.NOT_SANCTIONED,
        ApplicationState.RETIRED,
    ),
    ApplicationState.NOT_SANCTIONED: (
        ApplicationState.IN_REVIEW,
        ApplicationState.SANCTIONED,
        ApplicationState.RETIRED,
    ),
    ApplicationState.RETIRED: (ApplicationState.IN_REVIEW,),
}


class ApplicationDecision(models.Model):
    """What an organization's admins decided about an application discovery
    reported: its state, a note, an owner, and who decided when. An
    application without a row is `new`. Nothing here counts or names its
    users."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        max_length=20, choices=ApplicationState.choices, default=ApplicationState.NEW
    )
    note = models.TextField(blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "application"],
                name="application_decision_once_per_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} in {self.organization_id}: {self.state}"
