from decimal import Decimal

import factory

from accounts.tests.factories import OrganizationFactory
from contracts.hosts import normalize_product_url, registrable_domain
from contracts.models import Contract


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract; pass `host="app.slack.com"` to set its product URL."""

    class Meta:
        model = Contract
        exclude = ["host"]

    organization = factory.SubFactory(OrganizationFactory)
    host = factory.Sequence(lambda n: f"app{n}.vendor{n}.com")
    vendor_name = factory.Sequence(lambda n: f"Vendor {n}")
    product_url = factory.LazyAttribute(lambda o: normalize_product_url(o.host))
    vendor_domain = factory.LazyAttribute(
        lambda o: registrable_domain(o.product_url.removeprefix("https://"))
    )
    annual_spend = Decimal("1200.00")
    num_seats = 10
    contract_type = "subscription"
    contract_status = "active"
    payment_type = "credit card"
