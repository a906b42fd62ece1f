"""What the service under test uses while the load runs: the memory of each
gunicorn worker, the CPU time of the workers and of their PostgreSQL backends
(and of the load generator and the rest of the machine, for comparison), and
py-spy profiles of the workers."""

import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.server import Gunicorn


def _peak_rss_bytes(pid: int) -> int | None:
    """VmHWM, the most resident memory the process ever had."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class WorkerMemory:
    """Peak resident memory of each gunicorn worker, sampled in the
    background so that a worker recycled by max_requests still counts."""

    def __init__(self, server: Gunicorn, *, interval: float = 0.5) -> None:
        self._server = server
        self._interval = interval
        self._peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WorkerMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()

    def _sample(self) -> None:
        for pid in self._server.worker_pids():
            peak = _peak_rss_bytes(pid)
            if peak is not None:
                self._peaks[pid] = max(peak, self._peaks.get(pid, 0))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def peaks_mb(self) -> list[float]:
        return sorted(
            (round(peak / 1_048_576, 1) for peak in self._peaks.values()),
            reverse=True,
        )


def current_rss_mb(pids: list[int]) -> list[float]:
    found = []
    for pid in pids:
        try:
            found.append(round(psutil.Process(pid).memory_info().rss / 1_048_576, 1))
        except psutil.NoSuchProcess:
            continue
    return sorted(found, reverse=True)


@dataclass(frozen=True)
class CpuSnapshot:
    per_process: dict[int, float]
    # The PostgreSQL backends among them.
    postgres: frozenset[int]


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def service_processes(server: Gunicorn, database: str) -> list[psutil.Process]:
    """The gunicorn workers and the PostgreSQL backends connected to the
    benchmark database (their command line names it)."""
    processes = []
    for pid in server.worker_pids():
        try:
            processes.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if process.info["name"] == "postgres" and f" {database} " in f"{cmdline} ":
            processes.append(process)
    return processes


def cpu_snapshot(server: Gunicorn, database: str) -> CpuSnapshot:
    seconds = {}
    workers = set(server.worker_pids())
    for process in service_processes(server, database):
        try:
            seconds[process.pid] = _cpu_seconds(process)
        except psutil.NoSuchProcess:
            continue
    return CpuSnapshot(per_process=seconds, postgres=frozenset(set(seconds) - workers))


def cpu_seconds_between(
    before: CpuSnapshot, after: CpuSnapshot, *, postgres: bool | None = None
) -> float:
    """CPU time the service spent between two snapshots, all of it or only
    PostgreSQL's (True) or gunicorn's (False); a process that appeared in
    between counts from zero."""
    return sum(
        seconds - before.per_process.get(pid, 0.0)
        for pid, seconds in after.per_process.items()
        if postgres is None or (pid in after.postgres) == postgres
    )


class Profiler:
    """py-spy recording every gunicorn worker until stopped."""

    def __init__(self, pids: list[int], out_dir: Path, phase: str) -> None:
        self._processes = []
        for pid in pids:
            output = out_dir / f"profile-{phase}-{pid}.txt"
            self._processes.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "--pid",
                        str(pid),
                        "--rate",
                        "200",
                        "--format",
                        "raw",
                        "--nonblocking",
                        "--gil",
                        "--output",
                        str(output),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def stop(self) -> None:
        for process in self._processes:
            process.send_signal(signal.SIGINT)
        for process in self._processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _machine_busy_seconds() -> float:
    """CPU time this machine's own processes and kernel ran (steal, the time
    the hypervisor gave elsewhere, is counted apart)."""
    times = psutil.cpu_times()
    return sum(
        getattr(times, name, 0.0)
        for name in ("user", "nice", "system", "irq", "softirq")
    )


def _stolen_seconds() -> float:
    """CPU time the hypervisor gave to other machines while this one's
    processes were ready to run."""
    return getattr(psutil.cpu_times(), "steal", 0.0)


def _children_cpu_seconds() -> float:
    """CPU time of the harness's finished children (Locust)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuAccount:
    """CPU time spent between start() and stop(): the service's (its gunicorn
    workers and their PostgreSQL backends), the load generator's and the
    rest of the machine's."""

    def __init__(self, server: Gunicorn, database: str) -> None:
        self._server = server
        self._database = database

    def start(self) -> None:
        self._before = cpu_snapshot(self._server, self._database)
        self._machine_before = _machine_busy_seconds()
        self._stolen_before = _stolen_seconds()
        self._children_before = _children_cpu_seconds()
        self._started = time.monotonic()

    def stop(self) -> None:
        self.elapsed = time.monotonic() - self._started
        self.load_generator_seconds = _children_cpu_seconds() - self._children_before
        self.machine_seconds = _machine_busy_seconds() - self._machine_before
        self.stolen_seconds = _stolen_seconds() - self._stolen_before
        self._after = cpu_snapshot(self._server, self._database)

    @property
    def service_seconds(self) -> float:
        return cpu_seconds_between(self._before, self._after)

    def cores_used(self) -> dict:
        """CPU seconds per second of each part."""
        cpu = self.service_seconds
        loadgen = self.load_generator_seconds
        elapsed = self.elapsed
        return {
            "service": round(cpu / elapsed, 2),
            "gunicorn_workers": round(
                cpu_seconds_between(self._before, self._after, postgres=False)
                / elapsed,
                2,
            ),
            "postgresql": round(
                cpu_seconds_between(self._before, self._after, postgres=True) / elapsed,
                2,
            ),
            "load_generator": round(loadgen / elapsed, 2),
            "other_processes": round(
                max(self.machine_seconds - cpu - loadgen, 0.0) / elapsed, 2
            ),
            "stolen": round(self.stolen_seconds / elapsed, 2),
        }
