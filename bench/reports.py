"""The report: figures from the raw timings, the median over runs, the
verdicts against the targets, the machine it ran on, and the printed table."""

import os
import platform
import statistics

import psycopg

# The extension syncs every two hours with about 150 visited hosts.
SYNC_SECONDS = 2 * 60 * 60
HOSTS_PER_SYNC = 150

TARGETS = {
    "url-visits": "≥5000 entries/s, p99<250ms, 0 errors",
    "contract-usage": "p95<100ms",
    "usage-trend": "p95<300ms",
    "inactive-users": "p95<300ms",
    "renewals": "",
    "spend-by-department": "p95<300ms",
}


def percentile(values: list[float], share: float) -> float | None:
    """Linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_figures(latencies: list[float]) -> dict:
    return {
        "p50_ms": rounded(percentile(latencies, 0.50)),
        "p95_ms": rounded(percentile(latencies, 0.95)),
        "p99_ms": rounded(percentile(latencies, 0.99)),
    }


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def median_of(runs: list[dict], *keys: str) -> float | None:
    values = []
    for run in runs:
        value = run
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            values.append(value)
    return rounded(statistics.median(values), 2) if values else None


# Ingestion requests per second as a share of GET /healthz requests per second
# on the same server in the same run (issue 12).
FLOOR_SHARE_TARGET = 0.25


def share_of_floor(ingestion: dict, floor: dict) -> float | None:
    """Ingestion requests/s over the floor's requests/s."""
    if not floor.get("requests_per_s"):
        return None
    return round(ingestion["requests_per_s"] / floor["requests_per_s"], 3)


def devices_per_core(entries_per_cpu_second: float | None) -> int | None:
    """Extension devices one CPU core serves, each syncing HOSTS_PER_SYNC
    hosts every SYNC_SECONDS."""
    if entries_per_cpu_second is None:
        return None
    return int(entries_per_cpu_second * SYNC_SECONDS / HOSTS_PER_SYNC)


def machine_description(database_url: str | None) -> dict:
    cpu_model = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    postgres = None
    if database_url:
        with psycopg.connect(database_url) as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model,
        "memory_gib": round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        ),
        "postgresql": postgres,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and digits == 0:
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def verdicts(summary: dict) -> dict[str, str]:
    """Met or missed, per target; printed, never enforced."""
    ingestion = summary["ingestion"]
    analytics = summary["analytics"]

    def mark(ok: bool | None) -> str:
        return "-" if ok is None else ("met" if ok else "MISSED")

    def below(value, limit):
        return None if value is None else value < limit

    rss = summary.get("max_worker_rss_after_mb")
    share = summary.get("ingestion_share_of_floor")
    return {
        "floor": mark(None if share is None else share >= FLOOR_SHARE_TARGET),
        "url-visits": mark(
            ingestion["entries_per_s"] is not None
            and ingestion["entries_per_s"] >= 5000
            and below(ingestion["p99_ms"], 250)
            and ingestion["errors"] == 0
        ),
        "contract-usage": mark(below(analytics["contract-usage"]["p95_ms"], 100)),
        "usage-trend": mark(below(analytics["usage-trend"]["p95_ms"], 300)),
        "inactive-users": mark(below(analytics["inactive-users"]["p95_ms"], 300)),
        "renewals": "",
        "spend-by-department": mark(
            below(analytics["spend-by-department"]["p95_ms"], 300)
        ),
        "rss": mark(below(rss, 150)),
    }


def discovery_line(discovery: dict) -> str:
    """Ingestion with shadow-IT discovery off and on, as one printed line."""
    off, on = discovery["off"], discovery["on"]
    return (
        f"  discovery off {off['entries_per_s']:,.0f} entries/s (p99 "
        f"{off['p99_ms']} ms), on {on['entries_per_s']:,.0f} entries/s (p99 "
        f"{on['p99_ms']} ms): costs {discovery['throughput_cost_percent']}% of "
        f"the throughput (target at most 10%); errors {off['errors']} and "
        f"{on['errors']}"
    )


def _median_share(runs: list[dict]) -> float | None:
    shares = [
        run["ingestion_share_of_floor"]
        for run in runs
        if run.get("ingestion_share_of_floor") is not None
    ]
    return round(statistics.median(shares), 3) if shares else None


def summarize(runs: list[dict]) -> dict:
    """The median of each figure over the runs."""
    figures = ("requests", "errors", "requests_per_s", "p50_ms", "p95_ms", "p99_ms")
    ingestion = {
        key: median_of(runs, "ingestion", key)
        for key in (*figures, "entries_per_s", "matched_share")
    }
    analytics = {
        name: {key: median_of(runs, "analytics", name, key) for key in figures}
        for name in runs[0]["analytics"]
    }
    return {
        "floor": {key: median_of(runs, "floor", key) for key in figures},
        "ingestion": ingestion,
        # Three digits, so that 24.7% is not rounded up to a met 25%.
        "ingestion_share_of_floor": _median_share(runs),
        "analytics": analytics,
        "max_worker_peak_rss_mb": median_of(runs, "max_worker_peak_rss_mb"),
        "max_worker_rss_after_mb": median_of(runs, "max_worker_rss_after_mb"),
        "entries_per_cpu_second": median_of(runs, "entries_per_cpu_second"),
        "devices_per_core": median_of(runs, "devices_per_core"),
    }


def print_table(report: dict) -> None:
    summary = report["summary"]
    marks = verdicts(summary)
    machine = report["machine"]
    setup = report["setup"]
    runs = len(report["runs"])
    print()
    print(
        f"proCure benchmark: {machine['cores']} cores ({machine['cpu']}), "
        f"PostgreSQL {machine['postgresql'] or 'remote'}, Python {machine['python']}"
    )
    print(
        f"{setup['target']}; {setup['concurrency']} devices x {setup['batch_size']} "
        f"entries for {setup['duration_s']:.0f}s ({setup['warmup_s']:.0f}s warm-up); "
        + (f"median of {runs} runs" if runs > 1 else "1 run")
    )
    header = (
        f"{'endpoint':<20}{'requests':>9}{'req/s':>8}{'entries/s':>11}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}  target"
    )
    print(header)
    print("-" * (len(header) + 40))
    rows = [
        ("healthz (floor)", summary["floor"]),
        ("url-visits", summary["ingestion"]),
        *summary["analytics"].items(),
    ]
    for name, figures in rows:
        target = TARGETS.get(name, "")
        verdict = f" ({marks[name]})" if marks.get(name) else ""
        print(
            f"{name:<20}{_fmt(figures['requests'], 0):>9}"
            f"{_fmt(figures['requests_per_s']):>8}"
            f"{_fmt(figures.get('entries_per_s'), 0):>11}"
            f"{_fmt(figures['p50_ms']):>9}{_fmt(figures['p95_ms']):>9}"
            f"{_fmt(figures['p99_ms']):>9}{_fmt(figures['errors'], 0):>8}"
            f"  {target}{verdict}"
        )
    print()
    share = summary["ingestion_share_of_floor"]
    if share is not None:
        print(
            f"ingestion / floor: {share:.1%} of GET /healthz requests/s on the same "
            f"server, same concurrency (target ≥ {FLOOR_SHARE_TARGET:.0%}: "
            f"{marks['floor']}); per run: "
            + ", ".join(
                f"{run['ingestion_share_of_floor']:.1%}" for run in report["runs"]
            )
        )
    if report["runs"][0].get("worker_peak_rss_mb") is not None:

        def per_run(key: str) -> str:
            return " / ".join(
                " ".join(f"{mb:.0f}" for mb in run[key]) for run in report["runs"]
            )

        print(
            f"gunicorn worker RSS after the run (MB, each worker): "
            f"{per_run('worker_rss_after_mb')} (target <150 MB: {marks['rss']})"
        )
        print(
            f"gunicorn worker peak RSS during the run (MB, VmHWM): "
            f"{per_run('worker_peak_rss_mb')}; the worker that signs the admin "
            "in peaks about 100 MB higher for a moment, Argon2's memory cost"
        )
    seeding = report.get("seeding")
    if seeding:
        note = " (reused: seeded by an earlier run)" if seeding["reused"] else ""
        print(
            f"seeding: {seeding['seconds']:.1f}s for {seeding['activities']:,} "
            f"activity rows{note}"
        )
    if summary.get("devices_per_core"):
        print(
            f"capacity: one CPU core (gunicorn + PostgreSQL) serves about "
            f"{summary['devices_per_core']:,.0f} extension devices syncing "
            f"{HOSTS_PER_SYNC} hosts every two hours "
            f"({summary['entries_per_cpu_second']:,.0f} entries per CPU-second)"
        )
    for number, run in enumerate(report["runs"], start=1):
        cores = run.get("cores_used_during_ingestion")
        if cores:
            print(
                f"CPU cores used during ingestion, run {number}: service "
                f"{cores['service']} (gunicorn {cores['gunicorn_workers']}, "
                f"PostgreSQL {cores['postgresql']}), load generator "
                f"{cores['load_generator']}, "
                f"other processes on the machine {cores['other_processes']}, "
                f"taken by the hypervisor {cores.get('stolen', 0.0)}"
            )
    for number, run in enumerate(report["runs"], start=1):
        figures = run.get("purge")
        if figures:
            print(
                f"purge of the oldest full month ({figures['month']}, "
                f"{figures['rows']:,} rows), run {number}: DELETE "
                f"{figures['delete_s']:.2f} s, detach + drop of its partition "
                f"{figures['drop_s']:.3f} s (both rolled back)"
            )
    print(f"matched share of entries: {summary['ingestion']['matched_share']}")
    print(f"JSON: {report['output']}")
