"""`python -m bench.run [--db sqlite,postgresql] [--quick]`: every scenario on each database.

Each scenario prints one JSON line: throughput, p50/p95/p99 and, where it has one, the ratio to the
limit app doing the same I/O in the same run. Load comes from a second process on loopback,
bounded in count and time. Nothing is asserted: the README reports the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from api.migrations import upgrade
from api.security.tokens import generate_private_key_pem
from bench import harness
from bench.generate import generate_organisation

PG_URL = os.environ.get("CIKLAS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/ciklas_bench")


def prepare_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        admin = sa.create_engine(PG_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        name = PG_URL.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = PG_URL
    upgrade(url)
    return url


def scenario_s0_read_one(url: str, env: dict[str, str], platform_data, tokens, quick: bool) -> list[dict]:
    """S0: an authenticated read of one row (GET /api/v1/institutions/{id}) — the framework's own
    cost (token check, revocation look-up, tenancy, serialisation) against one primary-key select."""
    n = 2000 if quick else 10000
    inst = platform_data.institutions[0]["id"]
    token = tokens["director"]
    api_requests = [{"method": "GET", "path": f"/api/v1/institutions/{inst}",
                     "headers": {"Authorization": f"Bearer {token}"}}] * n
    limit_requests = [{"method": "GET", "path": f"/institutions/{inst}"}] * n
    with harness.serve("bench.limit_app:app", env) as (limit_url, _):
        limit = harness.load(limit_url, limit_requests, connections=32)
    with harness.serve("api.asgi:app", env) as (api_url, proc):
        result = harness.load(api_url, api_requests, connections=32)
        rss = harness.rss_mb(proc.pid)
    row = harness.report("S0 read one institution (32 connections)", result, limit)
    row["server_rss_mb"] = rss
    return [row]


SCENARIOS = {"S0": scenario_s0_read_one}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    args = parser.parse_args()
    print(json.dumps({"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
                      "date": datetime.now(UTC).isoformat(timespec="seconds")}))
    key = generate_private_key_pem()
    for kind in args.db.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            url = prepare_database(kind, Path(tmp))
            env = {"CIKLAS_DATABASE_URL": url, "CIKLAS_ENVIRONMENT": "test", "CIKLAS_JWT_PRIVATE_KEY": key,
                   "CIKLAS_LOG_LEVEL": "WARNING"}
            engine = sa.create_engine(url)
            data = generate_organisation(engine)
            engine.dispose()
            tokens = bench_tokens(url, key, data)
            print(json.dumps({"database": kind}))
            for name in args.scenarios.split(","):
                SCENARIOS[name](url, env, data, tokens, args.quick)
    return 0


def bench_tokens(url: str, key: str, data) -> dict[str, str]:
    from api.config import Settings
    from api.security.tokens import TokenService

    service = TokenService(Settings(environment="test", database_url=url, jwt_private_key=key))
    inst = data.institutions[0]
    director = data.users[(inst["id"], "director")][0]
    token, _, _ = service.issue(subject=str(director), claims={"kind": "user", "role": "director",
                                                               "institution": str(inst["id"])}, ttl_seconds=3600)
    return {"director": token}


if __name__ == "__main__":
    raise SystemExit(main())
