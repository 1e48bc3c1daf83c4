"""Start servers on loopback, drive the load generator in a second process, and print figures."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, path: str = "/healthz", timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + path, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become ready")


@contextlib.contextmanager
def serve(app: str, env: dict[str, str], *, workers: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `uvicorn app` on a free loopback port; yields (base_url, process). Without `workers`,
    as many as `python -m bench.run --workers` asked for (CIKLAS_BENCH_WORKERS, default 1): the API
    and the limit app get the same number."""
    workers = workers or int(os.environ.get("CIKLAS_BENCH_WORKERS", "1"))
    port = free_port()
    cmd = [
        PYTHON,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_ready(url)
        except RuntimeError:
            proc.kill()
            raise RuntimeError(f"{app} did not start: {proc.stderr.read().decode()[-2000:]}") from None
        yield url, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def load(
    url: str, requests: list[dict], *, connections: int = 32, max_seconds: float = 60.0, statuses: bool = False
) -> dict:
    """Runs bench/load.py in its own process against `url`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for spec in requests:
            fh.write(json.dumps(spec) + "\n")
        path = fh.name
    try:
        cmd = [
            PYTHON,
            "-m",
            "bench.load",
            path,
            "--url",
            url,
            "-c",
            str(connections),
            "--max-seconds",
            str(max_seconds),
        ] + (["--statuses"] if statuses else [])
        out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, timeout=max_seconds + 60).stdout
        return json.loads(out)
    finally:
        os.unlink(path)


def rss_mb(pid: int) -> float:
    """Resident set size of a process and its children (uvicorn workers), in MiB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(FileNotFoundError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for p in pids:
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def report(name: str, result: dict, limit: dict | None = None) -> dict:
    row = {"scenario": name, **{k: result[k] for k in ("requests", "throughput_rps", "p50_ms", "p95_ms", "p99_ms")}}
    if limit:
        row["limit_rps"] = limit["throughput_rps"]
        # The limit's own tail at the same concurrency: the floor any p99 target is judged against.
        row["limit_p50_ms"], row["limit_p99_ms"] = limit["p50_ms"], limit["p99_ms"]
        row["ratio_to_limit"] = round(result["throughput_rps"] / limit["throughput_rps"], 2)
    row["statuses"] = result["status_counts"]
    print(json.dumps(row), flush=True)
    return row
