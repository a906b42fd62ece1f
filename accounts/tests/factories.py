import factory

from accounts.models import Organization, Role, User
from procure_site import clock

TEST_PASSWORD = "Str0ngPass!"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    domain_name = factory.Sequence(lambda n: f"org{n}.example.com")
    company_name = factory.Sequence(lambda n: f"Company {n}")
    admin_seats = 5
    member_seats = 100


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.LazyAttributeSequence(
        lambda o, n: (
            f"user{n}@{o.organization.domain_name}"
            if o.organization
            else f"staff{n}@procure.example"
        )
    )
    role = Role.MEMBER
    email_verified_at = factory.LazyFunction(clock.now)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
