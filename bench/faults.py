"""Faults under load. `python -m bench.faults [--db sqlite,postgresql] [--skip-pg-stop]`

F1  a uvicorn worker killed with SIGKILL mid-load: every acknowledged (2xx) write is in the
    database afterwards; the supervisor replaces the worker and the service goes on.
F2  PostgreSQL stopped mid-load: requests get 503 problem responses within a second (not hangs),
    and once PostgreSQL is back the service answers 2xx again on its own, with no restart.
    (F2 stops the cluster named by CIKLAS_BENCH_PG_CLUSTER, default `main`, for a few seconds:
    give it a cluster of its own, see PG_CLUSTER below, or run it on a quiet machine.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from api.security.tokens import generate_private_key_pem
from bench import harness
from bench.generate import generate_organisation
from bench.run import bench_tokens, prepare_database


def worker_pids(supervisor_pid: int) -> list[int]:
    """The supervisor's worker processes: its children that run a worker (spawn_main), not the
    multiprocessing resource tracker, which is a child too (killing it would test nothing)."""
    pids = []
    with contextlib.suppress(FileNotFoundError):
        for pid in Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split():
            with contextlib.suppress(FileNotFoundError):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    pids.append(int(pid))
    return pids


def f1_sigkill(url: str, env: dict, data, tokens: dict, writes: int = 3000) -> dict:
    inst = data.institutions[0]["id"]
    prefix = f"f1-{int(time.time())}"
    requests = [
        {
            "method": "POST",
            "path": f"/api/v1/institutions/{inst}/departments",
            "headers": {"Authorization": f"Bearer {tokens['director']}"},
            "json": {"name": f"{prefix}-{i}"},
        }
        for i in range(writes)
    ]
    with harness.serve("api.asgi:app", env, workers=2) as (api_url, proc):
        result_box: dict = {}
        t = threading.Thread(
            target=lambda: result_box.update(
                harness.load(api_url, requests, connections=16, max_seconds=120, statuses=True)
            )
        )
        t.start()
        time.sleep(1.5)
        victims = worker_pids(proc.pid)
        killed = victims[0] if victims else None
        if killed:
            os.kill(killed, signal.SIGKILL)
        t.join()
        time.sleep(2)
        after = worker_pids(proc.pid)
        healthy = httpx.get(api_url + "/healthz").status_code
    result = result_box
    acknowledged = {f"{prefix}-{i}" for i, s in enumerate(result["statuses"]) if s == 201}
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = {
            r[0] for r in conn.execute(sa.text("SELECT name FROM departments WHERE name LIKE :p"), {"p": f"{prefix}-%"})
        }
    engine.dispose()
    row = {
        "scenario": "F1 SIGKILL a worker mid-load",
        "killed_worker": killed,
        "worker_processes_after": len(after),
        "health_after": healthy,
        "sent": result["requests"],
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "acknowledged_but_lost": len(acknowledged - stored),
        "stored_without_ack": len(stored - acknowledged),
        "statuses": result["status_counts"],
    }
    print(json.dumps(row), flush=True)
    return row


#: The cluster F2 stops and starts: point CIKLAS_BENCH_POSTGRES_URL at a cluster of its own
#: (e.g. `pg_createcluster 15 bench --port 5433 --start -- --auth=trust`) so that stopping it
#: disturbs nothing else on the machine.
PG_CLUSTER = os.environ.get("CIKLAS_BENCH_PG_CLUSTER", "main")


def _pg(action: str) -> None:
    version = os.listdir("/etc/postgresql")[0]
    extra = ["-m", "fast"] if action == "stop" else []
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, PG_CLUSTER, action, *extra],
        check=True,
        capture_output=True,
    )


def f2_postgres_stop(url: str, env: dict, data, tokens: dict) -> dict:
    inst = data.institutions[0]["id"]
    headers = {"Authorization": f"Bearer {tokens['director']}"}
    path = f"/api/v1/institutions/{inst}"
    samples: list[tuple[float, int, float]] = []  # (t, status, latency)
    with harness.serve(
        "api.asgi:app", {**env, "CIKLAS_DATABASE_CONNECT_TIMEOUT": "1", "CIKLAS_DATABASE_POOL_TIMEOUT": "1"}
    ) as (api_url, _proc):
        stop = threading.Event()

        def poll() -> None:
            with httpx.Client(base_url=api_url, timeout=10) as client:
                t0 = time.monotonic()
                while not stop.is_set():
                    started = time.monotonic()
                    try:
                        status = client.get(path, headers=headers).status_code
                    except httpx.HTTPError:
                        status = -1
                    samples.append((started - t0, status, time.monotonic() - started))
                    time.sleep(0.05)

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(2)
        stopped_at = samples[-1][0] if samples else 0.0
        _pg("stop")
        time.sleep(4)
        _pg("start")
        started_at = samples[-1][0] if samples else 0.0
        time.sleep(6)
        stop.set()
        t.join()
    during = [s for s in samples if stopped_at < s[0] < started_at]
    after_start = [s for s in samples if s[0] >= started_at]
    first_ok = next((s[0] - started_at for s in after_start if s[1] == 200), None)
    row = {
        "scenario": "F2 PostgreSQL stopped mid-load",
        "during_outage": {str(k): sum(1 for s in during if s[1] == k) for k in {s[1] for s in during}},
        "max_latency_during_outage_s": round(max((s[2] for s in during), default=0.0), 3),
        "recovered_after_restart_s": round(first_ok, 2) if first_ok is not None else None,
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--skip-pg-stop", action="store_true")
    args = parser.parse_args()
    key = generate_private_key_pem()
    for kind in args.db.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            url = prepare_database(kind, Path(tmp))
            env = {
                "CIKLAS_DATABASE_URL": url,
                "CIKLAS_ENVIRONMENT": "test",
                "CIKLAS_JWT_PRIVATE_KEY": key,
                "CIKLAS_LOG_LEVEL": "WARNING",
            }
            engine = sa.create_engine(url)
            data = generate_organisation(engine, municipalities=2, institutions=4)
            engine.dispose()
            tokens = bench_tokens(url, key, data)
            print(json.dumps({"database": kind}))
            f1_sigkill(url, env, data, tokens)
            if kind == "postgresql" and not args.skip_pg_stop:
                f2_postgres_stop(url, env, data, tokens)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
