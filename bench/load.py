"""The load generator, run as its own process: `python -m bench.load REQUESTS.jsonl --url ... -c 32`.

Reads pre-built requests (one JSON object a line: method, path, headers, body or form), sends them
with `-c` concurrent connections over loopback, bounded by the number of requests and by
`--max-seconds`, and prints one JSON object: throughput, latency percentiles, status counts, and
per-request statuses (with `--statuses`) so callers can reconcile acknowledged writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from ipaddress import ip_address
from urllib.parse import urlsplit

import httpx


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def _loopback_only(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host != "localhost" and not ip_address(host).is_loopback:
        raise SystemExit(f"refusing to send load to {host}: loopback addresses only")


async def run(requests: list[dict], url: str, connections: int, max_seconds: float) -> dict:
    _loopback_only(url)
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    next_index = 0
    deadline = time.perf_counter() + max_seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30.0) as client:

        async def worker() -> None:
            nonlocal next_index
            while next_index < len(requests) and time.perf_counter() < deadline:
                i = next_index
                next_index += 1
                spec = requests[i]
                started = time.perf_counter()
                try:
                    r = await client.request(
                        spec["method"],
                        spec["path"],
                        headers=spec.get("headers"),
                        json=spec.get("json"),
                        data=spec.get("form"),
                    )
                    statuses[i] = r.status_code
                    await r.aclose()
                except httpx.HTTPError:
                    statuses[i] = -1
                latencies[i] = time.perf_counter() - started

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    sent = [i for i, s in enumerate(statuses) if s != 0]
    lat = sorted(latencies[i] * 1000 for i in sent)
    return {
        "requests": len(sent),
        "seconds": round(elapsed, 3),
        "throughput_rps": round(len(sent) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(lat, 0.50), 2),
        "p95_ms": round(percentile(lat, 0.95), 2),
        "p99_ms": round(percentile(lat, 0.99), 2),
        "status_counts": dict(Counter(statuses[i] for i in sent)),
        "statuses": [statuses[i] for i in range(len(requests))],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("requests_file")
    parser.add_argument("--url", required=True)
    parser.add_argument("-c", "--connections", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--statuses", action="store_true", help="include each request's status")
    args = parser.parse_args()
    with open(args.requests_file) as fh:
        requests = [json.loads(line) for line in fh if line.strip()]
    result = asyncio.run(run(requests, args.url, args.connections, args.max_seconds))
    if not args.statuses:
        result.pop("statuses")
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
