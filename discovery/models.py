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
