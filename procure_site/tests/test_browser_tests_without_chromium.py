"""`make test` on a machine without chromium: the browser tests skip with one
line saying how to run them, and fail where REQUIRE_BROWSER_TESTS (CI) says
they must run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
A_BROWSER_TEST = "health/tests/test_browser_api_docs.py"


def pytest_without_chromium(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "REQUIRE_BROWSER_TESTS"
    }
    env |= {"CHROMIUM_PATH": "/nonexistent/chromium", **environment}
    return subprocess.run(  # noqa: S603 - a fixed command line of our own
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", A_BROWSER_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_it_skips_the_browser_tests_with_one_line_that_says_how_to_run_them() -> None:
    result = pytest_without_chromium()

    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    advice = (
        "Browser tests skipped: they need /nonexistent/chromium (apt-get install "
        "-y chromium), then run make test again."
    )
    assert lines.count(advice) == 1
    assert "2 skipped" in lines[-1]


def test_it_fails_them_where_they_are_required() -> None:
    result = pytest_without_chromium(REQUIRE_BROWSER_TESTS="true")

    assert result.returncode == 1
    assert "Browser tests cannot run: they need /nonexistent/chromium" in (
        result.stdout
    )
