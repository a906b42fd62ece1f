"""manage.py close_discovery_months."""

from io import StringIO

from django.core.management import call_command

from discovery.models import ApplicationMonth, ApplicationUser
from discovery.tests.helpers import (
    discovery_on,
    move_to_next_month,
    people,
    report_visits,
)
from procure_site import clock


def run() -> str:
    out = StringIO()
    call_command("close_discovery_months", stdout=out)
    return out.getvalue()


def test_it_keeps_the_open_month_open(organization):
    discovery_on(organization)
    for user in people(organization, 2):
        report_visits(user, "https://linear.app/")

    assert run() == "Closed 0 rows of past months' application users.\n"
    assert ApplicationUser.objects.count() == 2


def test_it_closes_past_months_once_and_is_safe_to_run_twice(
    organization, time_machine
):
    discovery_on(organization)
    for user in people(organization, 3):
        report_visits(user, "https://linear.app/", "https://www.figma.com/")
    month = clock.current_month()
    move_to_next_month(time_machine)

    first, second = run(), run()

    assert first == "Closed 6 rows of past months' application users.\n"
    assert second == "Closed 0 rows of past months' application users.\n"
    assert not ApplicationUser.objects.exists()
    assert sorted(
        ApplicationMonth.objects.values_list(
            "application__name", "month", "active_users"
        )
    ) == [("Figma", month, 3), ("Linear", month, 3)]
