"""The device-token lookup statement, on whichever database the suite runs."""

from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts import device_token_sql
from accounts.models import DeviceToken, User, hash_device_token
from accounts.services.sessions import device_token_issue
from procure_site import clock


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
    DeviceToken.objects.update(revoked_at=clock.now())

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


def touching_lookup(raw_token: str, now, before):
    return device_token_sql.live_device_token_by_hash(
        token_hash=hash_device_token(raw_token), used_at=now, touch_before=before
    )


def test_it_records_the_first_use_and_then_only_stale_ones(member):
    raw = device_token_issue(user=member, device_id="ext-1")
    DeviceToken.objects.update(last_used_at=None)
    first = clock.now()

    token = touching_lookup(raw, first, first - timedelta(minutes=5))

    assert token.last_used_at == first
    assert DeviceToken.objects.get().last_used_at == first

    soon = first + timedelta(minutes=4)
    token = touching_lookup(raw, soon, soon - timedelta(minutes=5))

    assert token.last_used_at == first
    assert DeviceToken.objects.get().last_used_at == first

    later = first + timedelta(minutes=6)
    token = touching_lookup(raw, later, later - timedelta(minutes=5))

    assert token.last_used_at == later
    assert DeviceToken.objects.get().last_used_at == later


def test_it_touches_no_revoked_token_and_no_token_of_an_inactive_user(member):
    raw = device_token_issue(user=member, device_id="ext-1")
    other = device_token_issue(user=member, device_id="ext-2")
    DeviceToken.objects.update(last_used_at=None)
    DeviceToken.objects.filter(device_id="ext-1").update(revoked_at=clock.now())
    now = clock.now()

    assert touching_lookup(raw, now, now) is None
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert touching_lookup(other, now, now) is None

    assert list(DeviceToken.objects.values_list("last_used_at", flat=True)) == [
        None,
        None,
    ]


def test_it_looks_up_and_touches_in_one_query_on_postgresql(
    member, django_assert_num_queries
):
    raw = device_token_issue(user=member, device_id="ext-1")
    now = clock.now()

    expected = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(expected):
        touching_lookup(raw, now, now)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit")
@pytest.mark.django_db(transaction=True)
def test_a_request_records_the_use_and_leaves_commits_synchronous(member):
    raw = device_token_issue(user=member, device_id="ext-1")
    DeviceToken.objects.update(last_used_at=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    response = client.get("/api/v1/url-visits/monitored-hosts")

    assert response.status_code == 200
    assert DeviceToken.objects.get().last_used_at is not None
    # The lookup's own transaction committed without waiting for the disk;
    # nothing after it does.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
