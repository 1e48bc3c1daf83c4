"""Failed-login throttling, shared by every worker through the database.

Failures are counted in their own short transaction, so they are kept although the login request
itself answers 401 and rolls back.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.config import Settings
from api.db import open_session
from api.errors import TooManyRequests
from api.models import LoginThrottle
from api.types import utcnow


def ensure_not_locked(session: Session, key: str, settings: Settings) -> None:
    row = session.get(LoginThrottle, key)
    if row is None or row.failures < settings.login_max_failures:
        return
    window_end = row.window_started_at + timedelta(seconds=settings.login_failure_window_seconds)
    remaining = int((window_end - utcnow()).total_seconds())
    if remaining > 0:
        raise TooManyRequests(
            "Too many failed sign-in attempts; try again later.", headers={"Retry-After": str(remaining)}
        )


def record_failure(engine: Engine, key: str, settings: Settings) -> None:
    for _attempt in range(3):
        with open_session(engine, write=True) as session:
            try:
                row = session.get(LoginThrottle, key)
                now = utcnow()
                window = timedelta(seconds=settings.login_failure_window_seconds)
                if row is None:
                    session.add(LoginThrottle(key=key, failures=1, window_started_at=now))
                elif row.window_started_at + window < now:
                    row.failures, row.window_started_at = 1, now
                else:
                    row.failures += 1
                session.commit()
                return
            except IntegrityError:
                session.rollback()


def clear(session: Session, key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        session.delete(row)
