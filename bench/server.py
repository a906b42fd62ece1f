"""The service under test: gunicorn with the production settings, on loopback,
and what its workers and their database backends use while the load runs."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(*, database_url: str, workers: int | None) -> dict:
    """The environment a deployment sets: DEBUG off, a secret key, the
    database. Only HTTPS redirection is off, since there is no TLS proxy in
    front of the service here."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_"))
    }
    env.update(
        DEBUG="false",
        SECRET_KEY="benchmark-only-secret-key-not-used-anywhere-else-0123456789",  # noqa: S106
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="procure_site.settings",
        LOG_LEVEL="WARNING",
    )
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py procure_site.wsgi` on 127.0.0.1."""

    def __init__(self, *, env: dict, log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self._log_path = log_path
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, *, ready_timeout: float = 60.0) -> None:
        log = self._log_path.open("ab")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "procure_site.wsgi",
            ],
            cwd=ROOT,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self._process.returncode}; "
                    f"see {self._log_path}"
                )
            if self._healthy() and len(self.worker_pids()) >= self.expected_workers:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn did not answer /healthz within {ready_timeout:.0f}s; "
            f"see {self._log_path}"
        )

    @property
    def expected_workers(self) -> int:
        return int(self._env.get("WEB_CONCURRENCY", "1"))

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("gunicorn has not been started.")
        return self._process.pid

    def _healthy(self) -> bool:
        try:
            # Always http://127.0.0.1:<port>, built above.
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as r:  # noqa: S310
                return r.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def worker_pids(self) -> list[int]:
        try:
            return [child.pid for child in psutil.Process(self.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def stop(self, *, timeout: float = 30.0) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)


def _peak_rss_bytes(pid: int) -> int | None:
    """VmHWM, the most resident memory the process ever had."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class WorkerMemory:
    """Peak resident memory of each gunicorn worker, sampled in the
    background so that a worker recycled by max_requests still counts."""

    def __init__(self, server: Gunicorn, *, interval: float = 0.5) -> None:
        self._server = server
        self._interval = interval
        self._peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WorkerMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()

    def _sample(self) -> None:
        for pid in self._server.worker_pids():
            peak = _peak_rss_bytes(pid)
            if peak is not None:
                self._peaks[pid] = max(peak, self._peaks.get(pid, 0))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def peaks_mb(self) -> list[float]:
        return sorted(
            (round(peak / 1_048_576, 1) for peak in self._peaks.values()),
            reverse=True,
        )


def current_rss_mb(pids: list[int]) -> list[float]:
    found = []
    for pid in pids:
        try:
            found.append(round(psutil.Process(pid).memory_info().rss / 1_048_576, 1))
        except psutil.NoSuchProcess:
            continue
    return sorted(found, reverse=True)


@dataclass(frozen=True)
class CpuSnapshot:
    per_process: dict[int, float]
    # The PostgreSQL backends among them.
    postgres: frozenset[int]


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def service_processes(server: Gunicorn, database: str) -> list[psutil.Process]:
    """The gunicorn workers and the PostgreSQL backends connected to the
    benchmark database (their command line names it)."""
    processes = []
    for pid in server.worker_pids():
        try:
            processes.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if process.info["name"] == "postgres" and f" {database} " in f"{cmdline} ":
            processes.append(process)
    return processes


def cpu_snapshot(server: Gunicorn, database: str) -> CpuSnapshot:
    seconds = {}
    workers = set(server.worker_pids())
    for process in service_processes(server, database):
        try:
            seconds[process.pid] = _cpu_seconds(process)
        except psutil.NoSuchProcess:
            continue
    return CpuSnapshot(per_process=seconds, postgres=frozenset(set(seconds) - workers))


def cpu_seconds_between(
    before: CpuSnapshot, after: CpuSnapshot, *, postgres: bool | None = None
) -> float:
    """CPU time the service spent between two snapshots, all of it or only
    PostgreSQL's (True) or gunicorn's (False); a process that appeared in
    between counts from zero."""
    return sum(
        seconds - before.per_process.get(pid, 0.0)
        for pid, seconds in after.per_process.items()
        if postgres is None or (pid in after.postgres) == postgres
    )
