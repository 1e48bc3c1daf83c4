"""The limit we measure against: the thinnest Starlette app doing the same I/O as each hot path,
with the same driver (sqlite3 / psycopg 3), no framework validation, no auth, no ORM.

`uvicorn bench.limit_app:app` with CIKLAS_DATABASE_URL set.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid

import psycopg
from starlette.applications import Starlette
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
    row = conn.execute(_param("SELECT id, name, kind, municipality_id, code, address, version, created_at, "
                              "updated_at FROM institutions WHERE id = ?"),
                       (_id(request.path_params["institution_id"]),)).fetchone()
    if row is None:
        return Response(status_code=404)
    keys = ("id", "name", "kind", "municipality_id", "code", "address", "version", "created_at", "updated_at")
    return Response(json.dumps(dict(zip(keys, map(str, row), strict=True))), media_type="application/json")


def healthz(request: Request) -> Response:
    return Response('{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/healthz", healthz), Route("/institutions/{institution_id}", fetch_institution)])
