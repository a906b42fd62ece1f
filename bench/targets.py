"""What the load runs against: a local service the harness seeds and starts
(LocalTarget), or a running deployment (RemoteTarget, `--base-url`).

Both prepare once, telling the harness which devices to drive and which hosts
match a contract, then run the load as many times as asked.
"""

import argparse
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bench import catalog, dashboard, load, purge, reports, resources, seed
from bench.errors import HarnessError
from bench.server import Gunicorn, production_environment


@dataclass(frozen=True)
class PreparedTarget:
    # One line for the report's heading.
    description: str
    machine: dict
    device_tokens: list[str]
    contract_hosts: list[str]
    # gunicorn workers; None when the harness does not run the service.
    workers: int | None
    # How the database was seeded; None when the harness did not seed it.
    seeding: dict | None


class Target(Protocol):
    def prepare(self) -> PreparedTarget:
        """Everything the load needs, done once before the runs."""
        ...

    def run_once(
        self, *, number: int, plan_path: Path, run_dir: Path, run_seed: int
    ) -> dict:
        """The floor, the ingestion load, then the analytics timings; the
        run's figures as they go into the report."""
        ...


class LocalTarget:
    """gunicorn on loopback, with the production settings, over the seeded
    benchmark database; its memory and CPU are measured too."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args

    def prepare(self) -> PreparedTarget:
        args = self._args
        shape = seed.QUICK if args.quick else seed.FULL
        self._env = production_environment(
            database_url=args.database_url, workers=args.workers
        )
        os.environ.update(self._env)
        import django

        django.setup()
        seeded = seed.prepare(
            database_url=args.database_url, shape=shape, reseed=args.reseed
        )
        self._admin_email = seeded.organizations[0].admin_email
        return PreparedTarget(
            description=(
                f"local gunicorn, {args.workers} workers; 2 organizations x "
                f"{shape.users:,} users x {shape.contracts} contracts, "
                f"{seeded.activities:,} activity rows"
            ),
            machine=reports.machine_description(args.database_url),
            # Both organizations' extensions report, interleaved.
            device_tokens=[
                token
                for pair in zip(
                    *(org.device_tokens for org in seeded.organizations), strict=True
                )
                for token in pair
            ],
            contract_hosts=seeded_contract_hosts(shape),
            workers=args.workers,
            seeding={
                "seconds": round(seeded.seconds, 1),
                "reused": seeded.reused,
                "activities": seeded.activities,
                "shape": shape.signature(),
            },
        )

    def run_once(
        self, *, number: int, plan_path: Path, run_dir: Path, run_seed: int
    ) -> dict:
        args = self._args
        # Each device's previous sync was two hours ago, as in the field,
        # whatever the previous run did.
        seed.devices_last_synced(hours_ago=2)
        database = seed.database_name(args.database_url)
        with Gunicorn(env=self._env, log_path=run_dir / "gunicorn.log") as server:
            memory = resources.WorkerMemory(server)
            cpu = resources.CpuAccount(server, database)
            with memory:
                floor = _floor(args, server.base_url, plan_path, run_dir)
                profiler = self._profiler(server, run_dir, f"ingest{number}")
                cpu.start()
                ingestion = _ingestion(
                    args, server.base_url, plan_path, run_dir, run_seed
                )
                cpu.stop()
                if profiler:
                    profiler.stop()
                floor = load.floor_around(
                    floor, _floor(args, server.base_url, plan_path, run_dir)
                )
                discovery = (
                    _discovery_comparison(
                        args, server.base_url, plan_path, run_dir, run_seed
                    )
                    if args.discovery
                    else None
                )
                client = dashboard.Client(server.base_url)
                try:
                    organization_id = dashboard.sign_in(
                        client, email=self._admin_email, password=seed.ADMIN_PASSWORD
                    )
                    profiler = self._profiler(server, run_dir, f"analytics{number}")
                    analytics = _analytics(args, client, organization_id)
                    if profiler:
                        profiler.stop()
                finally:
                    client.close()
            rss_after = resources.current_rss_mb(server.worker_pids())
        # After the load and with the server stopped: both purges of the
        # oldest month, rolled back.
        purge_figures = purge.purge_figures(args.database_url)
        service_seconds = cpu.service_seconds
        per_cpu_second = (
            ingestion["all_entries"] / service_seconds if service_seconds > 0 else None
        )
        return {
            "floor": floor,
            "ingestion": ingestion,
            **({"discovery": discovery} if discovery is not None else {}),
            "ingestion_share_of_floor": reports.share_of_floor(ingestion, floor),
            "analytics": analytics,
            "worker_peak_rss_mb": memory.peaks_mb(),
            "worker_rss_after_mb": rss_after,
            "max_worker_peak_rss_mb": max(memory.peaks_mb(), default=None),
            "max_worker_rss_after_mb": max(rss_after, default=None),
            "service_cpu_seconds": round(service_seconds, 2),
            "cores_used_during_ingestion": cpu.cores_used(),
            "entries_per_cpu_second": reports.rounded(per_cpu_second),
            "devices_per_core": reports.devices_per_core(per_cpu_second),
            "purge": purge_figures,
        }

    def _profiler(
        self, server: Gunicorn, run_dir: Path, phase: str
    ) -> resources.Profiler | None:
        if not self._args.profile:
            return None
        return resources.Profiler(server.worker_pids(), run_dir, phase)


class RemoteTarget:
    """A running deployment at `--base-url`: nothing is seeded, and the
    server's memory and CPU are not measured."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args

    def prepare(self) -> PreparedTarget:
        args = self._args
        machine = reports.machine_description(None)
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
            hosts = _remote_contract_hosts(client)
            client.close()
        return PreparedTarget(
            description=f"{args.base_url}",
            machine=machine,
            device_tokens=tokens,
            contract_hosts=hosts,
            workers=None,
            seeding=None,
        )

    def run_once(
        self, *, number: int, plan_path: Path, run_dir: Path, run_seed: int
    ) -> dict:
        args = self._args
        floor = _floor(args, args.base_url, plan_path, run_dir)
        ingestion = _ingestion(args, args.base_url, plan_path, run_dir, run_seed)
        floor = load.floor_around(
            floor, _floor(args, args.base_url, plan_path, run_dir)
        )
        client = dashboard.Client(args.base_url)
        try:
            organization_id = dashboard.sign_in(
                client, email=args.admin_email, password=args.admin_password
            )
            analytics = _analytics(args, client, organization_id)
        finally:
            client.close()
        return {
            "floor": floor,
            "ingestion": ingestion,
            "ingestion_share_of_floor": reports.share_of_floor(ingestion, floor),
            "analytics": analytics,
        }


def _ingestion(
    args: argparse.Namespace,
    base_url: str,
    plan_path: Path,
    run_dir: Path,
    run_seed: int,
) -> dict:
    return load.run_ingestion(
        base_url=base_url,
        plan_path=plan_path,
        run_dir=run_dir,
        concurrency=args.concurrency,
        duration=args.duration,
        warmup=args.warmup,
        seed=run_seed,
    )


def _floor(
    args: argparse.Namespace, base_url: str, plan_path: Path, run_dir: Path
) -> dict:
    return load.run_floor(
        base_url=base_url,
        plan_path=plan_path,
        run_dir=run_dir,
        concurrency=args.concurrency,
        duration=args.floor_duration,
        warmup=min(args.warmup, args.floor_duration / 4),
    )


def _discovery_comparison(
    args: argparse.Namespace,
    base_url: str,
    plan_path: Path,
    run_dir: Path,
    run_seed: int,
) -> dict:
    """Ingestion with discovery off and on, in phases off, on, on, off, so
    that a drift of the shared machine's load weighs on both alike; the
    figures of the two phases of each state are averaged."""
    from accounts.models import Organization

    phases: dict[str, list[dict]] = {"off": [], "on": []}
    try:
        for index, state in enumerate(["off", "on", "on", "off"]):
            Organization.objects.update(discovery_enabled=state == "on")
            phase_dir = run_dir / f"discovery-{index}-{state}"
            phase_dir.mkdir(exist_ok=True)
            phases[state].append(
                _ingestion(args, base_url, plan_path, phase_dir, run_seed)
            )
    finally:
        Organization.objects.update(discovery_enabled=False)
    figures = {
        state: {
            key: reports.rounded(sum(p[key] for p in runs) / len(runs))
            for key in ("entries_per_s", "requests_per_s", "p50_ms", "p99_ms")
        }
        | {"errors": sum(p["errors"] for p in runs)}
        for state, runs in phases.items()
    }
    off, on = figures["off"]["entries_per_s"], figures["on"]["entries_per_s"]
    return {
        **figures,
        "phases": phases,
        "throughput_cost_percent": reports.rounded(100 * (1 - on / off))
        if off
        else None,
    }


def _analytics(
    args: argparse.Namespace, client: dashboard.Client, organization_id: str
) -> dict:
    return dashboard.analytics_figures(
        client,
        organization_id,
        repeats=args.analytics_requests,
        time_limit=120.0 if not args.quick else 15.0,
    )


def seeded_contract_hosts(shape: seed.Shape) -> list[str]:
    """Hosts people visit on the seeded contracts, popular products more often."""
    rng = random.Random(5)
    hosts = []
    for spec in catalog.contract_specs(count=shape.contracts, users=shape.users):
        hosts.extend(
            catalog.visited_hosts_for(spec, rng, max(1, round(spec.popularity * 100)))
        )
    return hosts


def _remote_contract_hosts(client: dashboard.Client) -> list[str]:
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
