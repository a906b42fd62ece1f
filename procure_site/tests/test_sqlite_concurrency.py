"""The default set-up (`make run`: SQLite, gunicorn's workers and the email
worker beside them, one database file) answers sign-ups and ingestion without
a 5xx, sequential or five at a time.

Everything is real: a migrated SQLite file in a temporary directory, gunicorn
with its default number of workers and `manage.py db_worker` storing and
sending the verification emails as tasks in that file, both on loopback. It
failed before procure_site/settings.py set SQLite's WAL journal, busy timeout
and BEGIN IMMEDIATE: the worker's polling transactions and the sign-ups'
deferred ones ran into "database is locked", answered 503.
"""

import datetime as dt
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from contracts.csv_import import IMPORT_COLUMNS
from procure_site import clock

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="about SQLite's own locking"
    ),
]

ROOT = Path(__file__).resolve().parents[2]
# A JSON body, and a status with the JSON body that came with it.
Json = dict[str, Any]
Answer = tuple[int, Json]
PASSWORD = "Str0ngPass!"
# Settings this run must not take from the environment it was started in
# (a PostgreSQL run, a replica, a pooler, a shared cache, another bind).
FOREIGN = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "DATABASE_TRANSACTION_POOLER",
    "DB_PREPARED_STATEMENTS",
    "CACHE_URL",
    "GUNICORN_BIND",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
)
REQUEST_TIMEOUT = 30
GUNICORN_APP = "procure_site.wsgi"
# What the database file holds: emails the worker sent, people who signed
# up for the first test, activity recorded for the devices of the second.
EMAILS_QUEUED = "SELECT count(*) FROM django_tasks_database_dbtaskresult"
EMAILS_SENT = f"{EMAILS_QUEUED} WHERE status = 'SUCCESSFUL'"
SIGNED_UP = "SELECT count(*) FROM accounts_user WHERE email LIKE 'person%'"
RECORDED = (
    "SELECT count(*) FROM url_visits_activity JOIN accounts_user "
    "ON accounts_user.id = url_visits_activity.user_id "
    "WHERE accounts_user.email LIKE 'device%'"
)


@dataclass(frozen=True)
class Service:
    port: int
    database: Path
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    service: Service, method: str, path: str, body: Json, token: str = ""
) -> Answer:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    client = http.client.HTTPConnection(
        "127.0.0.1", service.port, timeout=REQUEST_TIMEOUT
    )
    try:
        client.request(method, path, body=json.dumps(body), headers=headers)
        response = client.getresponse()
        answer: Json = json.loads(response.read() or b"{}")
        return response.status, answer
    finally:
        client.close()


def sign_up(service: Service, name: str) -> Answer:
    return request(
        service,
        "POST",
        "/api/v1/auth/create-user",
        {"email": f"{name}@acme.io", "password": PASSWORD, "device_id": name},
    )


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - a fixed command line of our own
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def contracts_csv(path: Path) -> Path:
    today = clock.today()
    created = (today - dt.timedelta(days=365)).isoformat()
    expires = (today + dt.timedelta(days=365)).isoformat()
    rows = [
        f"{vendor},1000,subscription,active,invoice,{url},100,Ops,{expires},{created},"
        for vendor, url in (("Slack", "https://slack.com"), ("Zoom", "https://zoom.us"))
    ]
    path.write_text("\n".join([",".join(IMPORT_COLUMNS), *rows]) + "\n")
    return path


def wait_until_listening(service: Service, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", service.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start: " + service.log.read_text()[-2000:])


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("sqlite-serving")
    database = directory / "db.sqlite3"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "test-only",
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            # As `make run`: emails are tasks in the database, sent by the
            # worker (which keeps them in memory here instead of mailing).
            "TASKS_BACKEND": "database",
            "EMAIL_URL": "memorymail://",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            # Fifty sign-ups from one address are this test, not an attack.
            "THROTTLE_SIGN_UP_RATE": "1000/hour",
        }
    )
    manage(env, "migrate", "--noinput")
    manage(env, "create_organization", "--domain", "acme.io", "--company", "Acme")
    contracts = contracts_csv(directory / "contracts.csv")
    manage(env, "import_contracts", "--org", "acme.io", str(contracts))
    service = Service(port=port, database=database, log=directory / "service.log")
    with service.log.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", GUNICORN_APP],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(service, server)
            yield service
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def refusals(answers: list[Answer]) -> str:
    statuses = Counter(status for status, _ in answers)
    details = Counter(body.get("detail") for status, body in answers if status >= 500)
    return f"answers {dict(statuses)}; 5xx details {dict(details)}"


def counted(service: Service, query: str) -> int:
    """The number a `SELECT count(*)` finds in the service's database file."""
    with closing(sqlite3.connect(f"file:{service.database}?mode=ro", uri=True)) as db:
        db.execute("PRAGMA busy_timeout = 5000")
        (count,) = db.execute(query).fetchone()
    return int(count)


def test_it_signs_up_fifty_people_one_after_another_and_five_at_a_time(
    service: Service,
) -> None:
    sequential = [sign_up(service, f"person{number}") for number in range(25)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        together = list(
            pool.map(lambda number: sign_up(service, f"person{number}"), range(25, 50))
        )

    answers = sequential + together
    assert [status for status, _ in answers] == [201] * 50, refusals(answers)
    assert counted(service, SIGNED_UP) == 50
    # The worker sent every verification email beside the sign-ups.
    deadline = time.monotonic() + 30
    while (
        counted(service, EMAILS_SENT) < counted(service, EMAILS_QUEUED)
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
    assert counted(service, EMAILS_SENT) == counted(service, EMAILS_QUEUED) >= 50


def test_it_takes_the_visits_of_five_devices_at_once(service: Service) -> None:
    with ThreadPoolExecutor(max_workers=5) as pool:
        signed_up = list(
            pool.map(lambda number: sign_up(service, f"device{number}"), range(5))
        )
    assert [status for status, _ in signed_up] == [201] * 5, refusals(signed_up)
    noon = dt.datetime.combine(clock.today(), dt.time(12), tzinfo=dt.UTC)

    def batch(days: range) -> Json:
        return {
            "entries": [
                {
                    "url": f"https://{host}/",
                    "timestamp": int(
                        (noon - dt.timedelta(days=day)).timestamp() * 1000
                    ),
                }
                for host in ("app.slack.com", "zoom.us")
                for day in days
            ]
        }

    # Each device sends four batches of five new days on two contracts.
    sends = [
        (body["device_token"], batch(range(1 + 5 * n, 6 + 5 * n)))
        for n in range(4)
        for _, body in signed_up
    ]
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(
            pool.map(
                lambda send: request(
                    service, "POST", "/api/v1/url-visits", send[1], token=send[0]
                ),
                sends,
            )
        )

    assert [status for status, _ in answers] == [200] * 20, refusals(answers)
    assert [body["recorded"] for _, body in answers] == [10] * 20
    assert counted(service, RECORDED) == 200
