"""Locust load: browser extensions posting their visit batches.

Run by `python -m bench` (see bench/load.py), which writes the plan this file
reads: device tokens, hosts that match a contract and hosts that do not.
Each request is one extension's sync: a batch of entries, about 30% of them
on contract hosts, with timestamps within the last day, signed with the next
device token of the pool, so that the load comes from many devices as it does
in the field. The floor phase runs the HealthCheck user instead: `GET
/healthz` back to back, the cheapest request the framework serves, so that the
ingestion rate can be read as a share of it. Every request is written to the
samples file at the end; the harness computes the figures from it, leaving
out the warm-up.
"""

import itertools
import json
import os
import random
import time

from locust import FastHttpUser, events, task

with open(os.environ["BENCH_PLAN"]) as plan_file:
    PLAN = json.load(plan_file)

# Each run has its own seed: its own order of devices and its own batches, so
# that a run does not replay the previous one's visits.
_rng = random.Random(int(os.environ.get("BENCH_SEED", "1")))
_device_tokens = list(PLAN["tokens"])
_rng.shuffle(_device_tokens)
_tokens = itertools.cycle(_device_tokens)
_samples: list[list] = []
_PATHS = ("", "home", "dashboard", "inbox", "settings/profile", "search?q=report")
_BROWSERS = ("Chrome", "Chrome", "Chrome", "Edge")
_HOUR_MS = 60 * 60 * 1000
_DAY_MS = 24 * _HOUR_MS


def visit_batch(rng: random.Random, size: int, now_ms: int) -> list[dict]:
    entries = []
    for _ in range(size):
        if rng.random() < PLAN["matching_share"]:
            host = rng.choice(PLAN["matching_hosts"])
        else:
            host = rng.choice(PLAN["unmatched_hosts"])
        entries.append(
            {
                "url": f"https://{host}/{rng.choice(_PATHS)}",
                # Within the last day, with an hour to spare for the run itself.
                "timestamp": now_ms - rng.randrange(_HOUR_MS, _DAY_MS),
                "browser": rng.choice(_BROWSERS),
            }
        )
    return entries


# Batches are encoded once, up front, so that the load generator, which shares
# the machine with the service, spends its CPU on sending rather than on
# building JSON.
_now_ms = int(time.time() * 1000)
# With discovery, each device's batches end with the same visits to its own
# person's applications, encoded once per device; the rest of the batch
# comes from the shared pool.
_SAAS_ENTRIES = PLAN.get("saas_entries", 0)


def _encoded_entries(entries: list[dict]) -> bytes:
    return json.dumps(entries, separators=(",", ":")).encode()[1:-1]


_SHARED = [
    _encoded_entries(visit_batch(_rng, PLAN["batch_size"] - _SAAS_ENTRIES, _now_ms))
    for _ in range(PLAN.get("distinct_batches", 500))
]
_OWN = {
    token: b","
    + _encoded_entries(
        [
            {
                "url": f"https://{host}/{_rng.choice(_PATHS)}",
                "timestamp": _now_ms - _rng.randrange(_HOUR_MS, _DAY_MS),
                "browser": "Chrome",
            }
            for host in _rng.choices(hosts, k=_SAAS_ENTRIES)
        ]
    )
    for token, hosts in PLAN.get("saas_hosts_by_token", {}).items()
}
_shared = itertools.cycle(_SHARED)


def body_for(token: str) -> bytes:
    return b'{"entries":[' + next(_shared) + _OWN.get(token, b"") + b"]}"


class Extension(FastHttpUser):
    # No think time: a fixed number of devices syncing back to back measures
    # what the service sustains at that concurrency.
    connection_timeout = 30.0
    network_timeout = 60.0

    @task
    def sync_visits(self) -> None:
        token = next(_tokens)
        body = body_for(token)
        started = time.time()
        with self.client.post(
            "/api/v1/url-visits",
            data=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            },
            name="url-visits",
            catch_response=True,
        ) as response:
            elapsed_ms = (time.time() - started) * 1000
            answer = None
            if response.status_code == 200:
                try:
                    answer = response.json()
                except ValueError:
                    answer = None
            if answer is not None and answer.get("processed") == PLAN["batch_size"]:
                response.success()
                _samples.append(
                    [started, elapsed_ms, None, answer["processed"], answer["matched"]]
                )
            else:
                error = f"HTTP {response.status_code}"
                response.failure(error)
                _samples.append([started, elapsed_ms, error, 0, 0])


class HealthCheck(FastHttpUser):
    """The floor: what the same server answers for a request that does nothing."""

    connection_timeout = 30.0
    network_timeout = 60.0

    @task
    def health(self) -> None:
        started = time.time()
        with self.client.get(
            "/healthz", name="healthz", catch_response=True
        ) as response:
            elapsed_ms = (time.time() - started) * 1000
            if response.status_code == 200:
                response.success()
                _samples.append([started, elapsed_ms, None, 0, 0])
            else:
                error = f"HTTP {response.status_code}"
                response.failure(error)
                _samples.append([started, elapsed_ms, error, 0, 0])


@events.quitting.add_listener
def _write_samples(environment, **_kwargs) -> None:
    with open(os.environ["BENCH_SAMPLES"], "w") as samples_file:
        json.dump(_samples, samples_file)
