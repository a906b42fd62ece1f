"""Migration 0004 rewrites browser values recorded before the allow-list."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def targets(url_visits_migration: str) -> list[tuple[str, str]]:
    """Every other app at its latest migration, url_visits at the one named:
    the other apps' later columns stay in the database, so the historical
    models must have them too."""
    graph = MigrationExecutor(connection).loader.graph
    others = [node for node in graph.leaf_nodes() if node[0] != "url_visits"]
    return [*others, ("url_visits", url_visits_migration)]


@pytest.mark.django_db(transaction=True)
def test_it_records_browsers_outside_the_allow_list_as_other():
    BEFORE = targets("0003_activity_drop_redundant_fk_indexes")
    AFTER = targets("0004_activity_browser_allow_list")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organization = apps.get_model("accounts", "Organization")
    User = apps.get_model("accounts", "User")
    Contract = apps.get_model("contracts", "Contract")
    Activity = apps.get_model("url_visits", "Activity")
    organization = Organization.objects.create(
        domain_name="acme.io", company_name="Acme", public_id="org_" + "a" * 32
    )
    user = User.objects.create(email="max@acme.io", organization=organization)
    contract = Contract.objects.create(
        organization=organization,
        vendor_name="Slack",
        product_url="https://slack.com",
        annual_spend=0,
        num_seats=1,
        expire_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )
    leaked = "https://console.aws.amazon.com/iam/home?secret=abc"[:50]
    for day, browser in ((1, "Firefox"), (2, leaked), (3, "chrome")):
        Activity.objects.create(
            user=user,
            contract=contract,
            organization=organization,
            day=dt.date(2026, 11, day),
            browser=browser,
            first_seen_at=dt.datetime(2026, 11, day, tzinfo=dt.UTC),
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    Activity = executor.loader.project_state(AFTER).apps.get_model(
        "url_visits", "Activity"
    )
    assert list(Activity.objects.order_by("day").values_list("browser", flat=True)) == [
        "Firefox",
        "Other",
        "Chrome",
    ]
    # Back to the latest migrations, for the tests that follow (readiness
    # answers 503 while a migration is unapplied).
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
