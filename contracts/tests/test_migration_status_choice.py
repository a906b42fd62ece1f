"""Migration 0002 maps the free-text statuses stored before status was a
choice, and keeps any value it cannot map in the contract's notes."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def targets(contracts_migration: str) -> list[tuple[str, str]]:
    graph = MigrationExecutor(connection).loader.graph
    others = [node for node in graph.leaf_nodes() if node[0] != "contracts"]
    return [*others, ("contracts", contracts_migration)]


@pytest.mark.django_db(transaction=True)
def test_it_maps_old_statuses_and_keeps_unknown_ones_in_the_notes():
    before = targets("0001_initial")
    after = targets("0002_status_choice_pricing_and_terms")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Organization = apps.get_model("accounts", "Organization")
    Contract = apps.get_model("contracts", "Contract")
    organization = Organization.objects.create(
        domain_name="acme.io", company_name="Acme", public_id="org_" + "a" * 32
    )
    stored = {
        "a": ("Active", ""),
        "b": ("pending", ""),
        "c": ("Canceled", ""),
        "d": ("expired", ""),
        "e": ("actif", "Paid by card"),
        "f": ("", ""),
    }
    for key, (status, notes) in stored.items():
        Contract.objects.create(
            organization=organization,
            vendor_name=key,
            product_url=f"https://{key}.example.com",
            vendor_domain="example.com",
            contract_status=status,
            notes=notes,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    Contract = executor.loader.project_state(after).apps.get_model(
        "contracts", "Contract"
    )
    assert {
        row["vendor_name"]: (row["contract_status"], row["notes"])
        for row in Contract.objects.values("vendor_name", "contract_status", "notes")
    } == {
        "a": ("active", ""),
        "b": ("trial", ""),
        "c": ("cancelled", ""),
        "d": ("expired", ""),
        "e": (
            "active",
            "Paid by card\n\nStatus before proCure had fixed statuses: actif",
        ),
        "f": ("active", ""),
    }
    assert set(Contract.objects.values_list("pricing_model", flat=True)) == {"per_seat"}
    # Back to the latest migrations, for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
