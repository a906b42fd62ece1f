"""What gunicorn refuses before Django sees a request is answered in JSON
too (procure_site/workers.py), tested against a real gunicorn on loopback."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from procure_site.middleware import CHUNKED_BODY
from procure_site.workers import error_response

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_and_body(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers, body


@pytest.fixture(scope="module", params=["1", "2"], ids=["sync", "threads"])
def gunicorn(tmp_path_factory: pytest.TempPathFactory, request) -> Iterator[int]:
    port = free_port()
    database = tmp_path_factory.mktemp("gunicorn") / "db.sqlite3"
    env = {
        **os.environ,
        "SECRET_KEY": "test-only",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        # A run through PgBouncer sets this for PostgreSQL; this server has
        # its own SQLite database.
        "DATABASE_TRANSACTION_POOLER": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": request.param,
        "SECURE_SSL_REDIRECT": "false",
    }
    log = (database.parent / "server.log").open("w")
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
                exchange(port, b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(
                "gunicorn did not start: "
                + (database.parent / "server.log").read_text()[-2000:]
            )
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_it_answers_a_request_line_too_long_in_json(gunicorn: int) -> None:
    raw = b"GET /api/v1/auth/me?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"

    status, headers, body = status_and_body(exchange(gunicorn, raw))

    assert status == 414
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "detail": "The request line is too long. Send a shorter address or query "
        "string.",
        "code": "request_line_too_long",
    }


def test_it_answers_an_invalid_content_length_in_json(gunicorn: int) -> None:
    raw = (
        b"POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: nope\r\n\r\n{}"
    )

    status, headers, body = status_and_body(exchange(gunicorn, raw))

    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["detail"].startswith("The request could not be read")


def test_it_answers_too_many_headers_in_json(gunicorn: int) -> None:
    headers_sent = b"".join(b"X-%d: 1\r\n" % i for i in range(200))
    raw = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + headers_sent + b"\r\n"

    status, headers, body = status_and_body(exchange(gunicorn, raw))

    assert status == 431
    assert headers["Content-Type"] == "application/json"
    assert "headers are too large or too many" in json.loads(body)["detail"]


def test_it_asks_for_a_content_length_instead_of_reading_a_chunked_body_as_empty(
    gunicorn: int,
) -> None:
    body = b'{"email": "ada@acme.io", "password": "x", "device_id": "d"}'
    raw = (
        b"POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    )

    status, headers, answer = status_and_body(exchange(gunicorn, raw))

    # Before, Django read the body as empty, and the API answered that every
    # field was missing from a body that held them all.
    assert status == 411
    assert headers["Content-Type"] == "application/json"
    # gunicorn answers a chunked request in chunks: here one, then the last.
    size, chunk, last = answer.split(b"\r\n", 2)
    assert (int(size, 16), last) == (len(chunk), b"0\r\n\r\n")
    assert json.loads(chunk)["detail"] == CHUNKED_BODY


def test_it_keeps_answering_the_api_as_usual(gunicorn: int) -> None:
    raw = b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n"

    status, _, _ = status_and_body(exchange(gunicorn, raw))

    assert status == 200


def test_it_turns_an_unknown_error_page_into_a_generic_sentence() -> None:
    page = (
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n\r\n<html>"
    )

    status, headers, body = status_and_body(error_response(page))

    assert status == 500
    assert headers["Content-Length"] == str(len(body))
    assert json.loads(body) == {
        "detail": "Something went wrong on our side. Please try again later.",
        "code": "server_error",
    }
