"""Rehearses the cluster of scripts/cluster.py with faults and prints one
table, then the line the issue asks for:

    acknowledged lost: 0; failed in rolling restart: 0; sent more than once: 0;
    throttle shared: yes; 5xx in faults: 0

    python scripts/cluster_rehearsal.py [--seconds 60] [--short]

Steps: (1) the extension's load through HAProxy, then against one node alone;
(2) a node killed with SIGKILL mid-load, its batches retried as the
extension retries them; (3) a rolling restart of every node under load;
(4) the sign-in throttle hit on one node, tried on another; (5) digests,
discovery months and the purge started on two nodes at once, and emails sent
by the db_workers of every node; (6) Redis stopped under load, then started;
(7) the replica stopped while analytics are read. At the end every batch that
was answered 200, in any step, is looked for in the database.

Each batch is one user's visits to every seeded contract on days no other
batch uses, so that the rows it must leave are known (as scripts/fault_ingest.py
does). It runs on a cluster it starts afresh (`cluster.py start`) and stops.
"""

import argparse
import email
import http.client
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster

DOMAIN = "cluster.example"
CONTRACTS = 10
DAYS_PER_BATCH = 5
# Enough members that no two batches share a (user, day): about 30,000
# batches in the short form's reach, 120,000 in the full one's.
USERS = 400
USERS_FULL = 1600
BLOCKS_PER_USER = 395 // DAYS_PER_BATCH
ADMIN_EMAIL = f"admin@{DOMAIN}"
PASSWORD = "Cluster-Pass-2026"  # noqa: S105 - a throwaway account on a throwaway database
WEBHOOK_PORT = 8126


# ---------------------------------------------------------------- receivers


class MailSink(socketserver.ThreadingTCPServer):
    """A minimal SMTP server that keeps each message it is given."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", cluster.SMTP_PORT), _SMTPHandler)
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 rehearsal")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.reply("250 rehearsal")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data)
                message = email.message_from_bytes(b"".join(lines))
                with self.server.lock:  # type: ignore[attr-defined]
                    self.server.messages.append(message)  # type: ignore[attr-defined]
                self.reply("250 kept")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class WebhookReceiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", WEBHOOK_PORT), _WebhookHandler)
        self.bodies: list[dict] = []


class _WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.bodies.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


# ------------------------------------------------------------------- seeding


def django_setup() -> None:
    os.environ.update(cluster.process_environment(1, DATABASE_URL=cluster.PRIMARY_URL))
    os.environ.pop("DATABASE_REPLICA_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "procure_site.settings"
    sys.path.insert(0, str(cluster.ROOT))
    import django

    django.setup()


def seed(users: int) -> dict[str, str]:
    """The organization, its contracts, USERS members with device tokens, a
    verified admin with a webhook, last month's discovery rows and activity
    older than the retention window; the members' device tokens."""
    from django.core.management import call_command

    from accounts.models import Organization, Role, User
    from accounts.services.sessions import device_token_issue
    from alerts.models import NotificationSettings
    from contracts.models import Contract
    from discovery.models import Application, ApplicationUser
    from procure_site import clock
    from url_visits.activity_partitions import activity_partitions_ready
    from url_visits.activity_sql import activity_insert_new

    call_command("create_organization", domain=DOMAIN, company="Cluster Co")
    organization = Organization.objects.get(domain_name=DOMAIN)
    organization.discovery_enabled = True
    organization.discovery_min_users = 2
    organization.member_seats = users + 100
    organization.admin_seats = 3
    organization.save()
    contracts = [
        Contract.objects.create(
            organization=organization,
            vendor_name=f"Tool {n}",
            product_url=f"https://tool{n}.{DOMAIN}",
            vendor_domain=DOMAIN,
            num_seats=50,
            annual_spend=1000,
        )
        for n in range(CONTRACTS)
    ]
    User.objects.create_user(
        email=ADMIN_EMAIL,
        password=PASSWORD,
        organization=organization,
        role=Role.ADMIN,
        email_verified_at=clock.now(),
    )
    NotificationSettings.objects.create(
        organization=organization,
        webhook_url=f"http://127.0.0.1:{WEBHOOK_PORT}/digest",
        reminder_offsets=[],
    )
    tokens = {}
    for n in range(users):
        user = User.objects.create(
            email=f"user{n}@{DOMAIN}",
            organization=organization,
            role=Role.MEMBER,
            email_verified_at=clock.now(),
        )
        tokens[user.email] = device_token_issue(user=user, device_id=f"ext-{n}")
    members = list(User.objects.filter(organization=organization, role=Role.MEMBER)[:6])
    last_month = clock.previous_month(clock.current_month())
    for application in Application.objects.order_by("pk")[:3]:
        ApplicationUser.objects.bulk_create(
            ApplicationUser(
                organization=organization,
                month=last_month,
                application=application,
                user=member,
            )
            for member in members
        )
    old_day = clock.today() - timedelta(days=600)
    activity_partitions_ready(days=[old_day])
    for member in members:
        activity_insert_new(
            user_id=member.pk,
            organization_id=organization.pk,
            first_seen={
                (contracts[0].pk, old_day): (
                    datetime.combine(old_day, day_time(12), UTC),
                    "Chrome",
                )
            },
        )
    return tokens


# ---------------------------------------------------------------------- load


@dataclass
class LoadResult:
    seconds: float = 0.0
    acknowledged: list[tuple[str, list[int]]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)
    retried: int = 0
    # A client that stopped on an error of the rehearsal's own.
    crashed: list[str] = field(default_factory=list)

    @property
    def entries_per_second(self) -> float:
        return len(self.acknowledged) * CONTRACTS * DAYS_PER_BATCH / self.seconds

    @property
    def p99_ms(self) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def server_errors(self) -> int:
        return sum(
            n for status, n in self.failures.items() if str(status).startswith("5")
        )


class Batches:
    """Hands out batches no other batch shares a (user, day) with."""

    def __init__(self, emails: list[str]) -> None:
        self.emails = emails
        self.next = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[str, list[int]]:
        with self.lock:
            index = self.next
            self.next += 1
        if index >= len(self.emails) * BLOCKS_PER_USER:
            raise RuntimeError("out of unique batches: raise USERS")
        block = index // len(self.emails)
        email_address = self.emails[index % len(self.emails)]
        return email_address, [
            1 + block * DAYS_PER_BATCH + i for i in range(DAYS_PER_BATCH)
        ]


def batch_body(days_ago: list[int]) -> bytes:
    today = datetime.now(UTC).date()
    entries = [
        {
            "url": f"https://tool{n}.{DOMAIN}/w?d={days}",
            "timestamp": int(
                datetime.combine(
                    today - timedelta(days=days), day_time(12), UTC
                ).timestamp()
                * 1000
            ),
            "browser": "Chrome",
        }
        for days in days_ago
        for n in range(CONTRACTS)
    ]
    return json.dumps({"entries": entries}).encode()


def post(conn: http.client.HTTPConnection, token: str, body: bytes) -> int:
    conn.request(
        "POST",
        "/api/v1/url-visits",
        body=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    response = conn.getresponse()
    response.read()
    return response.status


def load(
    port: int,
    seconds: float,
    tokens: dict[str, str],
    batches: Batches,
    *,
    retry: bool,
    threads: int = 4,
    during=None,
) -> LoadResult:
    """`threads` clients posting batches to 127.0.0.1:`port` for `seconds`,
    and for as long as `during` (a fault, run beside the load) takes. With
    `retry`, a batch that fails is sent again (after 200 ms, as the extension
    sends it at its next sync) until it is answered 200; every failure is
    counted either way."""
    result = LoadResult()
    lock = threading.Lock()
    finished = threading.Event()

    def client() -> None:
        try:
            send_until_finished()
        except Exception as exc:
            with lock:
                result.crashed.append(repr(exc))

    def send_until_finished() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not finished.is_set():
            email_address, days = batches.take()
            body = batch_body(days)
            while True:
                started = time.monotonic()
                try:
                    status = post(conn, tokens[email_address], body)
                except (OSError, http.client.HTTPException) as exc:
                    status = type(exc).__name__
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    if status == 200:
                        result.latencies.append(time.monotonic() - started)
                        result.acknowledged.append((email_address, days))
                    else:
                        result.failures[status] += 1
                if status == 200 or not retry:
                    break
                with lock:
                    result.retried += 1
                time.sleep(0.2)
        conn.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    if during is not None:
        during()
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    finished.set()
    for worker in workers:
        worker.join()
    result.seconds = time.monotonic() - started
    return result


# ----------------------------------------------------------------- the steps


def request(
    port: int, method: str, path: str, body: dict | None = None, token: str = ""
):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, (json.loads(data) if data else {})


def admin_token() -> str:
    status, body = request(
        cluster.BALANCER_PORT,
        "POST",
        "/api/v1/auth/token",
        {"email": ADMIN_EMAIL, "password": PASSWORD},
    )
    assert status == 200, body
    return body["access"]


def flush_limits() -> None:
    subprocess.run(
        ["redis-cli", "-p", str(cluster.REDIS_PORT), "FLUSHDB"],
        check=True,
        capture_output=True,
    )


def wrong_sign_ins(port: int, count: int) -> list[int]:
    return [
        request(
            port,
            "POST",
            "/api/v1/auth/sign-in",
            {"email": ADMIN_EMAIL, "password": "Wr0ng-guess", "device_id": "d"},
        )[0]
        for _ in range(count)
    ]


def on_two_nodes(command: list[str]) -> list[int]:
    """`manage.py command` started on nodes 1 and 2 at the same moment."""
    processes = [
        subprocess.Popen(
            [cluster.PYTHON, "manage.py", *command],
            cwd=cluster.ROOT,
            env=cluster.process_environment(node),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for node in (1, 2)
    ]
    return [process.wait(timeout=120) for process in processes]


def rolling_restart() -> None:
    for node in cluster.NODE_PORTS:
        cluster.haproxy(f"set server nodes/node{node} state drain")
        # Requests already sent to the node finish; new ones go elsewhere.
        time.sleep(1.0)
        cluster.node_stop(node)
        cluster.node_start(node)
        cluster.haproxy(f"set server nodes/node{node} state ready")
        cluster.balancer_wait(node, "UP")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--short", action="store_true", help="a few seconds a step (CI)"
    )
    options = parser.parse_args()
    seconds = 3.0 if options.short else options.seconds
    step_seconds = seconds if options.short else min(seconds, 30.0)

    cluster.start()
    mail_sink, webhooks = MailSink(), WebhookReceiver()
    for server in (mail_sink, webhooks):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    django_setup()
    tokens = seed(USERS if options.short else USERS_FULL)
    batches = Batches(sorted(tokens))
    rows: list[tuple[str, str]] = []
    acknowledged: list[tuple[str, list[int]]] = []
    faults_5xx = 0

    # 1. Load through the balancer, then against one node alone.
    through = load(cluster.BALANCER_PORT, seconds, tokens, batches, retry=False)
    alone = load(cluster.NODE_PORTS[1], seconds, tokens, batches, retry=False)
    acknowledged += through.acknowledged + alone.acknowledged
    for name, result in (
        ("through HAProxy, 3 nodes", through),
        ("node 1 alone", alone),
    ):
        rows.append(
            (
                f"1. load {name}",
                f"{result.entries_per_second:,.0f} entries/s, "
                f"p99 {result.p99_ms:.0f} ms, {result.failed} errors",
            )
        )

    # 2. A node killed mid-load.
    def kill_node_2() -> None:
        time.sleep(step_seconds / 3)
        cluster.node_stop(2, kill=True)

    killed = load(
        cluster.BALANCER_PORT,
        step_seconds,
        tokens,
        batches,
        retry=True,
        during=kill_node_2,
    )
    acknowledged += killed.acknowledged
    cluster.balancer_wait(2, "DOWN")
    cluster.node_start(2)
    cluster.balancer_wait(2, "UP")
    rows.append(
        (
            "2. node 2 killed (SIGKILL) mid-load",
            f"{len(killed.acknowledged)} batches answered 200, {killed.failed} failed "
            f"attempts ({dict(killed.failures)}) retried; node 2 back UP",
        )
    )

    # 3. Rolling restart under load.
    rolled = load(
        cluster.BALANCER_PORT,
        1.0,
        tokens,
        batches,
        retry=False,
        during=rolling_restart,
    )
    acknowledged += rolled.acknowledged
    rows.append(
        (
            "3. rolling restart of 3 nodes under load",
            f"{len(rolled.acknowledged)} batches answered 200, {rolled.failed} failed",
        )
    )

    # 4. The sign-in throttle and lockout, hit on node 1, hold on node 2.
    flush_limits()
    on_a = wrong_sign_ins(cluster.NODE_PORTS[1], 10)
    on_b = wrong_sign_ins(cluster.NODE_PORTS[2], 1)
    shared = on_a == [401] * 10 and on_b == [429]
    rows.append(
        (
            "4. sign-in throttle: 10 on node 1, then node 2",
            f"node 1 {dict(Counter(on_a))}, node 2 {on_b}: "
            f"{'shared' if shared else 'NOT shared'}",
        )
    )
    flush_limits()

    # 5. Exactly once, on two nodes at the same moment.
    from accounts.models import Role, User
    from audit.models import AuditEvent
    from discovery.models import ApplicationMonth, ApplicationUser
    from url_visits.models import Activity

    digest_exits = on_two_nodes(["send_digests"])
    discovery_exits = on_two_nodes(["close_discovery_months"])
    purge_exits = on_two_nodes(["purge_activity", "--older-than-days", "500"])
    token = admin_token()
    invited = [f"new{n}@{DOMAIN}" for n in range(12)]
    for address in invited:
        status, body = request(
            cluster.BALANCER_PORT,
            "POST",
            f"/api/v1/organizations/{User.objects.get(email=ADMIN_EMAIL).organization.public_id}/invitations",
            {"email": address, "role": Role.MEMBER},
            token,
        )
        assert status == 201, body
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with mail_sink.lock:
            recipients = Counter(m["To"] for m in mail_sink.messages)
        if all(recipients[address] >= 1 for address in invited):
            break
        time.sleep(0.5)
    time.sleep(2)  # time for a second sending, if anything sent twice
    prune_exits = on_two_nodes(["prune_db_task_results", "--min-age-days", "0"])
    with mail_sink.lock:
        subjects = Counter((m["To"], m["Subject"]) for m in mail_sink.messages)
        recipients = Counter(m["To"] for m in mail_sink.messages)
    digests_emailed = sum(
        n for (to, s), n in subjects.items() if s.startswith("proCure digest")
    )
    digest_bodies = len(webhooks.bodies)
    invitations_once = all(recipients[address] == 1 for address in invited)
    twice = (
        max(0, digests_emailed - 1)
        + max(0, digest_bodies - 1)
        + sum(n - 1 for n in subjects.values() if n > 1)
    )
    months = ApplicationMonth.objects.filter(organization__domain_name=DOMAIN).count()
    left = ApplicationUser.objects.filter(organization__domain_name=DOMAIN).count()
    old = Activity.objects.filter(
        organization__domain_name=DOMAIN,
        day__lt=datetime.now(UTC).date() - timedelta(days=500),
    ).count()
    purges = AuditEvent.objects.filter(action="activity.purged").count()
    from django_tasks_db.models import DBTaskResult

    task_results = DBTaskResult.objects.filter(status="SUCCESSFUL").count()
    rows.append(
        (
            "5. send_digests on 2 nodes at once",
            f"exits {digest_exits}; digest emails {digests_emailed}, webhook bodies "
            f"{digest_bodies} (1 each expected)",
        )
    )
    rows.append(
        (
            "5. close_discovery_months on 2 nodes",
            f"exits {discovery_exits}; {months} monthly counts, "
            f"{left} per-person rows left",
        )
    )
    rows.append(
        (
            "5. purge_activity on 2 nodes",
            f"exits {purge_exits}; {old} rows past the window left, "
            f"{purges} purge audited",
        )
    )
    rows.append(
        (
            "5. prune_db_task_results on 2 nodes",
            f"exits {prune_exits}; {task_results} finished task results left",
        )
    )
    rows.append(
        (
            "5. 12 invitations, a db_worker on every node",
            f"{len(invited)} invitees emailed, "
            f"{'each once' if invitations_once else 'NOT each once'}",
        )
    )

    # 6. Redis down under load and sign-ins, then back.
    def redis_outage() -> None:
        cluster.redis_stop()

    outage = load(
        cluster.BALANCER_PORT,
        step_seconds,
        tokens,
        batches,
        retry=False,
        during=redis_outage,
    )
    acknowledged += outage.acknowledged
    signins_down = wrong_sign_ins(cluster.BALANCER_PORT, 12)
    cluster.redis_start()
    time.sleep(1)
    signins_back = wrong_sign_ins(cluster.NODE_PORTS[3], 11)
    flush_limits()
    redis_5xx = outage.server_errors + sum(1 for s in signins_down if s >= 500)
    faults_5xx += redis_5xx
    rows.append(
        (
            "6. Redis stopped under load, then started",
            f"{len(outage.acknowledged)} batches 200, {outage.failed} failed, sign-ins "
            f"while down {dict(Counter(signins_down))} (fail open), after it is back "
            f"{dict(Counter(signins_back))}",
        )
    )

    # 7. The replica down while analytics are read.
    organization_id = User.objects.get(email=ADMIN_EMAIL).organization.public_id
    cluster.replica_stop()
    token = admin_token()
    statuses = [
        request(
            cluster.BALANCER_PORT,
            "GET",
            f"/api/v1/organizations/{organization_id}/contract-usage",
            token=token,
        )[0]
        for _ in range(10)
    ]
    cluster.replica_start()
    faults_5xx += sum(1 for s in statuses if s >= 500)
    rows.append(
        (
            "7. replica stopped, contract-usage read",
            f"statuses {dict(Counter(statuses))}",
        )
    )

    # Every batch answered 200 in any step, looked for in the database.
    from django.db.models import Count

    today = datetime.now(UTC).date()
    found = {
        (row["user__email"], row["day"]): row["n"]
        for row in Activity.objects.filter(organization__domain_name=DOMAIN)
        .values("user__email", "day")
        .annotate(n=Count("*"))
    }
    lost = sum(
        1
        for email_address, days in acknowledged
        if any(
            found.get((email_address, today - timedelta(days=d)), 0) < CONTRACTS
            for d in days
        )
    )
    rows.append(
        ("acknowledged batches, all steps", f"{len(acknowledged)}, {lost} not found")
    )

    width = max(len(step) for step, _ in rows)
    print()
    print(f"{'step'.ljust(width)} | result")
    print(f"{'-' * width}-|-{'-' * 60}")
    for step, result in rows:
        print(f"{step.ljust(width)} | {result}")
    print()
    summary = (
        f"acknowledged lost: {lost}; failed in rolling restart: {rolled.failed}; "
        f"sent more than once: {twice}; throttle shared: {'yes' if shared else 'no'}; "
        f"5xx in faults: {faults_5xx}"
    )
    print(summary)
    cluster.stop_all()
    loads = (through, alone, killed, rolled, outage)
    crashed = [error for result in loads for error in result.crashed]
    if crashed:
        print(f"The load's clients stopped on: {sorted(set(crashed))}")
    ok = (
        not crashed
        and all(result.acknowledged for result in loads)
        and lost == 0
        and rolled.failed == 0
        and twice == 0
        and shared
        and faults_5xx == 0
        and set(digest_exits + discovery_exits + purge_exits + prune_exits) == {0}
        and months > 0
        and left == 0
        and old == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
