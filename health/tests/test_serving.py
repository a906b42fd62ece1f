import os
import subprocess
import sys
from pathlib import Path

import pytest

from procure_site.serving import base_url, next_steps

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("0.0.0.0:8000", "http://127.0.0.1:8000"),
        ("[::]:8000", "http://[::1]:8000"),
        ("[::1]:9000", "http://[::1]:9000"),
        ("localhost", "http://localhost:8000"),
        ("unix:/run/procure.sock", None),
    ],
)
def test_it_turns_a_bind_into_the_url_a_person_opens(bind, url):
    assert base_url(bind) == url


def test_it_names_the_docs_the_admin_and_the_two_setup_commands():
    text = next_steps(base_url="http://127.0.0.1:8123", admin_url="backstage/")

    assert "http://127.0.0.1:8123/docs" in text
    assert "http://127.0.0.1:8123/backstage/" in text
    assert "make manage CMD=seed_demo" in text
    assert "make manage CMD=createsuperuser" in text


def gunicorn_config(**environment: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "PORT", "BIND_ADDRESS", "GUNICORN_BIND")
    }
    env.update(SECRET_KEY="test-only", **environment)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--print-config",
            "procure_site.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_it_has_gunicorn_listen_on_loopback_and_port_in_local_mode():
    config = gunicorn_config(DEBUG="true", PORT="8123")

    assert "bind                               = ['127.0.0.1:8123']" in config


def test_it_has_gunicorn_listen_on_every_interface_in_production():
    config = gunicorn_config(DEBUG="false", PORT="8123")

    assert "['0.0.0.0:8123']" in config


def test_it_stops_gunicorn_on_a_port_that_is_not_a_number():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        gunicorn_config(DEBUG="true", PORT="eighty")

    assert "PORT must be a whole number" in failure.value.stderr
