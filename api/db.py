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
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio
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
            raise sa.exc.OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked (writer queue)")
            )
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


class RequestGate:
    """A check the request must pass before its first statement: set by authentication (which
    runs in the event loop and does no I/O), run in the route's own thread by the request's
    session, so that the look-up costs no extra hand-off to the thread pool.

    It runs once, on the first of these that comes: the session's first transaction (on the same
    connection, the first statement of that transaction; for a SQLite writer on its own short read
    *before* ``BEGIN IMMEDIATE``, so a dead token never takes the writer lock), or the session's
    end (a route that ran no statement), always before anything is committed or answered."""

    __slots__ = ("check",)

    def __init__(self) -> None:
        self.check: Callable[[sa.Connection], None] | None = None

    @property
    def pending(self) -> bool:
        return self.check is not None

    def pass_on(self, connection: sa.Connection) -> None:
        check, self.check = self.check, None
        if check is not None:
            check(connection)

    def pass_standalone(self, engine: Engine) -> None:
        """On its own short read transaction (the connection goes back to the pool at once)."""
        if self.check is not None:
            with engine.connect() as connection:
                self.pass_on(connection)


_GATE = "ciklas_gate"
_SQLITE_WRITER = "ciklas_sqlite_writer"


class RequestSession(Session):
    """A Session that passes its request's gate before its first statement (see RequestGate)."""


@event.listens_for(RequestSession, "after_transaction_create")
def _gate_before_writer_lock(session: Session, transaction: Any) -> None:
    # A SQLite writer's first connection begins with BEGIN IMMEDIATE: pass the gate before it,
    # on a connection of its own, returned to the pool before the writer's is taken.
    if transaction.parent is None and session.info.get(_SQLITE_WRITER):
        gate: RequestGate | None = session.info.get(_GATE)
        if gate is not None and gate.pending:
            gate.pass_standalone(session.info[_SQLITE_WRITER])


@event.listens_for(RequestSession, "after_begin")
def _gate_on_first_connection(session: Session, _transaction: Any, connection: sa.Connection) -> None:
    gate: RequestGate | None = session.info.get(_GATE)
    if gate is not None and gate.pending:
        gate.pass_on(connection)


def open_session(engine: Engine, *, write: bool, gate: RequestGate | None = None) -> Session:
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    if gate is None:
        return Session(bind=bind, expire_on_commit=False, autoflush=True)
    session = RequestSession(bind=bind, expire_on_commit=False, autoflush=True)
    session.info[_GATE] = gate
    if write and engine.dialect.name == "sqlite":
        session.info[_SQLITE_WRITER] = engine
    return session


def request_gate(request: Request) -> RequestGate:
    """The request's one gate, shared by its sessions and its authentication."""
    gate = getattr(request.state, "ciklas_gate", None)
    if gate is None:
        gate = request.state.ciklas_gate = RequestGate()
    return gate


async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Blocking end-of-request work (commit, rollback) in a worker thread that does not wait for
    the thread budget (like FastAPI's own exits of sync dependencies: a request that holds a
    transaction must never queue behind requests that wait for it), and that a client hanging up
    cannot interrupt halfway."""
    with anyio.CancelScope(shield=True):
        return await anyio.to_thread.run_sync(function, *args, limiter=anyio.CapacityLimiter(1))


def _finish(session: Session, gate: RequestGate, engine: Engine) -> None:
    try:
        gate.pass_standalone(engine)  # a route that ran no statement: still never answer for a dead token
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _abandon(session: Session, gate: RequestGate, engine: Engine) -> None:
    try:
        session.rollback()
    finally:
        session.close()
    # Failed before its first statement (a 422, say): a dead token still answers 401 first.
    gate.pass_standalone(engine)


async def _end(session: Session, gate: RequestGate, engine: Engine, error: BaseException | None) -> None:
    if not session.in_transaction() and not gate.pending and not (session.new or session.dirty or session.deleted):
        session.close()  # nothing began, nothing to send: no I/O, no thread
        return
    if error is None:
        await _in_thread(_finish, session, gate, engine)
    else:
        await _in_thread(_abandon, session, gate, engine)


@asynccontextmanager
async def _unit_of_work(request: Request, *, write: bool) -> AsyncIterator[Session]:
    # An async dependency: making the session is no I/O, so it takes no thread. The connection is
    # taken by the first statement, in the route's thread; the commit runs in a thread of its own.
    engine = request.app.state.engine
    gate = request_gate(request)
    session = open_session(engine, write=write, gate=gate)
    try:
        yield session
    except BaseException as exc:
        await _end(session, gate, engine, exc)
        raise
    await _end(session, gate, engine, None)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: commits once after the route returns, rolls back on any error."""
    async with _unit_of_work(request, write=request.method not in SAFE_METHODS) as session:
        yield session


#: session.info key of the audit rows an audited read on SQLite writes after its read transaction.
AUDIT_BUFFER = "ciklas_audit_buffer"


def _finish_audited_read(session: Session, gate: RequestGate, engine: Engine, buffer: list[dict[str, Any]]) -> None:
    try:
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("an audited read may write audit events only")
        gate.pass_standalone(engine)
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


async def get_write_session(request: Request) -> AsyncIterator[Session]:
    """For the few safe-method routes that write: audited reads of personal data.

    On PostgreSQL the read and its audit events are one transaction. On SQLite, holding the write
    lock for the whole read would queue every audited read behind the others; so the read runs in
    a deferred (snapshot) transaction that blocks no one, and the audit events it records are
    written afterwards in one short BEGIN IMMEDIATE transaction, still before the response is sent:
    if they cannot be stored, the client gets an error, never unaudited data."""
    engine = request.app.state.engine
    if engine.dialect.name != "sqlite":
        async with _unit_of_work(request, write=True) as session:
            yield session
        return
    buffer: list[dict[str, Any]] = []
    gate = request_gate(request)
    session = open_session(engine, write=False, gate=gate)
    session.info[AUDIT_BUFFER] = buffer
    try:
        yield session
    except BaseException:
        await _in_thread(_abandon, session, gate, engine)
        raise
    await _in_thread(_finish_audited_read, session, gate, engine, buffer)


# scope="function": the commit happens before the response is sent, so an acknowledged write is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
