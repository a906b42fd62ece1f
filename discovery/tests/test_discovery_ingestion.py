"""POST /api/v1/url-visits with discovery: who used which catalog
application this month, and nothing else."""

import io
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.services.erasure import user_erase
from conftest import client_for
from contracts.tests.factories import ContractFactory
from discovery import services
from discovery.models import Application, ApplicationMonth, ApplicationUser
from discovery.selectors import application_table
from discovery.tests.helpers import (
    close_the_month,
    discovered,
    discovery_on,
    move_to_next_month,
    people,
    report_visits,
)
from procure_site import clock
from url_visits.models import Activity

# The activity INSERT of a batch whose one activity exists already.
ACTIVITY_INSERT = 1 if connection.vendor == "postgresql" else 3
# Discovery's INSERT, a statement of its own only where the activity INSERT
# cannot write it.
DISCOVERY_INSERT = 0 if connection.vendor == "postgresql" else 1


def users_of(name: str) -> set[str]:
    return {
        str(user_id)
        for user_id in ApplicationUser.objects.filter(
            application__name=name
        ).values_list("user_id", flat=True)
    }


def full_dump() -> str:
    """Every row of every table, as dumpdata writes them."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_it_counts_nobody_while_discovery_is_off(organization, member):
    report_visits(member, "https://www.figma.com/file/1", "https://app.asana.com/0/1")

    assert not ApplicationUser.objects.exists()
    assert not ApplicationMonth.objects.exists()


def test_it_counts_each_person_once_per_application_and_month(organization, member):
    discovery_on(organization)

    report_visits(member, "https://www.figma.com/file/1", "https://figma.com/x")
    result = report_visits(member, "https://www.figma.com/file/2")

    assert result["matched"] == 0
    assert users_of("Figma") == {str(member.pk)}
    row = ApplicationUser.objects.get()
    assert (row.organization, row.month) == (organization, clock.current_month())


def test_it_leaves_hosts_with_a_contract_to_the_contract(organization, member):
    discovery_on(organization)
    ContractFactory(organization=organization, host="figma.com", vendor_name="Figma")

    result = report_visits(member, "https://www.figma.com/file/1")

    assert result["matched"] == 1
    assert Activity.objects.count() == 1
    assert not ApplicationUser.objects.exists()


def test_it_matches_the_most_specific_catalog_domain(organization, member):
    discovery_on(organization)

    report_visits(member, "https://drive.google.com/drive/my-drive")

    assert users_of("Google Drive") == {str(member.pk)}
    assert ApplicationUser.objects.count() == 1


def test_it_leaves_no_trace_of_a_host_in_neither_list(organization, member):
    discovery_on(organization)
    # The catalog's match table lands in the shared cache (a table) on the
    # first batch; built first, so that the dumps differ only by the visit.
    application_table()
    before = full_dump()

    result = report_visits(
        member, "https://my-private-hobby.example/diary?entry=secret"
    )

    assert result == {
        "processed": 1,
        "matched": 0,
        "recorded": 0,
        "skipped": 0,
        "message": "Processed 1 entries: 0 matched a contract, 0 new activity "
        "recorded, 0 skipped as invalid.",
    }
    after = full_dump()
    assert "my-private-hobby" not in after
    assert after == before


def test_it_counts_nothing_while_tracking_is_paused(organization, member):
    discovery_on(organization)
    organization.tracking_paused = True
    organization.save()

    report_visits(member, "https://www.figma.com/file/1")

    assert not ApplicationUser.objects.exists()


def test_it_adds_no_query_while_discovery_is_off(
    organization, member, django_assert_num_queries
):
    report_visits(member, "https://www.figma.com/")

    # The JWT only: no contract table (cached), no write, no discovery.
    with django_assert_num_queries(1):
        report_visits(member, "https://www.figma.com/", "https://linear.app/")


def test_it_costs_no_statement_of_its_own_on_postgresql(
    organization, member, django_assert_num_queries
):
    discovery_on(organization)
    ContractFactory(organization=organization, host="slack.com")
    report_visits(member, "https://www.figma.com/", "https://slack.com/")

    # The JWT and the activity INSERT, which on PostgreSQL writes
    # discovery's rows too (SQLite adds their INSERT); the contract and
    # catalog tables are cached.
    with django_assert_num_queries(1 + ACTIVITY_INSERT + DISCOVERY_INSERT):
        report_visits(member, "https://linear.app/", "https://app.slack.com/")

    assert users_of("Linear") == {str(member.pk)}


def test_it_writes_nothing_for_applications_it_just_recorded(
    organization, member, django_assert_num_queries
):
    discovery_on(organization)
    report_visits(member, "https://linear.app/", "https://www.figma.com/")

    # The JWT only: this worker recorded both a moment ago.
    with django_assert_num_queries(1):
        report_visits(member, "https://linear.app/x", "https://figma.com/y")


def test_it_counts_a_person_again_within_three_hours_of_discovery_back_on(
    admin_client, organization, member, monkeypatch
):
    discovery_on(organization)
    report_visits(member, "https://linear.app/")
    admin_client.put(
        f"/api/v1/organizations/{organization.public_id}/discovery",
        {"enabled": False},
        format="json",
    )
    discovery_on(organization)
    report_visits(member, "https://linear.app/")
    assert users_of("Linear") == set()

    later = time.monotonic() + services.RECENTLY_RECORDED_SECONDS + 1
    monkeypatch.setattr(services, "time", SimpleNamespace(monotonic=lambda: later))
    report_visits(member, "https://linear.app/")

    assert users_of("Linear") == {str(member.pk)}


def test_it_forgets_an_erased_persons_contribution(
    admin_user, organization, time_machine
):
    discovery_on(organization, min_users=2)
    leaving, staying = people(organization, 2)
    for user in [leaving, staying]:
        report_visits(user, "https://linear.app/team")

    user_erase(user=leaving)

    assert users_of("Linear") == {str(staying.pk)}
    close_the_month(time_machine)
    assert discovered(client_for(admin_user), organization) == {}


def test_it_forgets_who_used_what_when_the_month_closes(
    admin_user, organization, time_machine
):
    discovery_on(organization)
    users = people(organization, 3)
    for user in users:
        report_visits(user, "https://linear.app/team", "https://www.figma.com/")
    month = clock.current_month()

    move_to_next_month(time_machine)
    report_visits(users[0], "https://notion.so/page")

    # Signed in after the month turned, as an access token lasts minutes.
    admin_client = client_for(admin_user)
    assert discovered(admin_client, organization, month=f"{month:%Y-%m}") == {
        "Figma": 3,
        "Linear": 3,
    }
    # Only this month's one row names anyone; last month is two counts.
    assert list(ApplicationUser.objects.values_list("month", "user_id")) == [
        (clock.next_month(month), users[0].pk)
    ]
    assert sorted(
        ApplicationMonth.objects.values_list("application__name", "active_users")
    ) == [("Figma", 3), ("Linear", 3)]
    out = io.StringIO()
    call_command("dumpdata", "discovery.ApplicationMonth", stdout=out)
    stored = out.getvalue()
    for user in users:
        assert str(user.pk) not in stored
        assert user.email not in stored


def test_it_never_names_anyone_after_the_closing_command(organization, time_machine):
    discovery_on(organization)
    users = people(organization, 2)
    for user in users:
        report_visits(user, "https://linear.app/team")

    move_to_next_month(time_machine)
    out = io.StringIO()
    call_command("close_discovery_months", stdout=out)

    assert out.getvalue() == "Closed 2 rows of past months' application users.\n"
    assert not ApplicationUser.objects.exists()
    stored = full_dump()
    discovery_rows = [
        line for line in stored.split("},") if '"model": "discovery.' in line
    ]
    assert discovery_rows
    for user in users:
        assert not any(str(user.pk) in row for row in discovery_rows)


@pytest.mark.parametrize("enabled_elsewhere", [True, False])
def test_it_counts_only_in_the_users_organization(
    organization, other_organization, member, enabled_elsewhere
):
    discovery_on(organization)
    other_organization.discovery_enabled = enabled_elsewhere
    other_organization.save()
    [outsider] = people(other_organization, 1)

    report_visits(member, "https://linear.app/")
    report_visits(outsider, "https://linear.app/")

    by_organization = set(
        ApplicationUser.objects.values_list("organization_id", "user_id")
    )
    expected = {(organization.pk, member.pk)}
    if enabled_elsewhere:
        expected.add((other_organization.pk, outsider.pk))
    assert by_organization == expected


def test_it_ships_the_catalog_with_the_migrations(db):
    assert Application.objects.count() >= 300
    assert Application.objects.get(name="Figma").domains == ["figma.com"]
