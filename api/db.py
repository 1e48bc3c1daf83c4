"""The engine, the naming convention and the one unit of work per request.

SQLite runs in WAL mode with foreign keys on. Its transactions are opened by us, not by the driver:
a request that may write takes the write lock at BEGIN (``BEGIN IMMEDIATE``), so two writers queue
on ``busy_timeout`` instead of failing when one of them tries to upgrade a read lock (the classic
SQLite deadlock). Read-only requests use a plain deferred BEGIN and never block writers in WAL mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from api.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

WRITE_OPTION = "ciklas_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_db_engine(settings: Settings) -> Engine:
    url = sa.make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            engine = sa.create_engine(url, connect_args={"check_same_thread": False}, poolclass=sa.pool.StaticPool)
            _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
            return engine
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_pool_size,
            pool_timeout=settings.database_pool_timeout,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return sa.create_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_timeout=settings.database_pool_timeout,
        pool_pre_ping=True,
        connect_args={"connect_timeout": settings.database_connect_timeout},
    )


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite would otherwise defer it until the first write).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def open_session(engine: Engine, *, write: bool) -> Session:
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return Session(bind=bind, expire_on_commit=False, autoflush=True)


def _session_for(request: Request, *, write: bool) -> Iterator[Session]:
    session = open_session(request.app.state.engine, write=write)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: commits once after the route returns, rolls back on any error."""
    yield from _session_for(request, write=request.method not in SAFE_METHODS)


#: session.info key of the audit rows an audited read on SQLite writes after its read transaction.
AUDIT_BUFFER = "ciklas_audit_buffer"


def get_write_session(request: Request) -> Iterator[Session]:
    """For the few safe-method routes that write: audited reads of personal data.

    On PostgreSQL the read and its audit events are one transaction. On SQLite, holding the write
    lock for the whole read would queue every audited read behind the others; so the read runs in
    a deferred (snapshot) transaction that blocks no one, and the audit events it records are
    written afterwards in one short BEGIN IMMEDIATE transaction, still before the response is sent:
    if they cannot be stored, the client gets an error, never unaudited data."""
    engine = request.app.state.engine
    if engine.dialect.name != "sqlite":
        yield from _session_for(request, write=True)
        return
    buffer: list[dict[str, Any]] = []
    session = open_session(engine, write=False)
    session.info[AUDIT_BUFFER] = buffer
    try:
        yield session
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("an audited read may write audit events only")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if buffer:
        from api.models import AuditEvent  # the models import this module

        with open_session(engine, write=True) as writer:
            writer.execute(sa.insert(AuditEvent.__table__), buffer)
            writer.commit()


# scope="function": the commit happens before the response is sent, so an acknowledged write is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
