from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import Organization
from contracts.terms import MAX_NOTICE_DAYS, ContractStatus, PricingModel


class ContractQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization) -> "ContractQuerySet":
        return self.filter(organization=organization)


class Contract(models.Model):
    """A purchased SaaS product of one organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contracts"
    )
    vendor_name = models.CharField(max_length=200)
    # Normalized to https://<host>: lower-case, no port, path, query or fragment.
    product_url = models.CharField(max_length=300)
    # The registrable domain of the product host by the Public Suffix List.
    vendor_domain = models.CharField(max_length=253)
    # Further hosts that count as this product (e.g. force.com for Salesforce),
    # normalized like the product host.
    extra_hosts = models.JSONField(default=list, blank=True)
    annual_spend = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    num_seats = models.PositiveIntegerField(default=0)
    # ISO 4217, of annual_spend; the organization's reporting currency unless
    # given.
    currency = models.CharField(max_length=3, default="USD")
    contract_type = models.CharField(max_length=100, blank=True, default="")
    contract_status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    pricing_model = models.CharField(
        max_length=20, choices=PricingModel.choices, default=PricingModel.PER_SEAT
    )
    auto_renew = models.BooleanField(default=False)
    # Days of notice that cancelling takes before the renewal (terms.py).
    notice_period_days = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_NOTICE_DAYS)]
    )
    # Everyone in the organization gets this product (a chat tool, say):
    # its idle seats are not reclaimed.
    everyone_gets_it = models.BooleanField(default=False)
    payment_type = models.CharField(max_length=100, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_contracts",
    )
    owner_name = models.CharField(max_length=200, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(null=True, blank=True)
    expire_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["vendor_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "product_url"],
                name="contract_unique_product_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_spend__gte=0),
                name="contract_annual_spend_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "expire_at"]),
            models.Index(fields=["organization", "contract_status"]),
        ]

    def __str__(self) -> str:
        return f"{self.vendor_name} ({self.product_url})"


class ExchangeRate(models.Model):
    """How many units of the organization's reporting currency one unit of
    `currency` is worth, from `valid_from` until a later rate. Set by staff
    or the organization's admins; proCure never fetches rates."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="exchange_rates"
    )
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(
        max_digits=18, decimal_places=8, validators=[MinValueValidator(0)]
    )
    valid_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "currency", "valid_from"],
                name="exchange_rate_once_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0), name="exchange_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} from {self.valid_from}"
