"""The engine, the naming convention and the one unit of work per request.

SQLite runs in WAL mode with foreign keys on. Its transactions are opened by us, not by the driver:
a request that may write takes the write lock at BEGIN (``BEGIN IMMEDIATE``), so two writers queue
instead of failing when one of them tries to upgrade a read lock (the classic SQLite deadlock).
Read-only requests use a plain deferred BEGIN and never block writers in WAL mode.

Writers of one process queue first on an in-process FIFO (:class:`WriterQueue`), taken just before
``BEGIN IMMEDIATE`` and handed to the next writer in arrival order right after COMMIT or ROLLBACK.
SQLite's own busy handler polls with growing sleeps (up to 100 ms each), so under load a writer
could wait far longer than the lock was held and the order was arbitrary: long tails and a few
requests past ``busy_timeout``. ``busy_timeout`` stays as the safety net between processes
(several workers) and bounds the wait in the queue too, so nothing waits forever.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterator
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


class WriterQueue:
    """A fair (FIFO) lock for the SQLite writers of one engine in this process.

    Not owned by a thread: FastAPI may begin a request's transaction in one worker thread and
    commit it in another, so ownership is a flag in the pooled connection's ``info``. A release
    hands the lock straight to the oldest waiter, so a newcomer can never overtake the queue."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=timeout):
            return True
        with self._mutex:
            try:
                self._waiters.remove(waiter)
            except ValueError:  # handed over between the timeout and now: it is ours
                return True
            return False

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # stays held, by the next in line
            else:
                self._held = False

    @property
    def held(self) -> bool:
        return self._held


#: Pooled connection ``info`` key: this connection's open transaction holds the writer queue.
_HOLDS_WRITER_QUEUE = "ciklas_holds_writer_queue"


def _release_writer_queue(queue: WriterQueue, info: dict | None) -> None:
    if info is not None and info.pop(_HOLDS_WRITER_QUEUE, False):
        queue.release()


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    queue = WriterQueue()
    engine.ciklas_writer_queue = queue  # type: ignore[attr-defined]  # for tests and diagnostics

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
        if not conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN")
            return
        info = conn.connection.info
        # The same wait budget as SQLite's: a writer nested inside another writer of the same
        # thread (which SQLite would make wait out busy_timeout too) fails instead of hanging.
        if not queue.acquire(timeout=busy_timeout_ms / 1000):
            raise sa.exc.OperationalError("BEGIN IMMEDIATE", None,
                                          sqlite3.OperationalError("database is locked (writer queue)"))
        info[_HOLDS_WRITER_QUEUE] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release_writer_queue(queue, info)
            raise

    # Hand the queue on right after the transaction ends. The dialect's do_commit/do_rollback are
    # the only places that see the end (the connection events fire before it); the pool's
    # checkin and invalidate are the safety net for a connection dropped mid-transaction.
    def _releasing(original: Callable[[Any], None]) -> Callable[[Any], None]:
        def wrapped(dbapi_connection: Any) -> None:
            try:
                info = dbapi_connection.info
            except (AttributeError, NotImplementedError):  # the engine's first-connect probe
                info = None
            try:
                original(dbapi_connection)
            finally:
                _release_writer_queue(queue, info)
        return wrapped

    engine.dialect.do_commit = _releasing(engine.dialect.do_commit)  # type: ignore[method-assign]
    engine.dialect.do_rollback = _releasing(engine.dialect.do_rollback)  # type: ignore[method-assign]

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release_writer_queue(queue, record.info)

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exc: Any) -> None:
        _release_writer_queue(queue, record.info)


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
