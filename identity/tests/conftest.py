"""A real OpenID Connect provider for the sign-in tests: panva's
oidc-provider (OpenID Certified) from scripts/oidc_provider, run with the
machine's Node.js on a free loopback port. Any login is accepted on its
login page and is the person's address ("unverified…" addresses come with
email_verified false)."""

import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "scripts" / "oidc_provider"
REQUIRED = os.environ.get("REQUIRE_BROWSER_TESTS") == "true"
MISSING = (
    "OpenID sign-in tests skipped: they need Node.js and the test provider "
    "(npm ci --prefix scripts/oidc_provider), then run make test again."
)


@dataclass(frozen=True)
class TestProvider:
    issuer: str
    callbacks: tuple[str, ...]

    def client(self, client_id: str) -> dict:
        return {
            "client_id": client_id,
            "client_secret": f"{client_id}-secret",
            "redirect_uris": list(self.callbacks),
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    if (
        shutil.which("node") is None
        or not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists()
    ):
        if REQUIRED:
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    callbacks = (
        f"{live_server.url}/account/sso/callback",
        "http://testserver/account/sso/callback",
    )
    port = _free_port()
    provider = TestProvider(issuer=f"http://127.0.0.1:{port}", callbacks=callbacks)
    clients = [
        provider.client(name) for name in ("procure-acme", "other-app", "procure-staff")
    ]
    process = subprocess.Popen(
        ["node", "server.mjs", str(port), json.dumps(clients)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("ready "):
            break
        if process.poll() is not None:
            pytest.fail("The test OpenID provider exited before it was ready.")
    else:
        process.kill()
        pytest.fail("The test OpenID provider was not ready within 30 s.")
    yield provider
    process.terminate()
    process.wait(timeout=10)


def provider_login(authorize_url: str, login: str, callback_prefix: str) -> str:
    """Signs in at the provider's own login page, over HTTP, as `login`, and
    returns the URL it sends the browser back to (the callback with its
    code and state)."""
    http = requests.Session()
    url = authorize_url
    for _ in range(12):
        if url.startswith(callback_prefix):
            return url
        answer = http.get(url, allow_redirects=False, timeout=10)
        if answer.status_code in (302, 303):
            url = urljoin(url, answer.headers["Location"])
            continue
        action = re.search(r'<form[^>]*action="([^"]+)"', answer.text)
        assert action, f"no form at {url}: {answer.status_code} {answer.text[:300]}"
        fields = dict(
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', answer.text)
        )
        fields.update({"login": login, "password": "any"})
        posted = http.post(
            urljoin(url, action.group(1)),
            data=fields,
            allow_redirects=False,
            timeout=10,
        )
        url = urljoin(url, posted.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back: {url}")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
