"""`manage.py` run by hand, without the environment `make manage` sets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    # Given explicitly, so that a developer's own .env (read without
    # overwriting the environment) cannot supply them.
    env |= {"DEBUG": "false", "SECRET_KEY": ""} | environment
    return subprocess.run(  # noqa: S603 - a fixed command line of our own
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_names_the_missing_variable_in_one_line_and_says_how_to_run_locally() -> (
    None
):
    result = manage("check")

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "proCure cannot start: The environment variable SECRET_KEY must be set "
        "when DEBUG is off. Set it in the environment or in .env beside "
        'manage.py, or run the command as `make manage CMD="check"`, which '
        "sets local defaults (DEBUG on, a throw-away SECRET_KEY)."
    ]


def test_it_names_a_malformed_value_the_same_way() -> None:
    result = manage("check", SECRET_KEY="x" * 50, MAX_REQUEST_BYTES="lots")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "MAX_REQUEST_BYTES must be a whole number." in result.stderr


def test_it_prints_only_the_commands_own_output_through_make_manage() -> None:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    command = ["make", "--no-print-directory", "manage", "CMD=check --fail-level ERROR"]
    result = subprocess.run(  # noqa: S603 - make from PATH, as a person runs it
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    # No echo of the command line and no library banner: a report
    # redirected to a file starts with the report.
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert "AXES" not in result.stderr
