"""`python -m bench` (`make bench`): seed, serve, load, measure, report.

Prints one table and writes a JSON file under bench/results/. The figures are
printed against the targets, never asserted: the command fails only when the
harness itself cannot do its job (no database, a server that does not start,
an endpoint that never answers 200).
"""

import argparse
import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from bench import load, reports, seed
from bench.errors import HarnessError
from bench.server import ROOT
from bench.targets import LocalTarget, RemoteTarget, Target

RESULTS = ROOT / "bench" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark ingestion and analytics on PostgreSQL.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small run (two small organizations, 10 s of load) that proves "
        "the harness works",
    )
    parser.add_argument(
        "--reseed", action="store_true", help="drop and seed the database again"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="repeat the load; report the median"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers (default: gunicorn.conf.py's, min(2 x cores + 1, 4))",
    )
    parser.add_argument(
        "--concurrency", type=int, default=20, help="simulated extensions at once"
    )
    parser.add_argument("--duration", type=float, help="seconds of ingestion load")
    parser.add_argument(
        "--floor-duration",
        type=float,
        help="seconds of GET /healthz load before the ingestion load and again "
        "after it, the floor that ingestion is compared with (default 20, 5 with "
        "--quick)",
    )
    parser.add_argument(
        "--warmup", type=float, help="seconds of load left out of the figures"
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument(
        "--analytics-requests",
        type=int,
        help="requests per analytics endpoint (after two warm-up requests)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="the benchmark database, created if missing "
        f"(default {seed.DEFAULT_DATABASE}, with _quick appended for --quick)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="record the gunicorn workers with py-spy during each phase",
    )
    parser.add_argument(
        "--discovery",
        action="store_true",
        help="also measure ingestion with shadow-IT discovery off and on, in "
        "alternating phases of --duration each (off, on, on, off), with one in "
        "ten non-contract hosts on a catalog application (local target only)",
    )
    parser.add_argument("--output", type=Path, help="where to write the JSON")
    remote = parser.add_argument_group(
        "another deployment",
        "Point the same load at a running service instead of a local one; "
        "nothing is seeded and the server's memory and CPU are not measured.",
    )
    remote.add_argument("--base-url", help="e.g. https://procure.example.com")
    remote.add_argument(
        "--device-tokens-file",
        type=Path,
        help="raw device tokens of that deployment, one a line",
    )
    remote.add_argument("--admin-email")
    remote.add_argument(
        "--admin-password", default=os.environ.get("BENCH_ADMIN_PASSWORD")
    )
    remote.add_argument(
        "--hosts-file",
        type=Path,
        help="hosts on that organization's contracts, one a line "
        "(default: read from its contracts)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        # Seeding is part of what the quick run proves works.
        args.reseed = True
        args.duration = args.duration or 10.0
        args.floor_duration = args.floor_duration or 5.0
        args.warmup = 2.0 if args.warmup is None else args.warmup
        args.analytics_requests = args.analytics_requests or 10
    else:
        args.duration = args.duration or 60.0
        args.floor_duration = args.floor_duration or 20.0
        args.warmup = 5.0 if args.warmup is None else args.warmup
        args.analytics_requests = args.analytics_requests or 60
    if args.workers is None:
        args.workers = min((os.cpu_count() or 1) * 2 + 1, 4)
    if args.warmup >= args.duration:
        parser.error("--warmup must be shorter than --duration.")
    if args.base_url and not (
        args.device_tokens_file and args.admin_email and args.admin_password
    ):
        parser.error(
            "--base-url needs --device-tokens-file, --admin-email and "
            "--admin-password (or BENCH_ADMIN_PASSWORD)."
        )
    if args.runs < 1:
        parser.error("--runs must be at least 1.")
    if args.discovery and args.base_url:
        parser.error("--discovery turns discovery on and off in the local database.")
    if not args.database_url:
        args.database_url = seed.DEFAULT_DATABASE + ("_quick" if args.quick else "")
    return args


def saas_hosts() -> list[str]:
    """Hosts of the discovery catalog's applications, as browsers visit them."""
    from discovery.catalog import catalog_read

    return [
        f"app.{domain}" if index % 2 else domain
        for index, domain in enumerate(
            domain for entry in catalog_read() for domain in entry.domains
        )
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    run_root = RESULTS / f"{stamp}{'-quick' if args.quick else ''}"
    run_root.mkdir(parents=True, exist_ok=True)
    output = args.output or run_root / "bench.json"
    report: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "output": str(output),
        "runs": [],
    }
    target: Target = RemoteTarget(args) if args.base_url else LocalTarget(args)
    try:
        prepared = target.prepare()
        report["machine"] = prepared.machine
        if prepared.seeding is not None:
            report["seeding"] = prepared.seeding
        report["setup"] = {
            "target": prepared.description,
            "concurrency": args.concurrency,
            "batch_size": args.batch_size,
            "duration_s": args.duration,
            "floor_duration_s": args.floor_duration,
            "warmup_s": args.warmup,
            "workers": prepared.workers,
            "analytics_requests": args.analytics_requests,
        }
        tokens = list(prepared.device_tokens)
        random.Random(3).shuffle(tokens)
        plan_path = run_root / "plan.json"
        plan_path.write_text(
            json.dumps(
                load.plan(
                    tokens=tokens,
                    hosts=prepared.contract_hosts,
                    batch_size=args.batch_size,
                    saas_hosts=saas_hosts() if args.discovery else None,
                )
            )
        )
        for number in range(1, args.runs + 1):
            run_dir = run_root / f"run{number}"
            run_dir.mkdir(exist_ok=True)
            print(
                f"Run {number} of {args.runs}: {args.duration:.0f}s of ingestion load…"
            )
            run_seed = random.SystemRandom().randrange(2**31)
            result = target.run_once(
                number=number, plan_path=plan_path, run_dir=run_dir, run_seed=run_seed
            )
            result["seed"] = run_seed
            report["runs"].append(result)
            ingestion, floor = result["ingestion"], result["floor"]
            print(
                f"  floor {floor['requests_per_s']:,.0f} req/s (before "
                f"{floor['before_requests_per_s']:,.0f}, after "
                f"{floor['after_requests_per_s']:,.0f}); "
                f"ingestion {ingestion['requests_per_s']:,.0f} req/s "
                f"({result['ingestion_share_of_floor']:.0%} of the floor), "
                f"{ingestion['entries_per_s']:,.0f} entries/s, "
                f"p99 {ingestion['p99_ms']} ms, {ingestion['errors']} errors"
            )
            if "discovery" in result:
                print(reports.discovery_line(result["discovery"]))
    except (
        HarnessError,
        RuntimeError,
        OSError,
        subprocess.TimeoutExpired,
        psycopg.Error,
    ) as exc:
        print(f"The benchmark could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        plan = run_root / "plan.json"
        plan.unlink(missing_ok=True)
    report["summary"] = reports.summarize(report["runs"])
    report["verdicts"] = reports.verdicts(report["summary"])
    output.write_text(json.dumps(report, indent=2))
    reports.print_table(report)
    return 0
