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
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from api.migrations import upgrade
from api.models import ApiClient, User
from api.security.tokens import generate_private_key_pem
from api.types import uuid7
from bench import harness, surveys
from bench.generate import _rows, generate_organisation
from bench.scale import generate_care_plans, generate_indicator_values

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
    api_requests = [
        {"method": "GET", "path": f"/api/v1/institutions/{inst}", "headers": {"Authorization": f"Bearer {token}"}}
    ] * n
    limit_requests = [{"method": "GET", "path": f"/institutions/{inst}"}] * n
    with harness.serve("bench.limit_app:app", env) as (limit_url, _):
        limit = harness.load(limit_url, limit_requests, connections=32)
    with harness.serve("api.asgi:app", env) as (api_url, proc):
        result = harness.load(api_url, api_requests, connections=32)
        rss = harness.rss_mb(proc.pid)
    row = harness.report("S0 read one institution (32 connections)", result, limit)
    row["server_rss_mb"] = rss
    return [row]


def _walk(url: str, path: str, token: str, repeat: int) -> dict:
    out = subprocess.run(
        [
            harness.PYTHON,
            "-m",
            "bench.walk",
            "--url",
            url,
            "--path",
            path,
            "--repeat",
            str(repeat),
            "--header",
            f"Authorization: Bearer {token}",
        ],
        cwd=harness.ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    return json.loads(out)


def scenario_s3_municipality_pull(url: str, env: dict[str, str], platform_data, tokens, quick: bool) -> list[dict]:
    """S3: a municipality pulls 10,000 published values (its 5 institutions x 40 indicators x 50
    months): JSON pages of 100 following the cursor, against the limit app doing the same keyset
    queries; CSV in one response; and the 304 path (If-None-Match with the pull's ETag)."""
    muni = platform_data.municipalities[0]
    query = f"municipality_id={muni}&periodicity=month&period_from=2021-11-01"
    repeat = 2 if quick else 5
    with harness.serve("bench.limit_app:app", env) as (limit_url, _):
        limit_json = _walk(limit_url, f"/pull?{query}", "none", repeat)
        limit_csv = harness.load(
            limit_url, [{"method": "GET", "path": f"/pull.csv?{query}"}] * (repeat * 4), connections=1
        )
    auth = {"Authorization": f"Bearer {tokens['municipality']}"}
    with harness.serve("api.asgi:app", env) as (api_url, proc):
        api_json = _walk(api_url, f"/api/v1/indicator-values?{query}&limit=100", tokens["municipality"], repeat)
        csv_requests = [
            {"method": "GET", "path": f"/api/v1/indicator-values?{query}", "headers": {**auth, "Accept": "text/csv"}}
        ] * (repeat * 4)
        api_csv = harness.load(api_url, csv_requests, connections=1)
        first = httpx.get(f"{api_url}/api/v1/indicator-values?{query}&limit=100", headers=auth, timeout=60)
        etag = first.headers["ETag"]
        not_modified = harness.load(
            api_url,
            [
                {
                    "method": "GET",
                    "path": f"/api/v1/indicator-values?{query}&limit=100",
                    "headers": {**auth, "If-None-Match": etag},
                }
            ]
            * 500,
            connections=1,
        )
        rss = harness.rss_mb(proc.pid)
    rows = [
        {
            "scenario": "S3 JSON pull, 10,000 values in pages of 100 (1 client)",
            "rows": api_json["rows"],
            "median_pull_ms": api_json["median_walk_ms"],
            "limit_median_pull_ms": limit_json["median_walk_ms"],
            "time_ratio_to_limit": round(api_json["median_walk_ms"] / limit_json["median_walk_ms"], 2),
            "page_p50_ms": api_json["page_p50_ms"],
            "page_p99_ms": api_json["page_p99_ms"],
        },
        {
            "scenario": "S3 CSV pull, 10,000 values in one response (1 client)",
            "p50_ms": api_csv["p50_ms"],
            "limit_p50_ms": limit_csv["p50_ms"],
            "time_ratio_to_limit": round(api_csv["p50_ms"] / limit_csv["p50_ms"], 2),
            "statuses": api_csv["status_counts"],
        },
        {
            "scenario": "S3 304 Not Modified (If-None-Match, 1 client)",
            "p50_ms": not_modified["p50_ms"],
            "p95_ms": not_modified["p95_ms"],
            "p99_ms": not_modified["p99_ms"],
            "statuses": not_modified["status_counts"],
            "server_rss_mb": rss,
        },
    ]
    for row in rows:
        print(json.dumps(row), flush=True)
    return rows


def scenario_s4_care_plan_list(url: str, env: dict[str, str], platform_data, tokens, quick: bool) -> list[dict]:
    """S4: a social worker's care-plan list (first page of 50, with its audit write) in an
    institution of 200,000 plans, 8 concurrent workers' screens."""
    n = 500 if quick else 3000
    auth = {"Authorization": f"Bearer {tokens['social_worker']}"}
    out = []
    with harness.serve("api.asgi:app", env) as (api_url, proc):
        for label, path in (
            ("care-plan list", "/api/v1/care-plans?limit=50"),
            ("reviews-due list", "/api/v1/care-plans/reviews-due?as_of=2025-11-01&limit=50"),
        ):
            harness.load(api_url, [{"method": "GET", "path": path, "headers": auth}] * 50, connections=4)  # warm-up
            result = harness.load(api_url, [{"method": "GET", "path": path, "headers": auth}] * n, connections=8)
            row = harness.report(f"S4 social worker's {label}, 200,000 plans (8 connections)", result)
            out.append(row)
        rss = harness.rss_mb(proc.pid)
    print(json.dumps({"scenario": "S4 server resident size", "server_rss_mb": rss}), flush=True)
    return out


SCENARIOS = {
    "S0": scenario_s0_read_one,
    "S1": surveys.scenario_s1_mobile_submission,
    "S2": surveys.scenario_s2_batch_sync,
    "S3": scenario_s3_municipality_pull,
    "S4": scenario_s4_care_plan_list,
    "S5": surveys.scenario_s5_recompute,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the API and of the limit app")
    args = parser.parse_args()
    os.environ["CIKLAS_BENCH_WORKERS"] = str(args.workers)
    print(
        json.dumps(
            {
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "workers": args.workers,
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
    )
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
            data = generate_organisation(engine)
            scenarios = args.scenarios.split(",")
            if "S3" in scenarios:
                generate_indicator_values(engine, data)
            if {"S1", "S2", "S5"} & set(scenarios):
                data.campaigns = surveys.generate_campaigns(engine, data)
            if "S5" in scenarios:
                surveys.generate_answers(
                    engine, data, data.campaigns, responses_per_institution=200 if args.quick else 2000
                )
            if "S4" in scenarios:
                data.caseload = generate_care_plans(engine, data, plans=20_000 if args.quick else 200_000)
            engine.dispose()
            tokens = bench_tokens(url, key, data)
            print(json.dumps({"database": kind}))
            for name in scenarios:
                SCENARIOS[name](url, env, data, tokens, args.quick)
    return 0


def bench_tokens(url: str, key: str, data) -> dict[str, str]:
    from api.config import Settings
    from api.security.tokens import TokenService

    service = TokenService(Settings(environment="test", database_url=url, jwt_private_key=key))
    inst = data.institutions[0]
    director = data.users[(inst["id"], "director")][0]
    token, _, _ = service.issue(
        subject=str(director),
        claims={"kind": "user", "role": "director", "institution": str(inst["id"])},
        ttl_seconds=3600,
    )
    muni = data.municipalities[0]
    # Tokens follow their accounts (each request checks the subject's row): real subjects only.
    analyst_id, admin_id = uuid7(), uuid7()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(ApiClient.__table__),
            _rows(
                ApiClient,
                [
                    {
                        "id": analyst_id,
                        "client_id": "bench-municipality",
                        "secret_hash": "-",
                        "name": "Bench analyst",
                        "role": "municipality_analyst",
                        "municipality_id": muni,
                        "is_active": True,
                    }
                ],
            ),
        )
        conn.execute(
            sa.insert(User.__table__),
            _rows(
                User,
                [
                    {
                        "id": admin_id,
                        "username": "bench-admin",
                        "password_hash": "-",
                        "full_name": "Bench admin",
                        "role": "platform_admin",
                        "is_active": True,
                    }
                ],
            ),
        )
    engine.dispose()
    municipality, _, _ = service.issue(
        subject=str(analyst_id),
        claims={"kind": "client", "role": "municipality_analyst", "municipality": str(muni)},
        ttl_seconds=3600,
    )
    admin, _, _ = service.issue(
        subject=str(admin_id), claims={"kind": "user", "role": "platform_admin"}, ttl_seconds=3600
    )
    out = {"director": token, "municipality": municipality, "admin": admin, "directors": {}}
    for i, other in enumerate(data.institutions):
        out["directors"][other["id"]], _, _ = service.issue(
            subject=str(data.users[(other["id"], "director")][0]),
            claims={"kind": "user", "role": "director", "institution": str(other["id"])},
            ttl_seconds=3600,
        )
        if i < 2:
            out["device" if i == 0 else "device2"], _, _ = service.issue(
                subject=str(data.devices[other["id"]]),
                claims={"kind": "client", "role": "feedback_device", "institution": str(other["id"])},
                ttl_seconds=3600,
            )
    caseload = getattr(data, "caseload", None)
    if caseload:
        worker, department = caseload["social_worker"]
        out["social_worker"], _, _ = service.issue(
            subject=str(worker),
            claims={
                "kind": "user",
                "role": "social_worker",
                "institution": str(inst["id"]),
                "department": str(department),
            },
            ttl_seconds=3600,
        )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
