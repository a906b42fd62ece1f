"""`manage.py` run by hand, without the environment `make manage` sets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
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


def test_it_names_the_missing_variable_in_one_line_and_says_how_to_run_locally():
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


def test_it_names_a_malformed_value_the_same_way():
    result = manage("check", SECRET_KEY="x" * 50, MAX_REQUEST_BYTES="lots")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "MAX_REQUEST_BYTES must be a whole number." in result.stderr
