"""The service under test: gunicorn with the production settings, on loopback.
What it uses while the load runs is measured in bench/resources.py."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
        # No email is sent by the benchmark; consolemail:// is refused.
        EMAIL_URL="dummymail://",
        # gunicorn.conf.py restarts a worker after about 5,000 requests. That
        # count is reached at about the same moment of every run, so all the
        # restarts (a worker boot and cold caches each) fell in one phase,
        # the first with discovery on, and were read as discovery's cost.
        # The benchmark measures without them.
        GUNICORN_MAX_REQUESTS="0",
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
