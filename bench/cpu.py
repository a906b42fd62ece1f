"""CPU time per request, in one process: the steady figure behind the load.

The load figures of `python -m bench` move with whatever else the shared
machine is doing. This measures what one request costs instead: the quick
benchmark database (seeded if it is missing), Django's WSGI handler called
directly with the same requests gunicorn would hand it (the same batches of
100 entries as the load, signed with the devices' tokens in turn, and
`GET /healthz`), and the CPU time of this process and of its PostgreSQL
backend over a few hundred requests of each, after a warm-up.

    .venv/bin/python -m bench.cpu [--requests 600] [--discovery]

It prints milliseconds of CPU per request, split between Python and
PostgreSQL, and the share of the floor those costs allow: healthz's CPU over
url-visits' (what ingestion / floor would be on a machine where CPU alone
bounds both, without the HTTP and load-generator costs both share).

`--discovery` measures shadow-IT discovery's cost instead: one in ten of
the hosts outside the contracts is a catalog application, as in `python -m
bench --discovery`, and each device always sends the same batch, so that,
as in the field, a person's applications repeat. Rounds alternate between
discovery off, on with every batch writing its applications (the month's
discovery rows and the workers' memo cleared first: a month's first sync of
every device, the worst case) and on again over the same batches (every
later sync of the month), and the cost of each is printed as the share of
throughput it takes: 1 - CPU off / CPU on.
"""

import argparse
import io
import itertools
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


def _bodies(
    hosts: list[str], count: int, size: int, saas_hosts: list[str] | None = None
) -> list[bytes]:
    """Batches shaped like the load's: about 30% of entries on contract
    hosts, timestamps within the last day; with `saas_hosts`, one in ten of
    the others on a catalog application."""
    rng = random.Random(7)
    unmatched = catalog.unmatched_hosts(count=20_000)
    if saas_hosts:
        unmatched = unmatched[:18_000] + [
            saas_hosts[i % len(saas_hosts)] for i in range(2_000)
        ]
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
    parser.add_argument(
        "--discovery", action="store_true", help="measure discovery's cost instead"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="the full benchmark database instead of the quick one: its 10,000 "
        "devices each send one batch, a first sync of the day, as in the load",
    )
    args = parser.parse_args(argv)
    database_url = seed.DEFAULT_DATABASE if args.full else QUICK_DATABASE
    shape = seed.FULL if args.full else seed.QUICK

    os.environ.update(production_environment(database_url=database_url, workers=None))
    # One connection, and one PostgreSQL backend to measure, for the whole run.
    os.environ["DB_CONN_MAX_AGE"] = str(24 * 60 * 60)
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.targets import seeded_contract_hosts

    seeded = seed.prepare(database_url=database_url, shape=shape, reseed=False)
    tokens = [token for org in seeded.organizations for token in org.device_tokens]
    if args.full:
        # Devices in a random order, each last seen two hours ago, as the
        # load finds them: every request is a device's first of the run.
        random.Random(time.time_ns()).shuffle(tokens)
        seed.devices_last_synced(hours_ago=2)
    if args.discovery:
        from bench.run import saas_hosts

        # One batch per device, always the same.
        bodies = _bodies(
            seeded_contract_hosts(seed.QUICK), len(tokens), 100, saas_hosts()
        )
    else:
        bodies = _bodies(seeded_contract_hosts(shape), 500, 100)
    application = WSGIHandler()

    sent = itertools.count()

    def visits(index: int) -> dict:
        # With --full, every request comes from a device that has not sent
        # yet in this run; otherwise each round replays the same devices.
        if args.full:
            index = next(sent)
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
    if args.discovery:
        _discovery_rounds(application, visits, backend, args, len(tokens))
        return
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


def _discovery_rounds(
    application: Callable,
    visits: Callable[[int], dict],
    backend: psutil.Process,
    args: argparse.Namespace,
    devices: int,
) -> None:
    from accounts.models import Organization
    from discovery import services
    from discovery.models import ApplicationUser

    requests = max(devices, args.requests // devices * devices)

    def fresh_month() -> None:
        ApplicationUser.objects.all().delete()
        services._recently_recorded.clear()

    def total(figures: tuple[float, float, float]) -> float:
        return figures[0] + figures[1]

    rows = []
    try:
        Organization.objects.update(discovery_enabled=False)
        _measure(application, visits, devices, backend)
        for _ in range(args.rounds):
            Organization.objects.update(discovery_enabled=False)
            off = _measure(application, visits, requests, backend)
            Organization.objects.update(discovery_enabled=True)
            fresh_month()
            first = _measure(application, visits, devices, backend)
            later = _measure(application, visits, requests, backend)
            rows.append((off, first, later))
    finally:
        Organization.objects.update(discovery_enabled=False)
        fresh_month()
    print(
        f"Discovery's CPU per request, {args.rounds} rounds of {requests} url-visits "
        f"(batches of 100, {devices} devices, one in ten non-contract hosts on a "
        "catalog application), in one process, Python + PostgreSQL:"
    )
    print(
        f"(the first sync is one request of each of the {devices} devices, the "
        "later syncs all the requests again)"
    )
    print("round  off        on, first sync  cost    on, later syncs  cost")
    for number, (off, first, later) in enumerate(rows, start=1):
        print(
            f"{number:5}  {total(off):6.2f} ms  {total(first):9.2f} ms  "
            f"{100 * (1 - total(off) / total(first)):5.1f}%  "
            f"{total(later):10.2f} ms  {100 * (1 - total(off) / total(later)):5.1f}%"
        )


if __name__ == "__main__":
    main()
