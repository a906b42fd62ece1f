"""The device-token lookup statement, on whichever database the suite runs."""

from django.utils import timezone

from accounts import device_token_sql
from accounts.models import DeviceToken, User, hash_device_token
from accounts.services.sessions import device_token_issue


def lookup(raw_token: str) -> DeviceToken | None:
    return device_token_sql.live_device_token_by_hash(
        token_hash=hash_device_token(raw_token)
    )


def fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }


def test_it_loads_the_token_its_user_and_their_organization(member, organization):
    raw = device_token_issue(user=member, device_id="ext-1")
    organization.tracking_paused = True
    organization.save()

    token = lookup(raw)

    expected = DeviceToken.objects.select_related("user__organization").get()
    assert fields(token) == fields(expected)
    assert fields(token.user) == fields(expected.user)
    assert fields(token.user.organization) == fields(expected.user.organization)
    assert token.user.organization.tracking_paused is True
    assert token._state.db == "default" and not token._state.adding


def test_it_loads_a_user_without_an_organization(staff_user):
    raw = device_token_issue(user=staff_user, device_id="ext-1")

    token = lookup(raw)

    assert token.user == staff_user
    assert token.user.organization is None


def test_it_finds_no_revoked_token(member):
    raw = device_token_issue(user=member, device_id="ext-1")
    DeviceToken.objects.update(revoked_at=timezone.now())

    assert lookup(raw) is None


def test_it_finds_no_token_of_a_deactivated_user(member):
    raw = device_token_issue(user=member, device_id="ext-1")
    User.objects.filter(pk=member.pk).update(is_active=False)

    assert lookup(raw) is None


def test_it_finds_no_unknown_token(member):
    device_token_issue(user=member, device_id="ext-1")

    assert lookup("not-a-token") is None


def test_it_costs_one_query(member, django_assert_num_queries):
    raw = device_token_issue(user=member, device_id="ext-1")
    lookup(raw)

    with django_assert_num_queries(1):
        lookup(raw)
