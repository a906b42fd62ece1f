"""proCure as a cluster on this machine, with the real engines, on loopback:

    HAProxy 127.0.0.1:8100 → gunicorn nodes 127.0.0.1:8101, 8102, 8103
    each node: its own environment (DIR/nodeN.env) and a db_worker
    PgBouncer 127.0.0.1:6432 (transaction mode) → PostgreSQL 127.0.0.1:5432
    the primary's streaming replica 127.0.0.1:5433, for analytics
    Redis 127.0.0.1:6390 (the cluster's own, so that it can be stopped)

    python scripts/cluster.py start|stop|status   (scripts/cluster.sh)

Run as root (PgBouncer, the replica and HAProxy's package). `start` makes the
database procure_cluster afresh and migrates it; `stop` stops what `start`
started here and leaves the machine's PostgreSQL, its replica and PgBouncer
running, as the test suite uses them too. docs/deploy.md describes the same
layout on real hosts. The functions are also what cluster_rehearsal.py
drives: one node stopped, killed or restarted at a time, Redis and the
replica stopped and started.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DIR = Path(os.environ.get("CLUSTER_DIR", "/tmp/procure-cluster"))
NODES = int(os.environ.get("CLUSTER_NODES", "3"))
BALANCER_PORT = 8100
NODE_PORTS = {n: 8100 + n for n in range(1, NODES + 1)}
REDIS_PORT = 6390
DATABASE = "procure_cluster"
PRIMARY_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
POOLED_URL = f"postgres://postgres@127.0.0.1:6432/{DATABASE}"
REPLICA_URL = f"postgres://postgres@127.0.0.1:5433/{DATABASE}"
REPLICA_DIR = "/tmp/procure-replica"
PG_BIN = "/usr/lib/postgresql/15/bin"
# The rehearsal's mail sink (SMTP) and webhook receiver listen here.
SMTP_PORT = 8125
BALANCER = f"http://127.0.0.1:{BALANCER_PORT}"


def say(text: str) -> None:
    print(f"cluster: {text}", flush=True)


def fail(text: str) -> None:
    sys.exit(f"cluster: {text}")


def run(command: list[str], **kwargs: object) -> str:
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode != 0:
        fail(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def secret_key() -> str:
    """One SECRET_KEY for every node (signed links work on any of them)."""
    path = DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text()


def node_environment(node: int) -> dict[str, str]:
    """What a deployment would put in node `node`'s environment file."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": POOLED_URL,
        "DATABASE_TRANSACTION_POOLER": "true",
        "DATABASE_REPLICA_URL": REPLICA_URL,
        "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "TASKS_BACKEND": "database",
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "EMAIL_TIMEOUT": "5",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        # HAProxy adds X-Forwarded-For; loopback has no TLS to redirect to.
        "TRUSTED_PROXY_COUNT": "1",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "GUNICORN_BIND": f"127.0.0.1:{NODE_PORTS[node]}",
        "WEB_CONCURRENCY": os.environ.get("CLUSTER_WORKERS", "2"),
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "WARNING",
    }


def process_environment(node: int, **overrides: str) -> dict[str, str]:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CACHE_", "EMAIL_", "GUNICORN_"))
    }
    return {**keep, **node_environment(node), **overrides}


def pid_of(name: str) -> int | None:
    path = DIR / f"{name}.pid"
    if not path.exists():
        return None
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return None
    return pid


def spawn(name: str, command: list[str], env: dict[str, str]) -> int:
    log = (DIR / f"{name}.log").open("a")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (DIR / f"{name}.pid").write_text(str(process.pid))
    return process.pid


def stop(name: str, *, kill: bool = False, wait: float = 30.0) -> None:
    """Stops a process group started here: SIGTERM (gunicorn finishes the
    requests it has, then exits) or, with `kill`, SIGKILL at once."""
    pid = pid_of(name)
    if pid is None:
        return
    sig = signal.SIGKILL if kill else signal.SIGTERM
    try:
        # The node's gunicorn master and its workers, as one group.
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            waited, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            waited = 0
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
        if waited == pid:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    (DIR / f"{name}.pid").unlink(missing_ok=True)


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_for(check, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    fail(f"{what} did not happen within {seconds:.0f} s")


def node_start(node: int) -> None:
    env = process_environment(node)
    spawn(
        f"node{node}",
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "procure_site.wsgi"],
        env,
    )
    if pid_of(f"worker{node}") is None:
        spawn(f"worker{node}", [PYTHON, "manage.py", "db_worker"], env)
    url = f"http://127.0.0.1:{NODE_PORTS[node]}/readyz"
    wait_for(lambda: answers(url), f"node {node} answering /readyz")


def node_stop(node: int, *, kill: bool = False) -> None:
    stop(f"node{node}", kill=kill)


def haproxy(command: str) -> str:
    """One command on HAProxy's admin socket, e.g. "show servers state"."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(DIR / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def balancer_states() -> dict[str, str]:
    """node name → UP, DOWN, DRAIN or MAINT, as HAProxy sees it."""
    states = {}
    for line in haproxy("show stat").splitlines():
        fields = line.split(",")
        if len(fields) > 17 and fields[0] == "nodes" and fields[1].startswith("node"):
            states[fields[1]] = fields[17]
    return states


def balancer_wait(node: int, state: str, seconds: float = 30.0) -> None:
    wait_for(
        lambda: balancer_states().get(f"node{node}", "").startswith(state),
        f"HAProxy seeing node {node} {state}",
        seconds,
    )


def haproxy_config() -> str:
    servers = "\n".join(
        f"    server node{n} 127.0.0.1:{port} check" for n, port in NODE_PORTS.items()
    )
    return f"""global
    stats socket {DIR}/haproxy.sock mode 600 level admin
    maxconn 4000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    option forwardfor
    option redispatch
    retries 2

frontend procure
    bind 127.0.0.1:{BALANCER_PORT}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{servers}
"""


def haproxy_start() -> None:
    if shutil.which("haproxy") is None:
        say("installing Debian's haproxy…")
        run(["apt-get", "install", "-y", "-qq", "haproxy"])
    config = DIR / "haproxy.cfg"
    config.write_text(haproxy_config())
    run(["haproxy", "-c", "-f", str(config)])
    run(["haproxy", "-D", "-f", str(config), "-p", str(DIR / "haproxy.pid")])


def redis_start() -> None:
    if pid_of("redis") is not None:
        return
    run(
        [
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(DIR / "redis.pid"),
            "--logfile",
            str(DIR / "redis.log"),
        ]
    )
    wait_for(lambda: pid_of("redis") is not None, "Redis starting", 10)


def redis_stop() -> None:
    stop("redis")


def replica_stop() -> None:
    run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            f"{PG_BIN}/pg_ctl",
            "-D",
            REPLICA_DIR,
            "-m",
            "fast",
            "-w",
            "stop",
        ]
    )


def replica_start() -> None:
    run([str(ROOT / "scripts" / "start_replica.sh")])


def database_create() -> None:
    psql = ["psql", "-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"]
    run([*psql, "-c", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"])
    run([*psql, "-c", f"CREATE DATABASE {DATABASE}"])
    run(
        [PYTHON, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env=process_environment(1, DATABASE_URL=PRIMARY_URL),
    )


def start() -> None:
    if os.geteuid() != 0:
        fail("run as root: PgBouncer, the replica and HAProxy's package need it.")
    DIR.mkdir(parents=True, exist_ok=True)
    for node in NODE_PORTS:
        (DIR / f"node{node}.env").write_text(
            "".join(f"{key}={value}\n" for key, value in node_environment(node).items())
        )
        (DIR / f"node{node}.env").chmod(0o600)
    say("the replica and PgBouncer (scripts/start_replica.sh, start_pgbouncer.sh)…")
    replica_start()
    run([str(ROOT / "scripts" / "start_pgbouncer.sh")])
    say(f"Redis on {REDIS_PORT}…")
    redis_start()
    say(f"database {DATABASE}, migrated on the primary…")
    database_create()
    for node in NODE_PORTS:
        say(f"node {node} on {NODE_PORTS[node]} with its db_worker…")
        node_start(node)
    say(f"HAProxy on {BALANCER_PORT}…")
    haproxy_start()
    for node in NODE_PORTS:
        balancer_wait(node, "UP")
    say(f"up: {BALANCER} in front of {len(NODE_PORTS)} nodes.")


def stop_all() -> None:
    stop("haproxy")
    for node in NODE_PORTS:
        node_stop(node)
        stop(f"worker{node}")
    redis_stop()
    say("stopped HAProxy, the nodes, their workers and the cluster's Redis.")


def status() -> int:
    rows = [
        ("HAProxy", pid_of("haproxy") is not None and answers(f"{BALANCER}/healthz"))
    ]
    for node, port in NODE_PORTS.items():
        rows.append((f"node {node}", answers(f"http://127.0.0.1:{port}/readyz")))
        rows.append((f"db_worker {node}", pid_of(f"worker{node}") is not None))
    rows.append(("Redis", pid_of("redis") is not None))
    replica = subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5433"], check=False
    )
    rows.append(("replica", replica.returncode == 0))
    for name, up in rows:
        print(f"{name:<12} {'up' if up else 'down'}")
    return 0 if all(up for _, up in rows) else 1


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "start":
        start()
        return 0
    if command == "stop":
        stop_all()
        return 0
    if command == "status":
        return status()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
