import datetime as dt

import factory

from contracts.tests.factories import ContractFactory
from url_visits.models import Activity
from url_visits.services.ingestion import activity_insert_new


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
    def _create(
        cls, model_class, *, user, contract, organization, day, browser, first_seen_at
    ):
        # Inserted as ingestion inserts activity, so that it comes with its
        # rollups written by the same statements.
        activity_insert_new(
            user_id=user.pk,
            organization_id=organization.pk,
            first_seen={(contract.pk, day): (first_seen_at, browser)},
        )
        return model_class.objects.get(user=user, contract=contract, day=day)
