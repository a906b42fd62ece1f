"""Sign-in's limits hold across gunicorn's workers: a real gunicorn with 4
sync workers on loopback, each request sent to a different worker in turn,
counts one address's attempts once, with the default cache (a table in the
database)."""

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
PASSWORD = "Sup3rSecret!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sign_in_request(*, email: str, password: str, forwarded_for: str) -> bytes:
    body = json.dumps({"email": email, "password": password, "device_id": "d"})
    return (
        "POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nConnection: close\r\n"
        f"X-Forwarded-For: {forwarded_for}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


def read_response(sock: socket.socket) -> tuple[int, dict]:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def in_turn_across_workers(port: int, requests: list[bytes]) -> list[tuple[int, dict]]:
    """Answers to `requests`, sent in rounds of one per worker: a sync worker
    holds a connection it accepted until it has read a request from it, so
    four connections opened together are held by four workers."""
    answers = []
    for start in range(0, len(requests), WORKERS):
        batch = requests[start : start + WORKERS]
        sockets = [
            socket.create_connection(("127.0.0.1", port), timeout=30) for _ in batch
        ]
        time.sleep(0.3)  # Every worker accepts one before any request is sent.
        try:
            for sock, raw in zip(sockets, batch, strict=True):
                sock.sendall(raw)
                answers.append(read_response(sock))
        finally:
            for sock in sockets:
                sock.close()
    return answers


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A server on a migrated SQLite database with max@acme.io, behind one
    trusted proxy (so that X-Forwarded-For names the client), and the PIDs of
    the workers that answered each request in its access log."""
    port = free_port()
    directory = tmp_path_factory.mktemp("workers")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "CACHE_URL"))
    }
    env.update(
        SECRET_KEY="test-only",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        DATABASE_TRANSACTION_POOLER="false",
        SECURE_SSL_REDIRECT="false",
        EMAIL_URL="dummymail://",
        TRUSTED_PROXY_COUNT="1",
        SIGN_IN_LOCKOUT_FAILURES="5",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS="1",
        GUNICORN_ACCESS_LOG=str(directory / "access.log"),
        GUNICORN_CMD_ARGS='--access-logformat "%(p)s %(s)s %(U)s"',
    )
    manage(env, "migrate", "--no-input")
    manage(
        env,
        "shell",
        "-c",
        "from accounts.models import Organization, User; "
        "o = Organization.objects.create(domain_name='acme.io', company_name='Acme'); "
        f"User.objects.create_user('max@acme.io', {PASSWORD!r}, organization=o)",
    )
    log = (directory / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "procure_site.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(
                "gunicorn did not start: "
                + (directory / "server.log").read_text()[-2000:]
            )
        yield port, directory / "access.log"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def sign_ins_per_worker(access_log: Path) -> Counter[str]:
    lines = access_log.read_text().splitlines()
    return Counter(line.split()[0] for line in lines if "/api/v1/auth/sign-in" in line)


def test_it_throttles_one_address_whichever_worker_answers(gunicorn):
    port, access_log = gunicorn
    before = sign_ins_per_worker(access_log)
    # A new email each time, so that only the address's throttle counts
    # (THROTTLE_SIGN_IN_RATE, 10 a minute).
    requests = [
        sign_in_request(
            email=f"guess{n}@acme.io",
            password="Wr0ngPass",
            forwarded_for="198.51.100.1",
        )
        for n in range(15)
    ]

    answers = in_turn_across_workers(port, requests)

    assert [status for status, _ in answers] == [401] * 10 + [429] * 5
    assert answers[10][1]["detail"].startswith("Too many requests. Try again in ")
    served = sign_ins_per_worker(access_log) - before
    assert len(served) == WORKERS, served


def test_it_locks_a_network_out_whichever_worker_answers(gunicorn):
    port, access_log = gunicorn
    before = sign_ins_per_worker(access_log)
    requests = [
        sign_in_request(
            email="max@acme.io", password="Wr0ngPass", forwarded_for="203.0.113.7"
        )
        for _ in range(7)
    ] + [
        sign_in_request(email="max@acme.io", password=PASSWORD, forwarded_for=address)
        for address in ("203.0.113.7", "192.0.2.9")
    ]

    answers = in_turn_across_workers(port, requests)

    # SIGN_IN_LOCKOUT_FAILURES is 5 on this server.
    assert [status for status, _ in answers] == [401] * 5 + [429] * 3 + [200]
    assert answers[5][1]["detail"].startswith(
        "Too many failed sign-ins to this account from your network."
    )
    assert answers[-1][1]["email"] == "max@acme.io"
    served = sign_ins_per_worker(access_log) - before
    assert len(served) == WORKERS, served


def test_it_refuses_to_start_with_a_cache_per_process():
    env = {
        **os.environ,
        "SECRET_KEY": "test-only",
        "CACHE_URL": "locmemcache://procure",
        "DJANGO_SETTINGS_MODULE": "procure_site.settings",
    }

    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert started.returncode != 0
    assert "CACHE_URL must name a cache every worker shares" in started.stderr
