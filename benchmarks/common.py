"""Small helpers shared by the benchmark scripts: package versions, CPU accounting from /proc, the steps
run in child processes, and a gunicorn server on 127.0.0.1 with a plain HTTP client."""

import contextlib
import http.client
import importlib.metadata
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PING_PATH = "/__bench__/ping/"  # the trivial view of benchmarks/bench_urls.py: the bare-Django baseline


def percentile_ms(seconds: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of durations in seconds, in milliseconds; NaN for none."""
    values = sorted(seconds)
    if not values:
        return float("nan")
    return 1000 * values[max(0, math.ceil(q / 100 * len(values)) - 1)]


def cpu_model() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    return next((ln.split(":", 1)[1].strip() for ln in lines if "model name" in ln), platform.processor())


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_step(name: str, cmd: list[str], env: dict, log_dir: Path, timeout: int = 600) -> str:
    started = time.perf_counter()
    out = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    (log_dir / f"{name}.log").write_text(out.stdout + out.stderr)
    if out.returncode:
        raise RuntimeError(f"{name} failed ({out.returncode}):\n{(out.stdout + out.stderr)[-3000:]}")
    print(f"  {name}: {time.perf_counter() - started:.1f} s", flush=True)
    return out.stdout


def proc_children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def proc_cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / tick


def proc_peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """gunicorn serving the project on 127.0.0.1 in its own process group."""

    def __init__(
        self, env: dict, workers: int, log_path: Path, *, port: int | None = None, worker_class="sync", threads=1
    ):
        self.port = port or free_port()
        self.workers = workers
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cms.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--worker-class={worker_class}",
                f"--threads={threads}",
                "--timeout=120",
                "--graceful-timeout=5",
                f"--chdir={REPO}",
            ],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                status, _headers, _body = request("GET", self.port, PING_PATH, timeout=5)
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return proc_children(self.proc.pid)

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.worker_pids())

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # the master stops its workers gracefully
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=15)
        # Whatever is left of the group this benchmark started (the master's pid is its id).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.wait(timeout=15)
        self._log.close()


def request(method: str, port: int, path: str, body: bytes | None = None, headers=None, timeout: float = 60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.msg, data
    finally:
        conn.close()
