"""SQLite's settings for a web server with a worker beside it: WAL, a busy
timeout (DB_SQLITE_BUSY_TIMEOUT) and BEGIN IMMEDIATE, read in a fresh process
as at start-up; test_sqlite_concurrency.py shows what they are for."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRINT_OPTIONS = (
    "import json; from procure_site import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)
PRINT_CONNECTION = (
    "import django, json; django.setup(); from django.db import connection; "
    "cursor = connection.cursor(); "
    "pragmas = {name: cursor.execute(f'PRAGMA {name}').fetchone()[0] "
    "for name in ('journal_mode', 'synchronous', 'busy_timeout')}; "
    "print(json.dumps({**pragmas, 'mode': connection.transaction_mode}))"
)


def start_up(program: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DB_"))
    }
    env.update(
        SECRET_KEY="test-only",
        DJANGO_SETTINGS_MODULE="procure_site.settings",
        **environment,
    )
    return subprocess.run(  # noqa: S603 - a fixed command line of our own
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def printed(program: str, **environment: str) -> dict[str, Any]:
    result = start_up(program, **environment)
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_it_opens_sqlite_in_wal_with_a_busy_timeout_and_immediate_writes(
    tmp_path: Path,
) -> None:
    database = tmp_path / "db.sqlite3"

    assert printed(PRINT_CONNECTION, DATABASE_URL=f"sqlite:///{database}") == {
        "journal_mode": "wal",
        # 1 is NORMAL.
        "synchronous": 1,
        "busy_timeout": 10_000,
        "mode": "IMMEDIATE",
    }


def test_it_reads_the_busy_timeout_in_seconds(tmp_path: Path) -> None:
    options = printed(
        PRINT_OPTIONS,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DB_SQLITE_BUSY_TIMEOUT="3",
    )

    assert options["timeout"] == 3


def test_it_refuses_a_busy_timeout_that_is_not_a_whole_number() -> None:
    result = start_up(PRINT_OPTIONS, DB_SQLITE_BUSY_TIMEOUT="soon")

    assert result.returncode != 0
    assert "DB_SQLITE_BUSY_TIMEOUT must be a whole number" in result.stderr


def test_it_leaves_postgresql_alone() -> None:
    options = printed(
        PRINT_OPTIONS, DATABASE_URL="postgres://procure@db.internal:5432/procure"
    )

    assert "transaction_mode" not in options
    assert "init_command" not in options
    assert "timeout" not in options
