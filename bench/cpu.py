"""CPU time per request, in one process: the steady figure behind the load.

The load figures of `python -m bench` move with whatever else the shared
machine is doing. This measures what one request costs instead: the quick
benchmark database (seeded if it is missing), Django's WSGI handler called
directly with the same requests gunicorn would hand it (the same batches of
100 entries as the load, signed with the devices' tokens in turn, and
`GET /healthz`), and the CPU time of this process and of its PostgreSQL
backend over a few hundred requests of each, after a warm-up.

    .venv/bin/python -m bench.cpu [--requests 600]

It prints milliseconds of CPU per request, split between Python and
PostgreSQL, and the share of the floor those costs allow: healthz's CPU over
url-visits' (what ingestion / floor would be on a machine where CPU alone
bounds both, without the HTTP and load-generator costs both share).
"""

import argparse
import io
import json
import os
import random
import sys
import time
from collections.abc import Callable

import psutil

from bench import catalog, seed
from bench.server import production_environment

QUICK_DATABASE = seed.DEFAULT_DATABASE + "_quick"
_PATHS = ("", "home", "dashboard", "inbox", "settings/profile", "search?q=report")
_BROWSERS = ("Chrome", "Chrome", "Chrome", "Edge")
_HOUR_MS = 60 * 60 * 1000
_DAY_MS = 24 * _HOUR_MS


def _bodies(hosts: list[str], count: int, size: int) -> list[bytes]:
    """Batches shaped like the load's: about 30% of entries on contract
    hosts, timestamps within the last day."""
    rng = random.Random(7)
    unmatched = catalog.unmatched_hosts(count=20_000)
    now_ms = int(time.time() * 1000)
    bodies = []
    for _ in range(count):
        entries = [
            {
                "url": "https://"
                + rng.choice(hosts if rng.random() < 0.3 else unmatched)
                + "/"
                + rng.choice(_PATHS),
                "timestamp": now_ms - rng.randrange(_HOUR_MS, _DAY_MS),
                "browser": rng.choice(_BROWSERS),
            }
            for _ in range(size)
        ]
        bodies.append(json.dumps({"entries": entries}, separators=(",", ":")).encode())
    return bodies


def _environ(method: str, path: str, body: bytes = b"", token: str = "") -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


def _measure(
    application: Callable, environs: Callable[[int], dict], count: int, backend
) -> tuple[float, float, float]:
    """(Python CPU ms, PostgreSQL CPU ms, wall ms) per request."""
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info=None) -> None:
        statuses.append(status)

    def cpu_of(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    python_before, backend_before = time.process_time(), cpu_of(backend)
    wall_before = time.perf_counter()
    for index in range(count):
        response = application(environs(index), start_response)
        b"".join(response)
        response.close()
    wall = time.perf_counter() - wall_before
    python = time.process_time() - python_before
    database = cpu_of(backend) - backend_before
    refused = [status for status in statuses if not status.startswith("200")]
    if refused:
        raise SystemExit(f"{len(refused)} requests were not answered 200: {refused[0]}")
    return python * 1000 / count, database * 1000 / count, wall * 1000 / count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cpu", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.update(production_environment(database_url=QUICK_DATABASE, workers=None))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.targets import seeded_contract_hosts

    seeded = seed.prepare(database_url=QUICK_DATABASE, shape=seed.QUICK, reseed=False)
    tokens = [token for org in seeded.organizations for token in org.device_tokens]
    bodies = _bodies(seeded_contract_hosts(seed.QUICK), 500, 100)
    application = WSGIHandler()

    def visits(index: int) -> dict:
        return _environ(
            "POST",
            "/api/v1/url-visits",
            bodies[index % len(bodies)],
            tokens[index % len(tokens)],
        )

    def health(_index: int) -> dict:
        return _environ("GET", "/healthz")

    connection.ensure_connection()
    backend = psutil.Process(connection.connection.info.backend_pid)
    _measure(application, visits, 100, backend)
    _measure(application, health, 200, backend)
    rows = []
    for _ in range(args.rounds):
        visit = _measure(application, visits, args.requests, backend)
        floor = _measure(application, health, args.requests * 3, backend)
        rows.append((visit, floor))
    print(f"CPU per request, {args.rounds} rounds of {args.requests} url-visits")
    print("(batches of 100) and 3x as many GET /healthz, in one process:")
    print("round  url-visits python  postgres  wall   healthz python  share")
    for number, (visit, floor) in enumerate(rows, start=1):
        share = 100 * (floor[0] + floor[1]) / (visit[0] + visit[1])
        print(
            f"{number:5}  {visit[0]:13.2f} ms {visit[1]:6.2f} ms {visit[2]:5.2f} ms"
            f"  {floor[0]:11.3f} ms  {share:4.1f}%"
        )


if __name__ == "__main__":
    main()
