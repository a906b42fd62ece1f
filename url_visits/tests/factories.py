import datetime as dt

import factory

from contracts.tests.factories import ContractFactory
from url_visits.models import Activity


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    contract = factory.SubFactory(ContractFactory)
    organization = factory.LazyAttribute(lambda o: o.contract.organization)
    user = factory.SubFactory(
        "accounts.tests.factories.UserFactory",
        organization=factory.SelfAttribute("..contract.organization"),
    )
    day = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC).date())
    browser = "Chrome"
    first_seen_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.day, dt.time(9, 0), tzinfo=dt.UTC)
    )
