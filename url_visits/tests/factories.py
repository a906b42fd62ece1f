import datetime as dt

import factory

from contracts.tests.factories import ContractFactory
from url_visits.models import Activity
from url_visits.rollups import activity_rollups_record


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Activity recorded by the service comes with its rollups; so does
        # activity made here.
        activity = super()._create(model_class, *args, **kwargs)
        activity_rollups_record(
            user_id=activity.user_id,
            organization_id=activity.organization_id,
            activity=[(activity.contract_id, activity.day)],
        )
        return activity
