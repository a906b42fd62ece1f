"""POST /api/v1/url-visits under real concurrency (PostgreSQL only).

Each test starts its requests together on a barrier, from threads with
connections of their own, and then checks the rows the database holds.
"""

import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.services.erasure import user_erase
from accounts.services.sessions import device_token_issue
from accounts.tests.factories import OrganizationFactory, UserFactory
from conftest import client_for
from contracts.csv_import import IMPORT_COLUMNS
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from url_visits.models import Activity

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's concurrent connections",
    ),
    pytest.mark.django_db(transaction=True),
]

URL = "/api/v1/url-visits"
IMPORT_URL = "/api/v1/contracts/import"


def timestamp(days_ago: int, hour: int = 12) -> int:
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days_ago)
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def extension_for(user, device_id: str = "ext-1") -> APIClient:
    client = APIClient()
    token = device_token_issue(user=user, device_id=device_id)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def post(client: APIClient, entries: list[dict]):
    return client.post(URL, {"entries": entries}, format="json")


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Runs each call in a thread of its own, all released at once."""
    barrier = threading.Barrier(len(calls), timeout=30)

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait()
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def stored_keys(**filters) -> list[tuple]:
    """Every (user, contract, day) stored, duplicates included."""
    return list(
        Activity.objects.filter(**filters)
        .order_by("user_id", "contract_id", "day")
        .values_list("user_id", "contract_id", "day")
    )


def test_it_records_concurrent_identical_batches_once(member, organization):
    contracts = [
        ContractFactory(organization=organization, host=f"tool{number}.example.com")
        for number in range(5)
    ]
    entries = [
        {"url": f"{contract.product_url}/", "timestamp": timestamp(days)}
        for contract in contracts
        for days in range(1, 21)
    ]
    client = extension_for(member)
    senders = 8

    def send(seed: int) -> Callable[[], Any]:
        # Each sender shuffles the batch, so rows would reach the database in
        # different orders if the service did not sort them.
        shuffled = random.Random(seed).sample(entries, len(entries))
        return lambda: post(client, shuffled)

    responses = run_together(*(send(seed) for seed in range(senders)))

    assert [response.status_code for response in responses] == [200] * senders
    assert all(response.json()["matched"] == 100 for response in responses)
    assert sum(response.json()["recorded"] for response in responses) == 100
    expected = sorted(
        (member.pk, contract.pk, dt.datetime.now(dt.UTC).date() - dt.timedelta(days))
        for contract in contracts
        for days in range(1, 21)
    )
    assert stored_keys() == expected


def test_it_records_overlapping_batches_of_several_users_exactly_once(organization):
    contracts = [
        ContractFactory(organization=organization, host=f"tool{number}.example.com")
        for number in range(4)
    ]
    users = [UserFactory(organization=organization, role=Role.MEMBER) for _ in range(3)]
    # Two devices per user, each sending an overlapping half of the days.
    senders = []
    expected = set()
    for user in users:
        for device, days in (("laptop", range(1, 16)), ("desktop", range(8, 23))):
            entries = [
                {"url": f"{c.product_url}/", "timestamp": timestamp(d)}
                for c in contracts
                for d in days
            ]
            senders.append((extension_for(user, device), entries))
            today = dt.datetime.now(dt.UTC).date()
            expected |= {
                (user.pk, c.pk, today - dt.timedelta(days=d))
                for c in contracts
                for d in days
            }

    responses = run_together(
        *(
            lambda client=client, batch=batch: post(client, batch)
            for client, batch in senders
        )
    )

    assert [response.status_code for response in responses] == [200] * len(senders)
    assert sum(response.json()["recorded"] for response in responses) == len(expected)
    assert stored_keys() == sorted(expected)


def _import_csv(*rows: str) -> SimpleUploadedFile:
    content = "\n".join([",".join(IMPORT_COLUMNS), *rows]) + "\n"
    return SimpleUploadedFile("contracts.csv", content.encode(), "text/csv")


def _contract_row(vendor: str, url: str) -> str:
    return (
        f"{vendor},1000,subscription,active,invoice,{url},10,Ops,2027-01-01,2026-01-01,"
    )


# The batch leaves after these delays, so that across the runs it reads the
# contracts before, around and after the moment the import commits.
@pytest.mark.parametrize(
    "delay", [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15]
)
def test_it_matches_a_batch_racing_an_import_against_one_contract_set(delay):
    """The import adds AWS (more specific than the Amazon contract that holds
    console.aws.amazon.com today) and New Tool, and renames Slack; the batch
    visits all three. Whichever commits first, the batch is matched against
    the old contracts or the new ones as a whole, and no row is lost or
    doubled."""
    organization = OrganizationFactory()
    admin = UserFactory(organization=organization, role=Role.ADMIN)
    member = UserFactory(organization=organization, role=Role.MEMBER)
    slack = ContractFactory(organization=organization, host="slack.com")
    amazon = ContractFactory(organization=organization, host="amazon.com")
    days = range(1, 31)
    entries = [
        {"url": f"https://{host}/", "timestamp": timestamp(day)}
        for host in ("app.slack.com", "console.aws.amazon.com", "app.newtool.example")
        for day in days
    ]
    rows = [
        _contract_row("Slack Enterprise", "https://slack.com"),
        _contract_row("AWS", "https://aws.amazon.com"),
        _contract_row("New Tool", "https://newtool.example"),
        # Filler that makes the import's transaction last a little longer.
        *(
            _contract_row(f"Filler {n}", f"https://f{n}.example.org")
            for n in range(200)
        ),
    ]
    admin_client = client_for(admin)
    extension = extension_for(member)

    imported, ingested = run_together(
        lambda: admin_client.post(
            IMPORT_URL, {"file": _import_csv(*rows)}, format="multipart"
        ),
        lambda: time.sleep(delay) or post(extension, entries),
    )

    assert (imported.status_code, ingested.status_code) == (200, 200)
    assert imported.json() == {"created": 202, "updated": 1, "unchanged": 0}
    aws = Contract.objects.get(organization=organization, vendor_name="AWS")
    new_tool = Contract.objects.get(organization=organization, vendor_name="New Tool")
    old_set = {slack.pk, amazon.pk}
    new_set = {slack.pk, aws.pk, new_tool.pk}
    matched_contracts = set(
        Activity.objects.filter(organization=organization).values_list(
            "contract_id", flat=True
        )
    )
    body = ingested.json()
    assert matched_contracts in (old_set, new_set), delay
    assert body["matched"] == len(days) * len(matched_contracts)
    assert body["recorded"] == len(days) * len(matched_contracts)
    assert len(stored_keys(organization=organization)) == body["recorded"]

    # Sent again once both are done, the batch meets the new contracts and
    # adds only what the first pass could not have matched.
    again = post(extension, entries).json()

    assert again["matched"] == len(days) * 3
    assert again["recorded"] == len(days) * len(new_set - matched_contracts)
    keys = stored_keys(organization=organization)
    assert len(keys) == len(set(keys))
    assert {contract for _, contract, _ in keys} == matched_contracts | new_set
    assert Contract.objects.filter(organization=organization).count() == 204


@pytest.mark.parametrize(
    "delay", [0, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.04]
)
def test_it_records_a_batch_racing_a_contract_delete_without_an_error(delay):
    """The batch's match table (cached before the race) still names the
    contract being deleted. Neither request fails on the foreign key, and no
    activity survives on the deleted contract."""
    organization = OrganizationFactory()
    admin = UserFactory(organization=organization, role=Role.ADMIN)
    member = UserFactory(organization=organization, role=Role.MEMBER)
    doomed, *kept = [
        ContractFactory(organization=organization, host=f"t{number}.example.com")
        for number in range(20)
    ]
    days = range(1, 30)
    entries = [
        {"url": f"{contract.product_url}/", "timestamp": timestamp(day)}
        for contract in [doomed, *kept]
        for day in days
    ]
    extension = extension_for(member)
    admin_client = client_for(admin)
    # Caches the match table that names the doomed contract.
    assert post(extension, entries[:1]).json()["recorded"] == 1

    deleted, ingested = run_together(
        lambda: admin_client.delete(f"/api/v1/contracts/{doomed.id}"),
        lambda: time.sleep(delay) or post(extension, entries),
    )

    assert (deleted.status_code, ingested.status_code) == (204, 200)
    assert not Contract.objects.filter(pk=doomed.pk).exists()
    assert not Activity.objects.filter(contract_id=doomed.pk).exists()
    keys = stored_keys(organization=organization)
    assert len(keys) == len(set(keys)) == len(kept) * len(days)


def test_it_stores_nothing_for_a_user_erased_while_their_batch_waits(organization):
    contract = ContractFactory(organization=organization, host="slack.com")
    person = UserFactory(organization=organization)
    client = client_for(person)  # a JWT: authentication only reads the user
    erased = threading.Event()

    def erase_and_hold() -> None:
        try:
            with transaction.atomic():
                user_erase(user=person)
                erased.set()
                # Held open while the batch reaches its INSERT and waits.
                time.sleep(1.0)
        finally:
            connections.close_all()

    def sync():
        try:
            assert erased.wait(timeout=10)
            return post(
                client, [{"url": "https://app.slack.com/", "timestamp": timestamp(0)}]
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        eraser = pool.submit(erase_and_hold)
        response = pool.submit(sync).result(timeout=30)
        eraser.result(timeout=30)

    assert response.status_code == 200
    assert response.json()["recorded"] == 0
    assert not User.objects.filter(pk=person.pk).exists()
    assert not Activity.objects.filter(contract=contract).exists()
