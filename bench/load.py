"""The ingestion load: Locust, headless, running bench/locustfile.py against a
base URL, and the figures computed from the samples it writes."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from bench import catalog, reports
from bench.errors import HarnessError
from bench.server import ROOT

# With discovery: each device's person uses this many catalog applications,
# and this many of a batch's entries are on them (about one in ten of the
# entries outside the contracts).
APPLICATIONS_PER_PERSON = 10
SAAS_ENTRIES_PER_BATCH = 7


def plan(
    *,
    tokens: list[str],
    hosts: list[str],
    batch_size: int,
    saas_hosts: list[str] | None = None,
) -> dict:
    """What bench/locustfile.py reads: the devices and the hosts they visit.

    With `saas_hosts` (the discovery comparison), each device has its own
    APPLICATIONS_PER_PERSON catalog hosts, the applications its person uses,
    and every batch it sends carries SAAS_ENTRIES_PER_BATCH visits to them:
    as in the field, a person's applications repeat from one sync to the
    next.
    """
    plan = {
        "tokens": tokens,
        "matching_hosts": hosts,
        "unmatched_hosts": catalog.unmatched_hosts(count=20_000),
        "matching_share": 0.3,
        "batch_size": batch_size,
    }
    if saas_hosts:
        rng = random.Random(11)
        plan["saas_entries"] = SAAS_ENTRIES_PER_BATCH
        plan["saas_hosts_by_token"] = {
            token: rng.sample(saas_hosts, APPLICATIONS_PER_PERSON) for token in tokens
        }
    return plan


def run_ingestion(
    *,
    base_url: str,
    plan_path: Path,
    run_dir: Path,
    concurrency: int,
    duration: float,
    warmup: float,
    seed: int,
) -> dict:
    """Locust, headless, `concurrency` extensions for `duration` seconds; the
    first `warmup` seconds are left out of the figures. `seed` chooses the
    order of devices and the batches they send."""
    samples = _locust(
        user_class="Extension",
        base_url=base_url,
        plan_path=plan_path,
        run_dir=run_dir,
        concurrency=concurrency,
        duration=duration,
        seed=seed,
        phase="ingestion",
    )
    return ingestion_figures(samples, warmup=warmup)


def run_floor(
    *,
    base_url: str,
    plan_path: Path,
    run_dir: Path,
    concurrency: int,
    duration: float,
    warmup: float,
) -> dict:
    """The floor: `GET /healthz` back to back from `concurrency` clients, on the
    same server, so that ingestion can be read as a share of what the
    framework serves at best on this machine at this moment."""
    samples = _locust(
        user_class="HealthCheck",
        base_url=base_url,
        plan_path=plan_path,
        run_dir=run_dir,
        concurrency=concurrency,
        duration=duration,
        seed=1,
        phase="floor",
    )
    figures = ingestion_figures(samples, warmup=warmup)
    return {
        key: figures[key]
        for key in (
            "requests",
            "errors",
            "error_kinds",
            "seconds",
            "requests_per_s",
            "p50_ms",
            "p95_ms",
            "p99_ms",
        )
    }


def floor_around(before: dict, after: dict) -> dict:
    """The floor measured before and again after the ingestion load, as one:
    requests/s over both windows together, the worse of the two latencies,
    and each window's rate.

    On a shared machine the rate the same server sustains moves by half
    from one minute to the next (543 to 1,042 requests/s for the same code,
    28 November 2026), so a floor taken only before ingestion can catch a
    fast or a slow minute that ingestion does not; measuring on both sides
    cancels a drift that runs through the run.
    """
    seconds = before["seconds"] + after["seconds"]
    served = sum(
        floor["requests_per_s"] * floor["seconds"] for floor in (before, after)
    )
    return {
        "requests": before["requests"] + after["requests"],
        "errors": before["errors"] + after["errors"],
        "error_kinds": sorted({*before["error_kinds"], *after["error_kinds"]}),
        "seconds": round(seconds, 2),
        "requests_per_s": round(served / seconds, 1),
        **{key: max(before[key], after[key]) for key in ("p50_ms", "p95_ms", "p99_ms")},
        "before_requests_per_s": before["requests_per_s"],
        "after_requests_per_s": after["requests_per_s"],
    }


def _locust(
    *,
    user_class: str,
    base_url: str,
    plan_path: Path,
    run_dir: Path,
    concurrency: int,
    duration: float,
    seed: int,
    phase: str,
) -> list[list]:
    """Runs one Locust user class headless; the samples it recorded."""
    samples_path = run_dir / f"{phase}-samples.json"
    samples_path.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_PLAN": str(plan_path),
        "BENCH_SAMPLES": str(samples_path),
        "BENCH_SEED": str(seed),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        base_url,
        "--users",
        str(concurrency),
        "--spawn-rate",
        str(concurrency),
        "--run-time",
        f"{duration:.0f}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--skip-log-setup",
        user_class,
    ]
    log_name = "locust.log" if phase == "ingestion" else f"locust-{phase}.log"
    log_path = run_dir / log_name
    with log_path.open("w") as log:
        subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=duration + 120,
            check=False,
        )
    if not samples_path.exists():
        raise HarnessError(f"Locust wrote no samples; see {log_path}.")
    samples = json.loads(samples_path.read_text())
    if not samples:
        raise HarnessError(f"Locust sent no request in the {phase} phase.")
    return samples


def ingestion_figures(samples: list[list], *, warmup: float) -> dict:
    """Throughput, latency and errors of the batches sent after the warm-up.

    A sample is [sent at (s), latency (ms), error or None, entries processed,
    entries matched], as bench/locustfile.py records it.
    """
    first = min(sample[0] for sample in samples)
    measured = [s for s in samples if s[0] >= first + warmup]
    window = (
        max(max(s[0] + s[1] / 1000 for s in measured) - (first + warmup), 1e-6)
        if measured
        else 1e-6
    )
    ok = [s for s in measured if s[2] is None]
    errors = [s for s in measured if s[2] is not None]
    entries = sum(s[3] for s in ok)
    if not ok:
        detail = errors[0][2] if errors else "no request in the measured window"
        raise HarnessError(f"No request succeeded ({detail}).")
    return {
        "requests": len(measured),
        "errors": len(errors),
        "error_kinds": sorted({s[2] for s in errors}),
        "seconds": round(window, 2),
        "requests_per_s": round(len(ok) / window, 1),
        "entries_per_s": round(entries / window, 1),
        "matched_share": round(sum(s[4] for s in ok) / max(entries, 1), 3),
        **reports.latency_figures([s[1] for s in ok]),
        "all_entries": sum(s[3] for s in samples if s[2] is None),
    }
