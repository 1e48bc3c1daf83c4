"""The limit we measure against: the thinnest Starlette app doing the same I/O as each hot path,
with the same driver (sqlite3 / psycopg 3), no framework validation, no auth, no ORM.

`uvicorn bench.limit_app:app` with CIKLAS_DATABASE_URL set.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime

import psycopg
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

URL = os.environ["CIKLAS_DATABASE_URL"]
IS_SQLITE = URL.startswith("sqlite")
_local = threading.local()


def connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        if IS_SQLITE:
            conn = sqlite3.connect(URL.split("///", 1)[1], check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA synchronous=NORMAL")
        else:
            conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        _local.conn = conn
    return conn


def _param(sql: str) -> str:
    return sql if IS_SQLITE else sql.replace("?", "%s")


def _id(value: str):
    return uuid.UUID(value).hex if IS_SQLITE else uuid.UUID(value)


def fetch_institution(request: Request) -> Response:
    """Same I/O as GET /api/v1/institutions/{id}: one primary-key select, serialised."""
    conn = connection()
    row = conn.execute(
        _param(
            "SELECT id, name, kind, municipality_id, code, address, version, created_at, "
            "updated_at FROM institutions WHERE id = ?"
        ),
        (_id(request.path_params["institution_id"]),),
    ).fetchone()
    if row is None:
        return Response(status_code=404)
    keys = ("id", "name", "kind", "municipality_id", "code", "address", "version", "created_at", "updated_at")
    return Response(json.dumps(dict(zip(keys, map(str, row), strict=True))), media_type="application/json")


PULL_SQL = (
    "SELECT v.id, i.municipality_id, v.institution_id, i.name, i.kind, n.code, n.name_lt, n.name_en, n.unit, "
    "v.periodicity, v.period_label, v.period_start, v.period_end, v.value, v.revision, v.published_at, "
    "v.updated_at FROM indicator_values v JOIN institutions i ON i.id = v.institution_id "
    "JOIN indicators n ON n.id = v.indicator_id "
    "WHERE i.municipality_id = ? AND v.status = 'published' AND v.periodicity = ? AND v.period_start >= ? "
)
PULL_KEYS = (
    "id",
    "municipality_id",
    "institution_id",
    "institution_name",
    "institution_kind",
    "indicator_code",
    "indicator_name_lt",
    "indicator_name_en",
    "unit",
    "periodicity",
    "period",
    "period_start",
    "period_end",
    "value",
    "revision",
    "published_at",
    "updated_at",
)


def _pull_args(request: Request) -> tuple:
    q = request.query_params
    return (_id(q["municipality_id"]), q["periodicity"], q["period_from"])


def _plain(value):
    return value if value is None or isinstance(value, int | float | str) else str(value)


def pull_page(request: Request) -> Response:
    """Same I/O as one page of GET /api/v1/indicator-values: the same join and filters, keyset
    (period_start, id), 100 rows a page, serialised to JSON with a cursor."""
    conn = connection()
    sql, args = PULL_SQL, _pull_args(request)
    cursor = request.query_params.get("cursor")
    if cursor:
        start, last_id = cursor.split("|")
        sql += "AND (v.period_start, v.id) > (?, ?) "
        args += (start, _id(last_id))
    rows = conn.execute(_param(sql + "ORDER BY v.period_start, v.id LIMIT 101"), args).fetchall()
    items = [dict(zip(PULL_KEYS, map(_plain, row), strict=True)) for row in rows[:100]]
    next_cursor = f"{items[-1]['period_start']}|{uuid.UUID(str(items[-1]['id']))}" if len(rows) > 100 else None
    return Response(
        json.dumps({"items": items, "next_cursor": next_cursor, "limit": 100}), media_type="application/json"
    )


def pull_csv(request: Request) -> Response:
    """Same I/O as GET /api/v1/indicator-values with Accept: text/csv: every matching row."""
    conn = connection()
    rows = conn.execute(
        _param(PULL_SQL + "ORDER BY v.institution_id, n.code, v.period_start"), _pull_args(request)
    ).fetchall()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PULL_KEYS)
    writer.writerows([_plain(v) for v in row] for row in rows)
    return Response(out.getvalue(), media_type="text/csv")


async def submit_response(request: Request) -> Response:
    """Same I/O as POST /api/v1/surveys/campaigns/{id}/responses: read the campaign, insert the
    response with ON CONFLICT DO NOTHING on (campaign, client id) and its answers in one
    transaction; a taken id reads the stored row back."""
    body = await request.json()
    campaign = request.query_params["campaign_id"]
    return await run_in_threadpool(_store_response, campaign, body)


def _store_response(campaign: str, body: dict) -> Response:
    conn = connection()
    now = datetime.now(UTC)
    if IS_SQLITE:
        conn.execute("BEGIN IMMEDIATE")
    with contextlib.nullcontext() if IS_SQLITE else conn.transaction():
        row = conn.execute(
            _param("SELECT institution_id, version_id FROM survey_campaigns WHERE id = ?"), (_id(campaign),)
        ).fetchone()
        rid = uuid.uuid4()
        values = (
            _id(str(rid)),
            row[0],
            _id(campaign),
            row[1],
            _id(body["client_response_id"]),
            "0" * 64,
            "kiosk",
            now.isoformat() if IS_SQLITE else now,
            now.isoformat() if IS_SQLITE else now,
            now.date().isoformat(),
            False,
        )
        inserted = conn.execute(
            _param(
                "INSERT INTO survey_responses (id, institution_id, campaign_id, version_id, client_response_id, "
                "answers_digest, channel, answered_at, submitted_at, submitted_on, late) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
            ),
            values,
        ).rowcount
        if inserted:
            cur = conn.cursor()
            cur.executemany(
                _param(
                    "INSERT INTO survey_answers (response_id, campaign_id, institution_id, concept_code, "
                    "dimension_code, question_type, value_num, top_box, submitted_on) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                [
                    (
                        values[0],
                        values[2],
                        row[0],
                        a["concept_code"],
                        "SATISFACTION",
                        "likert_5",
                        float(a["value"]),
                        a["value"] >= 4,
                        values[9],
                    )
                    for a in body["answers"]
                ],
            )
        else:
            conn.execute(
                _param("SELECT id FROM survey_responses WHERE campaign_id = ? AND client_response_id = ?"),
                (_id(campaign), _id(body["client_response_id"])),
            ).fetchone()
    if IS_SQLITE:
        conn.execute("COMMIT")
    return Response(
        json.dumps({"id": str(rid), "client_response_id": body["client_response_id"]}),
        status_code=201 if inserted else 200,
        media_type="application/json",
    )


def healthz(request: Request) -> Response:
    return Response('{"status":"ok"}', media_type="application/json")


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/institutions/{institution_id}", fetch_institution),
        Route("/pull", pull_page),
        Route("/pull.csv", pull_csv),
        Route("/responses", submit_response, methods=["POST"]),
    ]
)
