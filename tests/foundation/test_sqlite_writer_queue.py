"""SQLite writers of one process queue in arrival order on an in-process lock (api.db.WriterQueue),
handed on at COMMIT or ROLLBACK, and never wait forever."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.db import WriterQueue, create_db_engine, open_session
from tests.conftest import make_settings


@pytest.fixture
def sqlite_engine(tmp_path: Path, signing_key_pem: str):
    settings = make_settings(f"sqlite:///{tmp_path / 'q.db'}", signing_key_pem, sqlite_busy_timeout_ms=300)
    engine = create_db_engine(settings)
    with open_session(engine, write=True) as s:
        s.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        s.commit()
    yield engine
    engine.dispose()


def _queue(engine: sa.Engine) -> WriterQueue:
    return engine.ciklas_writer_queue


def test_waiters_are_served_in_arrival_order() -> None:
    queue = WriterQueue()
    assert queue.acquire(timeout=1)
    order: list[int] = []
    threads = []
    for i in range(5):

        def run(i: int = i) -> None:
            assert queue.acquire(timeout=5)
            order.append(i)
            queue.release()

        t = threading.Thread(target=run)
        t.start()
        threads.append(t)
        while len(queue._waiters) < i + 1:  # until this one is queued
            time.sleep(0.001)
    queue.release()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]
    assert not queue.held


def test_a_waiter_gives_up_after_its_timeout() -> None:
    queue = WriterQueue()
    assert queue.acquire(timeout=1)
    assert not queue.acquire(timeout=0.05)
    queue.release()
    assert not queue.held
    assert queue.acquire(timeout=0.05)


def test_commit_rollback_and_errors_hand_the_queue_on(sqlite_engine: sa.Engine) -> None:
    queue = _queue(sqlite_engine)
    with open_session(sqlite_engine, write=True) as s:
        s.execute(sa.text("INSERT INTO t (v) VALUES ('a')"))
        assert queue.held
        s.commit()
        assert not queue.held
        s.execute(sa.text("INSERT INTO t (v) VALUES ('b')"))  # a second transaction of the same session
        assert queue.held
        s.rollback()
        assert not queue.held
    with pytest.raises(sa.exc.IntegrityError), open_session(sqlite_engine, write=True) as s:
        s.execute(sa.text("INSERT INTO t (id, v) VALUES (1, 'dup')"))
    assert not queue.held
    with open_session(sqlite_engine, write=True) as s:  # closed without commit: the pool's reset
        s.execute(sa.text("INSERT INTO t (v) VALUES ('c')"))
    assert not queue.held
    with open_session(sqlite_engine, write=False) as s:  # readers never queue
        assert s.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
        assert not queue.held


def test_a_writer_nested_in_a_writer_fails_instead_of_hanging(sqlite_engine: sa.Engine) -> None:
    queue = _queue(sqlite_engine)
    with open_session(sqlite_engine, write=True) as outer:
        outer.execute(sa.text("INSERT INTO t (v) VALUES ('outer')"))
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError), open_session(sqlite_engine, write=True) as inner:
            inner.execute(sa.text("INSERT INTO t (v) VALUES ('inner')"))
        assert time.monotonic() - started < 5
        assert queue.held  # still the outer's
        outer.commit()
    assert not queue.held
    with open_session(sqlite_engine, write=True) as s:
        assert s.execute(sa.text("SELECT v FROM t")).scalars().all() == ["outer"]


def test_an_invalidated_connection_hands_the_queue_on(sqlite_engine: sa.Engine) -> None:
    queue = _queue(sqlite_engine)
    with open_session(sqlite_engine, write=True) as s:
        s.execute(sa.text("INSERT INTO t (v) VALUES ('x')"))
        s.connection().invalidate()
        assert not queue.held
    with open_session(sqlite_engine, write=True) as s:
        s.execute(sa.text("INSERT INTO t (v) VALUES ('y')"))
        s.commit()
    assert not queue.held


def test_concurrent_writers_all_commit(sqlite_engine: sa.Engine) -> None:
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            for k in range(10):
                with open_session(sqlite_engine, write=True) as s:
                    s.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), {"v": f"{i}-{k}"})
                    time.sleep(0.001)
                    s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert not _queue(sqlite_engine).held
    with open_session(sqlite_engine, write=False) as s:
        assert s.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 80


def test_postgresql_has_no_writer_queue(signing_key_pem: str) -> None:
    engine = create_db_engine(make_settings("postgresql+psycopg://postgres@127.0.0.1:5432/none", signing_key_pem))
    assert not hasattr(engine, "ciklas_writer_queue")
    engine.dispose()
