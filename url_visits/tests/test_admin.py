import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity
from url_visits.tests.factories import ActivityFactory

CHANGELIST = f"/{settings.ADMIN_URL}url_visits/activity/"


def browser_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_browser(db):
    return browser_for(
        User.objects.create_superuser("root@procure.example", "Sup3rSecret!")
    )


@pytest.fixture
def viewer_browser(db):
    """Staff who may view activity, and nothing more."""
    viewer = UserFactory(organization=None, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_activity"))
    return browser_for(viewer)


def test_it_lists_activity_in_a_constant_number_of_queries(
    superuser_browser, organization, other_organization, django_assert_max_num_queries
):
    ActivityFactory(contract=ContractFactory(organization=organization))
    with django_assert_max_num_queries(20) as for_one:
        assert superuser_browser.get(CHANGELIST).status_code == 200

    for number in range(20):
        ActivityFactory(
            contract=ContractFactory(
                organization=organization if number % 2 else other_organization
            )
        )
    with django_assert_max_num_queries(20) as for_many:
        response = superuser_browser.get(CHANGELIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 21
    assert len(for_one) == len(for_many)


def test_it_filters_by_organization_contract_and_day(superuser_browser, organization):
    slack = ContractFactory(organization=organization, vendor_name="Slack")
    day = dt.date(2026, 3, 14)
    kept = ActivityFactory(contract=slack, day=day)
    ActivityFactory(contract=slack, day=day - dt.timedelta(days=40))
    ActivityFactory()

    by_organization = superuser_browser.get(
        CHANGELIST, {"organization__id__exact": organization.id}
    )
    by_contract_and_day = superuser_browser.get(
        CHANGELIST,
        {
            "contract__id__exact": slack.id,
            "day__year": 2026,
            "day__month": 3,
            "day__day": 14,
        },
    )

    assert len(by_organization.context["cl"].result_list) == 2
    assert list(by_contract_and_day.context["cl"].result_list) == [kept]


def test_it_lets_nobody_add_or_change_activity(superuser_browser, viewer_browser):
    activity = ActivityFactory()
    change_url = f"{CHANGELIST}{activity.pk}/change/"

    assert superuser_browser.get(f"{CHANGELIST}add/").status_code == 403
    assert viewer_browser.get(f"{CHANGELIST}add/").status_code == 403
    response = superuser_browser.post(change_url, {"browser": "Tampered"})

    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.browser == "Chrome"
    # Viewing stays possible, read-only.
    assert viewer_browser.get(change_url).status_code == 200


def test_it_lets_only_superusers_delete_activity(superuser_browser, viewer_browser):
    activity = ActivityFactory()
    delete_url = f"{CHANGELIST}{activity.pk}/delete/"

    assert viewer_browser.post(delete_url, {"post": "yes"}).status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()

    response = superuser_browser.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
