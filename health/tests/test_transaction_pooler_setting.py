"""DATABASE_TRANSACTION_POOLER: what the settings make of it, read in a fresh
process as at start-up (test_pgbouncer.py runs the service through one)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POOLED = "postgres://procure@pgbouncer.internal:6432/procure"
PRINT_DATABASES = (
    "import json; from procure_site import settings; "
    "print(json.dumps({alias: database.get('DISABLE_SERVER_SIDE_CURSORS', False) "
    "for alias, database in settings.DATABASES.items()}))"
)


def start_up(
    program: str = PRINT_DATABASES, **environment: str
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DB_"))
    }
    env.update(SECRET_KEY="test-only", **environment)
    return subprocess.run(  # noqa: S603 - a fixed command line of our own
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def server_side_cursors_off(**environment: str) -> dict[str, bool]:
    """Each database alias, and whether its server-side cursors are off."""
    result = start_up(**environment)
    assert result.returncode == 0, result.stderr
    answer: dict[str, bool] = json.loads(result.stdout)
    return answer


def test_it_turns_server_side_cursors_off_behind_a_transaction_pooler() -> None:
    assert server_side_cursors_off(
        DATABASE_URL=POOLED,
        DATABASE_REPLICA_URL=POOLED.replace("procure", "procure_replica", 1),
        DATABASE_TRANSACTION_POOLER="true",
    ) == {"default": True, "replica": True}


@pytest.mark.parametrize("value", ["", "false"], ids=["unset", "false"])
def test_it_leaves_server_side_cursors_on_otherwise(value: str) -> None:
    assert server_side_cursors_off(
        DATABASE_URL=POOLED, DATABASE_TRANSACTION_POOLER=value
    ) == {"default": False}


def test_it_refuses_the_setting_on_sqlite() -> None:
    result = start_up(
        DATABASE_URL="sqlite:///db.sqlite3", DATABASE_TRANSACTION_POOLER="true"
    )

    assert result.returncode != 0
    assert "DATABASE_TRANSACTION_POOLER is for PostgreSQL" in result.stderr


def test_it_refuses_a_value_that_is_not_true_or_false() -> None:
    result = start_up(DATABASE_URL=POOLED, DATABASE_TRANSACTION_POOLER="pgbouncer")

    assert result.returncode != 0
    assert "DATABASE_TRANSACTION_POOLER must be true or false" in result.stderr


PRINT_PREPARED = (
    "from procure_site import settings; "
    "print(settings.DB_PREPARED_STATEMENTS, "
    "settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
)


@pytest.mark.parametrize(
    ("pooler", "prepared", "expected"),
    [
        ("", "", "True 2147483647"),
        ("true", "", "False None"),
        ("true", "true", "True 2147483647"),
        ("", "false", "False None"),
    ],
    ids=["direct", "pooled", "pooled-and-asked-for", "turned-off"],
)
def test_prepared_statements_are_off_by_default_behind_a_pooler(
    pooler: str, prepared: str, expected: str
) -> None:
    result = start_up(
        PRINT_PREPARED,
        DATABASE_URL=POOLED,
        DATABASE_TRANSACTION_POOLER=pooler,
        DB_PREPARED_STATEMENTS=prepared,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
