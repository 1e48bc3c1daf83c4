"""Walks a keyset-paginated list as one client would, in its own process:

    python -m bench.walk --url URL --path '/api/v1/indicator-values?limit=100' --header 'Authorization: Bearer …'

Follows `next_cursor` (appending `cursor=` to the path) until the list ends, `--repeat` times, and
prints one JSON object: rows and pages per walk, each walk's time, and the page latencies.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from urllib.parse import quote

import httpx

from bench.load import _loopback_only, percentile


def walk(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[int, list[float]]:
    rows, pages, cursor = 0, [], None
    while True:
        url = path if cursor is None else f"{path}{'&' if '?' in path else '?'}cursor={quote(cursor)}"
        started = time.perf_counter()
        r = client.get(url, headers=headers)
        body = r.json()
        pages.append((time.perf_counter() - started) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{r.status_code} {r.text[:500]}")
        rows += len(body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            return rows, pages


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _loopback_only(args.url)
    headers = dict(h.split(": ", 1) for h in args.header)
    walks, all_pages, rows = [], [], 0
    with httpx.Client(base_url=args.url, timeout=60.0) as client:
        walk(client, args.path, headers)  # warm-up: caches, connection, first-request imports
        for _ in range(args.repeat):
            started = time.perf_counter()
            rows, pages = walk(client, args.path, headers)
            walks.append(round((time.perf_counter() - started) * 1000, 1))
            all_pages += pages
    all_pages.sort()
    json.dump(
        {
            "rows": rows,
            "pages": len(all_pages) // max(1, args.repeat),
            "walk_ms": walks,
            "median_walk_ms": sorted(walks)[len(walks) // 2],
            "page_p50_ms": round(percentile(all_pages, 0.5), 2),
            "page_p99_ms": round(percentile(all_pages, 0.99), 2),
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
