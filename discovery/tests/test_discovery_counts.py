"""Who counts toward discovery's threshold, and which months it shows: only
verified members of the organization, and only months that have ended
(issue 21, item 4: the counts must not single anybody out)."""

from accounts.models import Role
from accounts.services.organizations import user_change_role
from accounts.tests.factories import UserFactory
from conftest import client_for
from discovery.models import Application, ApplicationUser
from discovery.services import discovery_months_close
from discovery.tests.helpers import (
    close_the_month,
    discovered,
    discovery_on,
    move_to_next_month,
    people,
    report_url,
    report_visits,
)
from procure_site import clock


def test_it_does_not_count_the_admin_who_reads_the_report(
    admin_user, organization, time_machine
):
    # Before, the admin's own visit made one member's use "2 people".
    discovery_on(organization, min_users=2)
    [member] = people(organization, 1)
    report_visits(member, "https://www.glassdoor.com/Reviews")
    report_visits(admin_user, "https://www.glassdoor.com/")

    month = close_the_month(time_machine)

    assert discovered(client_for(admin_user), organization, month=month) == {}


def test_it_does_not_count_unverified_sign_ups(admin_user, organization, time_machine):
    # Before, the admin plus an unverified sign-up (no mailbox needed) made
    # one member's use "3 people".
    discovery_on(organization, min_users=3)
    [member] = people(organization, 1)
    made_up = UserFactory(
        organization=organization, role=Role.MEMBER, email_verified_at=None
    )
    for user in (member, made_up, admin_user):
        report_visits(user, "https://www.glassdoor.com/")

    month = close_the_month(time_machine)

    assert discovered(client_for(admin_user), organization, month=month) == {}


def test_it_counts_verified_members(admin_user, organization, time_machine):
    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://www.glassdoor.com/")

    month = close_the_month(time_machine)

    assert discovered(client_for(admin_user), organization, month=month) == {
        "Glassdoor": 2
    }


def test_it_stops_counting_a_member_made_admin_before_the_month_closes(
    admin_user, organization, time_machine
):
    discovery_on(organization, min_users=2)
    promoted, other = people(organization, 2)
    for user in (promoted, other):
        report_visits(user, "https://www.glassdoor.com/")
    organization.admin_seats = 2
    organization.save()
    user_change_role(user=promoted, role=Role.ADMIN)

    month = close_the_month(time_machine)

    assert discovered(client_for(admin_user), organization, month=month) == {}


def test_it_shows_no_figures_of_the_open_month(admin_client, organization):
    # Before, the open month's counts were live: watched around one person's
    # sync, they told what that person used.
    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://www.glassdoor.com/")
    month = clock.format_month(clock.current_month())
    last_closed = clock.format_month(clock.previous_month(clock.current_month()))

    response = admin_client.get(report_url(organization), {"month": month})

    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"{month} is not closed yet: discovery reports a month once it has "
        "ended, so that nobody's use can be read from counts that change as "
        f"people sync. The latest month you can ask for is {last_closed}."
    )


def test_it_shows_the_last_closed_month_by_default(admin_client, organization):
    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://www.glassdoor.com/")

    response = admin_client.get(report_url(organization))

    assert response.status_code == 200
    assert response.json()["month"] == clock.format_month(
        clock.previous_month(clock.current_month())
    )
    assert response.json()["applications"] == []


def test_it_shows_a_month_that_has_ended_before_anything_closed_it(
    admin_user, organization, time_machine
):
    # Nobody synced since the month turned and close_discovery_months has
    # not run yet: the report closes the month itself before reading it.
    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://www.glassdoor.com/")
    move_to_next_month(time_machine)

    assert discovered(client_for(admin_user), organization) == {"Glassdoor": 2}


def test_it_never_changes_a_months_count_once_made(
    admin_user, organization, time_machine
):
    discovery_on(organization, min_users=2)
    early, late = people(organization, 2)
    [other] = people(organization, 1)
    for user in (early, other):
        report_visits(user, "https://www.glassdoor.com/")
    month = clock.current_month()
    close_the_month(time_machine)
    shown = discovered(client_for(admin_user), organization)
    # A sync that raced the month's end lands after the close.
    ApplicationUser.objects.create(
        organization=organization,
        month=month,
        application=Application.objects.get(name="Glassdoor"),
        user=late,
    )

    discovery_months_close()

    # Before, the count became 3: the difference was the late person.
    assert shown == {"Glassdoor": 2}
    assert discovered(client_for(admin_user), organization) == {"Glassdoor": 2}
    assert not ApplicationUser.objects.filter(month=month).exists()
