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

from bench import catalog, dashboard, load, reports, resources, seed
from bench.errors import HarnessError
from bench.server import ROOT, Gunicorn, production_environment

RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/procure_bench"


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
        help=f"the benchmark database, created if missing (default {DEFAULT_DATABASE}, "
        "with _quick appended for --quick)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="record the gunicorn workers with py-spy during each phase",
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
        args.warmup = 2.0 if args.warmup is None else args.warmup
        args.analytics_requests = args.analytics_requests or 10
        args.workers = args.workers or 2
    else:
        args.duration = args.duration or 60.0
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
    if not args.database_url:
        args.database_url = DEFAULT_DATABASE + ("_quick" if args.quick else "")
    return args


# The load.


def seeded_contract_hosts(shape: seed.Shape) -> list[str]:
    """Hosts people visit on the seeded contracts, popular products more often."""
    rng = random.Random(5)
    hosts = []
    for spec in catalog.contract_specs(count=shape.contracts, users=shape.users):
        hosts.extend(
            catalog.visited_hosts_for(spec, rng, max(1, round(spec.popularity * 100)))
        )
    return hosts


def remote_contract_hosts(client: dashboard.Client) -> list[str]:
    """The product and extra hosts of the signed-in admin's contracts."""
    hosts: list[str] = []
    path: str | None = "/api/v1/contracts?page_size=200"
    for _ in range(100):
        if not path:
            break
        page = client.json("GET", path)
        for contract in page.get("results", []):
            hosts.append(contract["product_url"].removeprefix("https://"))
            hosts.extend(contract.get("extra_hosts") or [])
        following = page.get("next")
        path = following[following.index("/api/") :] if following else None
    if not hosts:
        raise HarnessError(
            "The organization has no contracts to match; pass --hosts-file."
        )
    return hosts


def run_local_once(
    args: argparse.Namespace,
    number: int,
    env: dict,
    plan_path: Path,
    admin_email: str,
    run_dir: Path,
) -> dict:
    database = seed.database_name(args.database_url)
    with Gunicorn(env=env, log_path=run_dir / "gunicorn.log") as server:
        memory = resources.WorkerMemory(server)
        cpu = resources.CpuAccount(server, database)
        with memory:
            profiler = (
                resources.Profiler(server.worker_pids(), run_dir, f"ingest{number}")
                if args.profile
                else None
            )
            cpu.start()
            ingestion = load.run_ingestion(
                base_url=server.base_url,
                plan_path=plan_path,
                run_dir=run_dir,
                concurrency=args.concurrency,
                duration=args.duration,
                warmup=args.warmup,
            )
            cpu.stop()
            if profiler:
                profiler.stop()
            client = dashboard.Client(server.base_url)
            try:
                organization_id = dashboard.sign_in(
                    client, email=admin_email, password=seed.ADMIN_PASSWORD
                )
                profiler = (
                    resources.Profiler(
                        server.worker_pids(), run_dir, f"analytics{number}"
                    )
                    if args.profile
                    else None
                )
                analytics = dashboard.analytics_figures(
                    client,
                    organization_id,
                    repeats=args.analytics_requests,
                    time_limit=120.0 if not args.quick else 15.0,
                )
                if profiler:
                    profiler.stop()
            finally:
                client.close()
        rss_after = resources.current_rss_mb(server.worker_pids())
    service_seconds = cpu.service_seconds
    per_cpu_second = (
        ingestion["all_entries"] / service_seconds if service_seconds > 0 else None
    )
    return {
        "ingestion": ingestion,
        "analytics": analytics,
        "worker_peak_rss_mb": memory.peaks_mb(),
        "worker_rss_after_mb": rss_after,
        "max_worker_peak_rss_mb": max(memory.peaks_mb(), default=None),
        "max_worker_rss_after_mb": max(rss_after, default=None),
        "service_cpu_seconds": round(service_seconds, 2),
        "cores_used_during_ingestion": cpu.cores_used(),
        "entries_per_cpu_second": reports.rounded(per_cpu_second),
        "devices_per_core": reports.devices_per_core(per_cpu_second),
    }


def run_remote_once(args: argparse.Namespace, plan_path: Path, run_dir: Path) -> dict:
    ingestion = load.run_ingestion(
        base_url=args.base_url,
        plan_path=plan_path,
        run_dir=run_dir,
        concurrency=args.concurrency,
        duration=args.duration,
        warmup=args.warmup,
    )
    client = dashboard.Client(args.base_url)
    try:
        organization_id = dashboard.sign_in(
            client, email=args.admin_email, password=args.admin_password
        )
        analytics = dashboard.analytics_figures(
            client,
            organization_id,
            repeats=args.analytics_requests,
            time_limit=120.0 if not args.quick else 15.0,
        )
    finally:
        client.close()
    return {"ingestion": ingestion, "analytics": analytics}


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
    try:
        if args.base_url:
            report["machine"] = reports.machine_description(None)
            tokens = [
                line.strip()
                for line in args.device_tokens_file.read_text().splitlines()
                if line.strip()
            ]
            if args.hosts_file:
                hosts = args.hosts_file.read_text().split()
            else:
                client = dashboard.Client(args.base_url)
                dashboard.sign_in(
                    client, email=args.admin_email, password=args.admin_password
                )
                hosts = remote_contract_hosts(client)
                client.close()
            target = f"{args.base_url}"
        else:
            shape = seed.QUICK if args.quick else seed.FULL
            env = production_environment(
                database_url=args.database_url, workers=args.workers
            )
            os.environ.update(env)
            import django

            django.setup()
            seeded = seed.prepare(
                database_url=args.database_url, shape=shape, reseed=args.reseed
            )
            report["machine"] = reports.machine_description(args.database_url)
            report["seeding"] = {
                "seconds": round(seeded.seconds, 1),
                "reused": seeded.reused,
                "activities": seeded.activities,
                "shape": shape.signature(),
            }
            # Both organizations' extensions report, interleaved.
            tokens = [
                token
                for pair in zip(
                    *(org.device_tokens for org in seeded.organizations), strict=True
                )
                for token in pair
            ]
            hosts = seeded_contract_hosts(shape)
            target = (
                f"local gunicorn, {args.workers} workers; 2 organizations x "
                f"{shape.users:,} users x {shape.contracts} contracts, "
                f"{seeded.activities:,} activity rows"
            )
        report["setup"] = {
            "target": target,
            "concurrency": args.concurrency,
            "batch_size": args.batch_size,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "workers": None if args.base_url else args.workers,
            "analytics_requests": args.analytics_requests,
        }
        random.Random(3).shuffle(tokens)
        plan_path = run_root / "plan.json"
        plan_path.write_text(
            json.dumps(
                load.plan(tokens=tokens, hosts=hosts, batch_size=args.batch_size)
            )
        )
        for number in range(1, args.runs + 1):
            run_dir = run_root / f"run{number}"
            run_dir.mkdir(exist_ok=True)
            print(
                f"Run {number} of {args.runs}: {args.duration:.0f}s of ingestion load…"
            )
            args.seed = random.SystemRandom().randrange(2**31)
            if args.base_url:
                result = run_remote_once(args, plan_path, run_dir)
            else:
                # Each device's previous sync was two hours ago, as in the
                # field, whatever the previous run did.
                seed.devices_last_synced(hours_ago=2)
                result = run_local_once(
                    args,
                    number,
                    env,
                    plan_path,
                    seeded.organizations[0].admin_email,
                    run_dir,
                )
            result["seed"] = args.seed
            report["runs"].append(result)
            ingestion = result["ingestion"]
            print(
                f"  {ingestion['entries_per_s']:,.0f} entries/s, "
                f"p99 {ingestion['p99_ms']} ms, {ingestion['errors']} errors"
            )
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
