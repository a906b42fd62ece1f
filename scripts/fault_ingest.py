"""Ingestion load with a PostgreSQL restart in the middle; see fault_db_restart.sh.

    fault_ingest.py seed --out tokens.json
    fault_ingest.py load --url http://127.0.0.1:PORT --tokens tokens.json \
        --restart-command "pg_ctlcluster ... restart"

Every batch is one user's visits to every seeded contract on days no other
batch uses, so the activity rows a batch must leave behind are known: after
the load, each batch the server answered 200 must have all of its rows in the
database. Batches answered 503 are not retried here; the extension sends them
again later, and the counts show how many there were. The batches are spread
evenly over the load's duration, so that the load runs through the restart
and past it however fast the machine is: the run fails unless batches were
answered after the restart, as the service must recover by itself.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "fault.example"
CONTRACTS = 8
USERS = 40
DAYS_PER_BATCH = 4
# Days 1..396 ago: inside the default 400-day retention window, never today.
BLOCKS_PER_USER = 396 // DAYS_PER_BATCH
PASSWORD = "Fault-Pass-2026"  # noqa: S105 - throwaway accounts on a throwaway database


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procure_site.settings")
    import django

    django.setup()


def seed(out: Path) -> None:
    """An organization, CONTRACTS contracts and USERS members with device tokens."""
    django_setup()
    from django.core.management import call_command

    from accounts.models import Organization, Role, User
    from accounts.services.sessions import device_token_issue
    from procure_site import clock

    call_command("create_organization", domain=DOMAIN, company="Fault Co")
    header = (
        "vendor_name,annual_spend,contract_type,contract_status,payment_type,"
        "product_url,number_of_seats,owner,expire_at,created_at,notes\n"
    )
    rows = "".join(
        f"Tool {n},1000,subscription,active,invoice,https://tool{n}.{DOMAIN},"
        f"50,Ops,2030-01-01,2020-01-01,fault test\n"
        for n in range(CONTRACTS)
    )
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as csv_file:
        csv_file.write(header + rows)
        csv_file.flush()
        call_command("import_contracts", csv_file.name, org=DOMAIN)
    organization = Organization.objects.get(domain_name=DOMAIN)
    tokens = {}
    for n in range(USERS):
        user = User.objects.create_user(
            email=f"user{n}@{DOMAIN}",
            password=PASSWORD,
            organization=organization,
            role=Role.MEMBER,
            email_verified_at=clock.now(),
        )
        tokens[user.email] = device_token_issue(user=user, device_id=f"ext-{n}")
    out.write_text(json.dumps(tokens))
    print(f"Seeded {CONTRACTS} contracts and {USERS} members with device tokens.")


def batch_plan(index: int, emails: list[str]) -> tuple[str, list[int]]:
    """The user and the days (ago) of batch `index`; no two batches share both."""
    email = emails[index % len(emails)]
    block = index // len(emails)
    return email, [1 + block * DAYS_PER_BATCH + i for i in range(DAYS_PER_BATCH)]


def batch_body(days_ago: list[int]) -> bytes:
    today = datetime.now(UTC).date()
    entries = []
    for days in days_ago:
        noon = datetime.combine(today - timedelta(days=days), day_time(12), UTC)
        for n in range(CONTRACTS):
            entries.append(
                {
                    "url": f"https://tool{n}.{DOMAIN}/workspace?id={days}",
                    "timestamp": int(noon.timestamp() * 1000),
                    "browser": "Chrome",
                }
            )
    return json.dumps({"entries": entries}).encode()


def send(url: str, token: str, body: bytes) -> tuple[int, dict | None]:
    request = urllib.request.Request(  # noqa: S310 - loopback URL from the caller
        f"{url}/api/v1/url-visits",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def load(options: argparse.Namespace) -> int:
    tokens: dict[str, str] = json.loads(Path(options.tokens).read_text())
    emails = sorted(tokens)
    max_batches = min(options.max_batches, len(emails) * BLOCKS_PER_USER)
    lock = threading.Lock()
    next_index = 0
    results: list[tuple[int, float, int, dict | None]] = []
    started = time.monotonic()
    deadline = started + options.duration
    # Sent as fast as they go, the batches ran out a few seconds into the
    # load, before the restart was over, and the check that the service
    # recovered had nothing to look at.
    interval = options.duration / max_batches

    def worker() -> None:
        nonlocal next_index
        while time.monotonic() < deadline:
            with lock:
                if next_index >= max_batches:
                    return
                index = next_index
                next_index += 1
            wait = started + index * interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            email, days = batch_plan(index, emails)
            status, body = send(options.url, tokens[email], batch_body(days))
            with lock:
                results.append((index, time.monotonic() - started, status, body))

    threads = [threading.Thread(target=worker) for _ in range(options.threads)]
    for thread in threads:
        thread.start()
    time.sleep(options.restart_at)
    restart_began = time.monotonic() - started
    subprocess.run(shlex.split(options.restart_command), check=True)  # noqa: S603
    restart_ended = time.monotonic() - started
    for thread in threads:
        thread.join()

    return verify(
        results=results,
        emails=emails,
        restart=(restart_began, restart_ended),
        url=options.url,
    )


def verify(*, results, emails, restart, url) -> int:
    django_setup()
    from django.db.models import Count

    from url_visits.models import Activity

    today = datetime.now(UTC).date()
    statuses = Counter(status for _, _, status, _ in results)
    acknowledged = [r for r in results if r[2] == 200]
    rows_per_batch = DAYS_PER_BATCH * CONTRACTS
    stored = {
        (email, day): count
        for email, day, count in Activity.objects.filter(
            organization__domain_name=DOMAIN
        )
        .values_list("user__email", "day")
        .annotate(count=Count("id"))
    }

    def rows_of(index: int) -> int:
        email, days = batch_plan(index, emails)
        return sum(stored.get((email, today - timedelta(days=d)), 0) for d in days)

    expected = len(acknowledged) * rows_per_batch
    found = sum(rows_of(index) for index, *_ in acknowledged)
    unacknowledged_stored = sum(rows_of(i) for i, _, s, _ in results if s != 200)
    misreported = sum(
        1 for *_, body in acknowledged if body["recorded"] != rows_per_batch
    )
    failures = [t for _, t, s, _ in results if s != 200]
    after_restart = [s for _, t, s, _ in results if t > restart[1] + 2]
    try:
        ready = urllib.request.urlopen(f"{url}/readyz", timeout=10).status  # noqa: S310
    except urllib.error.HTTPError as error:
        ready = error.code

    print(
        f"PostgreSQL restart: from {restart[0]:.1f}s to {restart[1]:.1f}s into the load"
    )
    if failures:
        print(f"Non-200 answers: from {min(failures):.1f}s to {max(failures):.1f}s")
    print(f"batches sent:                {len(results)}")
    print(f"acknowledged (200):          {len(acknowledged)}")
    print(f"503 (database unavailable):  {statuses[503]}")
    other = len(results) - len(acknowledged) - statuses[503]
    print(f"other errors:                {other} (all answers: {dict(statuses)})")
    print(f"rows expected (200 batches): {expected}")
    print(f"rows found:                  {found}")
    print(f"lost:                        {expected - found}")
    print(f"200s reporting a wrong count: {misreported}")
    print(
        f"rows stored from non-200 batches (sent again later): {unacknowledged_stored}"
    )
    print(
        f"answers more than 2s after the restart: {len(after_restart)}, "
        f"non-200: {sum(1 for s in after_restart if s != 200)}"
    )
    print(f"/readyz after the load: {ready}")
    healthy = (
        expected == found
        and misreported == 0
        and ready == 200
        and other == 0
        and bool(after_restart)
        and all(s == 200 for s in after_restart)
    )
    if not after_restart:
        print(
            "No batch was answered more than 2s after the restart: the load "
            "was too short to show that the service recovered."
        )
    print("OK: nothing acknowledged was lost." if healthy else "FAILED")
    return 0 if healthy else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seed_parser = commands.add_parser("seed")
    seed_parser.add_argument("--out", type=Path, required=True)
    load_parser = commands.add_parser("load")
    load_parser.add_argument("--url", required=True)
    load_parser.add_argument("--tokens", required=True)
    load_parser.add_argument("--restart-command", required=True)
    load_parser.add_argument("--duration", type=float, default=20.0)
    load_parser.add_argument("--restart-at", type=float, default=6.0)
    load_parser.add_argument("--threads", type=int, default=4)
    load_parser.add_argument("--max-batches", type=int, default=3000)
    options = parser.parse_args()
    if options.command == "seed":
        seed(options.out)
        return 0
    return load(options)


if __name__ == "__main__":
    sys.exit(main())
