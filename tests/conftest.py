"""Both databases, built by Alembic, each test starting from empty tables.

Every test that uses `client`, `session` or `world` runs twice: on SQLite (a file per run) and on
PostgreSQL (CIKLAS_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test).
When PostgreSQL is unreachable its half is skipped, unless CIKLAS_TEST_REQUIRE_POSTGRES=1 (CI),
which fails instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from api.config import Settings
from api.main import create_app
from api.migrations import upgrade
from api.security.tokens import KeyPair, generate_private_key_pem, load_keys
from tests.factories import World, build_world

POSTGRES_URL = os.environ.get("CIKLAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("CIKLAS_TEST_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def signing_key_pem() -> str:
    return generate_private_key_pem()


def make_settings(database_url: str, pem: str, **overrides) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        jwt_private_key=pem,
        log_level="WARNING",
        database_pool_size=5,
        **overrides,
    )


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 3})
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ciklas-test.db'}"
    else:
        url = POSTGRES_URL
        try:
            _reset_postgres(url)
        except sa.exc.OperationalError as exc:
            if REQUIRE_POSTGRES:
                pytest.fail(f"PostgreSQL is required (CIKLAS_TEST_REQUIRE_POSTGRES=1) but unreachable: {exc}")
            pytest.skip(f"PostgreSQL unreachable at {url}")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def app(database_url: str, signing_key_pem: str) -> Iterator[FastAPI]:
    application = create_app(make_settings(database_url, signing_key_pem))
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def keys(app: FastAPI) -> KeyPair:
    return app.state.tokens.keys


def _truncate(engine: sa.Engine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for name in tables:
                conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def db_engine(app: FastAPI) -> Iterator[sa.Engine]:
    yield app.state.engine
    _truncate(app.state.engine)


@pytest.fixture
def client(app: FastAPI, db_engine: sa.Engine) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


class FreshSession(Session):
    """A test session that sees what the API committed since its last query.

    Before each query it ends its read transaction when it holds nothing unflushed, so neither a
    SQLite WAL snapshot nor identity-map caching can show the test stale rows."""

    def _fresh(self) -> None:
        if self.in_transaction() and not (self.new or self.dirty or self.deleted):
            self.rollback()

    def get(self, *args, **kwargs):  # type: ignore[override]
        self._fresh()
        return super().get(*args, **kwargs)

    def exec(self, *args, **kwargs):  # type: ignore[override]
        self._fresh()
        return super().exec(*args, **kwargs)

    def execute(self, *args, **kwargs):  # type: ignore[override]
        self._fresh()
        return super().execute(*args, **kwargs)

    def scalar(self, *args, **kwargs):  # type: ignore[override]
        self._fresh()
        return super().scalar(*args, **kwargs)


@pytest.fixture
def session(db_engine: sa.Engine) -> Iterator[Session]:
    """A session to arrange data (commit what you arrange) and inspect what the API stored: every
    query sees the latest committed state."""
    with FreshSession(bind=db_engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def world(app: FastAPI, db_engine: sa.Engine) -> World:
    """Two municipalities; institutions A and B in the first, C in the second; a user of every role
    in A and B; a municipality client for each municipality and a feedback device for A and B."""
    return build_world(app)


__all__ = ["load_keys", "make_settings"]
