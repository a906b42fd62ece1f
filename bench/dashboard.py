"""The admin's side: sign in, then time the analytics endpoints one request
at a time, as a person opening the dashboard does."""

import http.client
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from bench import reports
from bench.errors import HarnessError


class Client:
    """A keep-alive HTTP client for one base URL."""

    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        connection_class = (
            http.client.HTTPSConnection
            if parts.scheme == "https"
            else http.client.HTTPConnection
        )
        self._connect = lambda: connection_class(parts.netloc, timeout=timeout)
        self._prefix = parts.path.rstrip("/")
        self._connection = self._connect()
        self.authorization: str | None = None

    def request(
        self, method: str, path: str, body: dict | None = None
    ) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        if self.authorization:
            headers["Authorization"] = self.authorization
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self._connection.request(
                    method, self._prefix + path, body=payload, headers=headers
                )
                response = self._connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                # gunicorn's sync workers close the connection after each
                # response; open a new one and try once more.
                self._connection.close()
                self._connection = self._connect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, body: dict | None = None) -> dict:
        status, content = self.request(method, path, body)
        if status != 200:
            detail = content[:200].decode(errors="replace")
            raise HarnessError(f"{method} {path} answered {status}: {detail}")
        return json.loads(content)

    def close(self) -> None:
        self._connection.close()


def sign_in(client: Client, *, email: str, password: str) -> str:
    """Signs the client in with a JWT; returns the admin's organization id."""
    tokens = client.json(
        "POST", "/api/v1/auth/token", {"email": email, "password": password}
    )
    client.authorization = f"Bearer {tokens['access']}"
    me = client.json("GET", "/api/v1/auth/me")
    if not me.get("organization_id"):
        raise HarnessError(f"{email} belongs to no organization.")
    return me["organization_id"]


def _previous_month() -> str:
    today = datetime.now(UTC).date()
    year, month = (
        (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    )
    return f"{year:04d}-{month:02d}"


def analytics_paths(organization_id: str) -> dict[str, str]:
    """The endpoints measured, by name. Contract usage is read for the last
    complete month, the fullest one."""
    base = f"/api/v1/organizations/{organization_id}"
    return {
        "contract-usage": f"{base}/contract-usage?month={_previous_month()}",
        "usage-trend": f"{base}/usage-trend?months=12",
        "inactive-users": f"{base}/inactive-users?days=30",
        "renewals": f"{base}/renewals?within_days=90",
        "spend-by-department": (
            f"{base}/spend-by-department?month={_previous_month()}"
        ),
    }


@dataclass
class Timings:
    latencies_ms: list[float]
    errors: int
    seconds: float
    last_error: str | None = None


def time_endpoint(
    client: Client, path: str, *, repeats: int, warmup: int, time_limit: float
) -> Timings:
    """`repeats` sequential GETs after `warmup` unrecorded ones, stopping
    early when `time_limit` seconds have gone by."""
    for _ in range(warmup):
        client.request("GET", path)
    latencies: list[float] = []
    errors = 0
    last_error = None
    started = time.monotonic()
    for _ in range(repeats):
        if time.monotonic() - started > time_limit:
            break
        sent = time.perf_counter()
        status, content = client.request("GET", path)
        elapsed = (time.perf_counter() - sent) * 1000
        if status == 200:
            latencies.append(elapsed)
        else:
            errors += 1
            last_error = f"HTTP {status}: {content[:200].decode(errors='replace')}"
    return Timings(
        latencies_ms=latencies,
        errors=errors,
        seconds=time.monotonic() - started,
        last_error=last_error,
    )


def analytics_figures(
    client: Client, organization_id: str, *, repeats: int, time_limit: float
) -> dict:
    """Each analytics endpoint timed in turn, by name."""
    figures = {}
    for name, path in analytics_paths(organization_id).items():
        timings = time_endpoint(
            client, path, repeats=repeats, warmup=2, time_limit=time_limit
        )
        if not timings.latencies_ms:
            raise HarnessError(f"{name} never answered 200 ({timings.last_error}).")
        figures[name] = {
            "requests": len(timings.latencies_ms) + timings.errors,
            "errors": timings.errors,
            "requests_per_s": round(
                len(timings.latencies_ms) / max(timings.seconds, 1e-6), 1
            ),
            **reports.latency_figures(timings.latencies_ms),
        }
    return figures
