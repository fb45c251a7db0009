"""Small helpers shared by the benchmark scripts."""

import importlib.metadata
import os
import time


def package_version(package: str) -> str:
    """The installed version of a package, for the header of a benchmark's report."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def system_busy_seconds() -> float:
    """CPU time all processes of the machine have used so far (from /proc/stat), in seconds."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def background_cores(busy0: float, own_cpu_s: float, wall_s: float) -> float:
    """Average number of cores other processes of the machine kept busy during a measurement."""
    return max(0.0, (system_busy_seconds() - busy0 - own_cpu_s) / wall_s)


QUIET_CORES = 0.25  # background load below which the machine counts as quiet
_quiet_budget = {"left": 180.0}  # seconds the whole run may spend waiting for quiet


def wait_for_quiet(max_wait: float = 30.0) -> float:
    """Wait (bounded) until other processes leave the cores alone; return the last background load seen.

    Shared machines run test suites and browsers beside the benchmark; a measurement taken while they run
    understates the server. Called while the benchmark itself is idle, so all busy CPU is someone else's.
    """
    deadline = time.monotonic() + min(max_wait, _quiet_budget["left"])
    started = time.monotonic()
    while True:
        busy0, t0 = system_busy_seconds(), time.perf_counter()
        time.sleep(0.5)
        load = (system_busy_seconds() - busy0) / (time.perf_counter() - t0)
        if load < QUIET_CORES or time.monotonic() >= deadline:
            _quiet_budget["left"] = max(0.0, _quiet_budget["left"] - (time.monotonic() - started))
            return load
