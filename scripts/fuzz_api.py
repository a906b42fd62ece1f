"""Fuzzes the live API with schemathesis against its own OpenAPI schema.

Starts gunicorn on a free loopback port with production-like settings
(DEBUG off) on a throwaway database, seeds an organization with a verified
admin, a member and the sample contracts, then runs schemathesis over every
operation of /api/schema once as the member and once as the admin. A finding
(a 5xx; a response outside its declared status codes, content type, headers
or schema; a protected operation that answers without credentials; a
resource that is missing after its creation or present after its deletion)
makes the script exit non-zero. It takes about three minutes.

    python scripts/fuzz_api.py [--max-examples 15] [--max-time 75] [--seed N]

The database is PostgreSQL's `procure_fuzz` on 127.0.0.1:5432 (dropped and
created anew) when it answers, else a SQLite file in a temporary directory;
FUZZ_DATABASE_URL picks another. `make fuzz` installs requirements-fuzz.txt
and runs this script.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/procure_fuzz"
PASSWORD = "Fuzz-Pass-2026"  # noqa: S105 - a throwaway account on a throwaway database
ADMIN_EMAIL = "ada@acme.io"
MEMBER_EMAIL = "max@acme.io"
SAMPLE_CONTRACTS = ROOT / "contracts" / "sample_data" / "sample_contracts.csv"

# Checks run on every response. Left out, and why:
# - positive_data_acceptance expects every schema-valid request to succeed,
#   but a valid sign-up for an unknown domain is rightly a 404 and a valid
#   sign-in with a random password a 401;
# - negative_data_rejection expects every schema-invalid request to fail, but
#   the contract has url-visits skip and count a bad entry instead of failing
#   the batch, and DRF reads 0 as false and ignores a bad page_size;
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
]

SEED_USERS = f"""
from procure_site import clock
from accounts.models import Organization, Role, User

organization = Organization.objects.get(domain_name="acme.io")
for email, role in (("{ADMIN_EMAIL}", Role.ADMIN), ("{MEMBER_EMAIL}", Role.MEMBER)):
    User.objects.create_user(
        email=email, password="{PASSWORD}", organization=organization,
        role=role, email_verified_at=clock.now(),
    )
contract = organization.contracts.order_by("pk").first()
print(organization.public_id, contract.pk)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return False
    return True


def recreate_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands, no shell
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def request_json(url: str, body: dict | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310
        return json.load(response)


def wait_until_ready(base_url: str, server: subprocess.Popen, deadline: float):
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            urllib.request.urlopen(f"{base_url}/readyz", timeout=2)  # noqa: S310
            return True
        except OSError:
            # Refused while gunicorn binds, or no answer within the timeout
            # while its workers boot on a busy machine: both mean not yet.
            time.sleep(0.3)
    return False


def write_config(directory: Path, organization_id: str, contract_id: str) -> Path:
    """schemathesis.toml: which checks, and real ids where paths need one.

    Without the seeded organization's id the analytics paths would only ever
    see random ids and answer 404 without running any of their code; the
    same for a contract's reclaims without a real contract id.
    """
    config = directory / "schemathesis.toml"
    checks = "\n".join(f"{name}.enabled = true" for name in CHECKS)
    config.write_text(
        f'hooks = "{ROOT / "scripts" / "fuzz_hooks.py"}"\n\n'
        "[checks]\nenabled = false\n"
        f"{checks}\n\n"
        "[parameters]\n"
        f'"path.organization_id" = "{organization_id}"\n'
        f'"path.contract_id" = {contract_id}\n'
    )
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=15)
    parser.add_argument(
        "--max-time", type=int, default=75, help="seconds per role (default 75)"
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="procure-fuzz-"))
    database_url = os.environ.get("FUZZ_DATABASE_URL") or (
        DEFAULT_POSTGRES_URL
        if postgres_answers()
        else f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    )
    if database_url.startswith("postgres"):
        recreate_postgres_database(database_url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "fuzz-only-secret-key-not-for-production-use",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The fuzzer signs in far more often than a person; the throttles are
        # tested in accounts/tests.
        "THROTTLE_SIGN_IN_RATE": "100000/minute",
        "THROTTLE_SIGN_UP_RATE": "100000/minute",
        "THROTTLE_VERIFY_EMAIL_RATE": "100000/minute",
        "THROTTLE_PASSWORD_RESET_RATE": "100000/minute",
        "SIGN_IN_LOCKOUT_FAILURES": "100000",
        "SIGN_IN_LOCKOUT_ACCOUNT_FAILURES": "100000",
        # The fuzzer reads no email; consolemail:// is refused with DEBUG off.
        "EMAIL_URL": "dummymail://",
        "TASKS_BACKEND": "immediate",
        "JWT_ACCESS_MINUTES": "60",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
    }
    print(f"Database: {database_url.split('@')[-1]}; server: {base_url}")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run(
        [
            PYTHON,
            "manage.py",
            "create_organization",
            "--domain",
            "acme.io",
            "--company",
            "Acme",
            "--admin-seats",
            "3",
        ],
        env,
    )
    run(
        [
            *(PYTHON, "manage.py", "import_contracts", "--org", "acme.io"),
            str(SAMPLE_CONTRACTS),
        ],
        env,
    )
    seeded = run([PYTHON, "manage.py", "shell", "-c", SEED_USERS], env)
    organization_id, contract_id = seeded.strip().splitlines()[-1].split()

    server_log = (workdir / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "procure_site.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    failed = False
    try:
        if not wait_until_ready(base_url, server, time.monotonic() + 60):
            print((workdir / "server.log").read_text())
            sys.exit("The server did not become ready.")
        tokens = {
            email: request_json(
                f"{base_url}/api/v1/auth/token",
                {"email": email, "password": PASSWORD},
            )["access"]
            for email in (MEMBER_EMAIL, ADMIN_EMAIL)
        }
        # Some activity, so that the analytics have rows to work on.
        now_ms = int(time.time() * 1000)
        request_json(
            f"{base_url}/api/v1/url-visits",
            {
                "entries": [
                    {"url": "https://app.slack.com/client", "timestamp": now_ms},
                    {"url": "https://zoom.us/j/1", "timestamp": now_ms},
                ]
            },
            token=tokens[MEMBER_EMAIL],
        )
        config = write_config(workdir, organization_id, contract_id)
        for email, token in tokens.items():
            print(f"\n== schemathesis as {email} ==", flush=True)
            command = [
                str(Path(PYTHON).parent / "schemathesis"),
                "--config-file",
                str(config),
                "run",
                f"{base_url}/api/schema",
                "--header",
                f"Authorization: Bearer {token}",
                "--max-examples",
                str(options.max_examples),
                "--max-time",
                str(options.max_time),
                "--request-timeout",
                "15",
                # One worker: Python 3.11's ast module, which hypothesis uses
                # to describe strategies, is not safe to use from two threads.
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--no-color",
                "--report",
                "junit",
                "--report-junit-path",
                str(workdir / f"junit-{email.split('@')[0]}.xml"),
            ]
            if options.seed is not None:
                command += ["--seed", str(options.seed)]
            result = subprocess.run(  # noqa: S603
                command,
                cwd=workdir,
                timeout=options.max_time + 120,
                check=False,
            )
            failed = failed or result.returncode != 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()
    errors = [
        line
        for line in (workdir / "server.log").read_text().splitlines()
        if "ERROR" in line or "Traceback" in line
    ]
    if errors:
        print("\nServer errors logged:\n" + "\n".join(errors[:40]))
    if options.keep or failed:
        print(f"\nServer log and reports kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\nFuzzing found problems." if failed else "\nFuzzing found nothing.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
