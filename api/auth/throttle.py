"""The sign-in throttle: a source that fails is slowed, and no one else is.

A *source* is one account (a username or a client_id) tried from one client address
(api/client_address.py; IPv6 addresses count by their /64, which one subscriber usually holds
whole). Each source has its own count of failures. Once it reaches `login_max_failures`, the
source must wait `login_base_delay_seconds` (1 s) before its next attempt is even checked, and each
further failure doubles the wait, up to `login_max_delay_seconds`; meanwhile it is answered 429
with `Retry-After`. A correct
password from another address is not affected, so nobody can lock an account out by failing on
purpose, and a correct password from the slowed source clears its count.

Password spraying (one password tried on many accounts) fails once per account. So each client
address also has a count over all accounts, slowed the same way after
`login_address_max_failures`; a correct sign-in does not clear it.

Counts decay: one failure is forgotten every decay period. Once a source is slowed, each attempt
claims its turn with one conditional UPDATE before the credentials are checked, so concurrent
requests do not multiply its guesses. The counts live in the database, shared by every worker and
replica; failures are written in their own short transaction, kept although the sign-in answers an
error and rolls back.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.client_address import parse_ip
from api.config import Settings
from api.db import open_session
from api.errors import TooManyRequests
from api.models import LoginThrottle
from api.types import utcnow

ACCOUNT_PREFIX = "account:"
ADDRESS_PREFIX = "address:"


@dataclass(frozen=True)
class Policy:
    free: int  # failures before the source is slowed
    decay_seconds: int  # one failure is forgotten per period
    base_delay_seconds: int
    max_delay_seconds: int

    @property
    def ceiling(self) -> int:
        """Failures counted at most: beyond it the delay no longer grows."""
        doublings = math.ceil(math.log2(max(1.0, self.max_delay_seconds / self.base_delay_seconds)))
        return self.free + doublings + 1

    def delay(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        return timedelta(seconds=min(self.max_delay_seconds, self.base_delay_seconds * 2 ** (failures - self.free)))

    def decayed(self, row: LoginThrottle, now: datetime) -> tuple[int, datetime]:
        """The row's failures and decay reference as of `now`."""
        periods = int((now - row.decay_from).total_seconds() // self.decay_seconds)
        if periods <= 0:
            return row.failures, row.decay_from
        failures = max(0, row.failures - periods)
        return failures, (now if failures == 0 else row.decay_from + timedelta(seconds=periods * self.decay_seconds))


def _policies(settings: Settings) -> dict[str, Policy]:
    return {
        ACCOUNT_PREFIX: Policy(
            settings.login_max_failures,
            settings.login_failure_decay_seconds,
            settings.login_base_delay_seconds,
            settings.login_max_delay_seconds,
        ),
        ADDRESS_PREFIX: Policy(
            settings.login_address_max_failures,
            settings.login_address_failure_decay_seconds,
            settings.login_base_delay_seconds,
            settings.login_max_delay_seconds,
        ),
    }


def source_of(address: str) -> str:
    """What one client is: its IPv4 address, its IPv6 /64, or the peer's name when it is no IP."""
    ip = parse_ip(address)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip) if ip is not None else address


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def account_key(account: str, address: str) -> str:
    """`account` is `user:<lower-case username>` or `client:<client_id>`. Hashed: a username field
    sometimes receives a password. The account's hash leads, so all its rows can be forgotten."""
    return f"{ACCOUNT_PREFIX}{_digest(account)}:{_digest(source_of(address))}"


def forget_account(session: Session, account: str) -> None:
    """Deletes the account's counts from every address (an erased person's sign-in traces)."""
    prefix = f"{ACCOUNT_PREFIX}{_digest(account)}:"
    session.exec(sa.delete(LoginThrottle).where(col(LoginThrottle.key).startswith(prefix, autoescape=True)))


def address_key(address: str) -> str:
    return ADDRESS_PREFIX + source_of(address)


def _policy(policies: dict[str, Policy], key: str) -> Policy:
    return policies[ACCOUNT_PREFIX if key.startswith(ACCOUNT_PREFIX) else ADDRESS_PREFIX]


def _too_many(wait: timedelta) -> TooManyRequests:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return TooManyRequests(
        f"Too many failed sign-ins from this address; try again in {seconds} s.",
        headers={"Retry-After": str(seconds), "Cache-Control": "no-store"},
    )


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt admitted by :func:`admit`."""

    account_key: str
    address_key: str
    claimed: dict[str, datetime] = field(default_factory=dict)  # key -> blocked_until this attempt set

    @property
    def keys(self) -> tuple[str, str]:
        return self.account_key, self.address_key


def admit(engine: Engine, settings: Settings, *, account: str, address: str) -> Attempt:
    """Before the credentials are checked: 429 while the source or the address must wait; when
    either is slowed, claim its turn (one attempt per delay, however many arrive at once)."""
    attempt = Attempt(account_key(account, address), address_key(address))
    policies = _policies(settings)
    now = utcnow()
    with open_session(engine, write=False) as session:
        rows = session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(attempt.keys))).all()
    waits = [row.blocked_until - now for row in rows if row.blocked_until is not None and row.blocked_until > now]
    if waits:
        raise _too_many(max(waits))
    slowed = {}
    for row in rows:
        policy = _policy(policies, row.key)
        failures, _ = policy.decayed(row, now)
        hold = policy.delay(failures + 1)
        if failures >= policy.free and hold is not None:
            slowed[row.key] = (row.blocked_until, now + hold)
    if not slowed:
        return attempt
    with open_session(engine, write=True) as session:
        for key in sorted(slowed):
            seen, until = slowed[key]
            turn = session.exec(
                sa.update(LoginThrottle)
                .where(
                    col(LoginThrottle.key) == key,
                    col(LoginThrottle.blocked_until).is_(None)
                    if seen is None
                    else col(LoginThrottle.blocked_until) == seen,
                )
                .values(blocked_until=until)
            )
            if turn.rowcount != 1:  # another attempt of this source took the turn
                session.rollback()
                raise _too_many(until - now)
            attempt.claimed[key] = until
        session.commit()
    return attempt


def record_failure(engine: Engine, settings: Settings, attempt: Attempt) -> None:
    """Counts the failure for the source and the address, in a transaction of its own; the caller
    has ended its own first (on SQLite a second writer of the same thread would wait for itself)."""
    policies = _policies(settings)
    for _try in range(3):
        with open_session(engine, write=True) as session:
            try:
                now = utcnow()
                for key in sorted(attempt.keys):  # one lock order: concurrent failures never deadlock
                    _count(session, _policy(policies, key), key, now)
                _purge(session, policies, now)
                session.commit()
                return
            except IntegrityError:  # a concurrent first failure inserted the row: count again
                session.rollback()


def _count(session: Session, policy: Policy, key: str, now: datetime) -> None:
    row = session.exec(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).first()
    if row is None:
        row = LoginThrottle(key=key, failures=0, decay_from=now)
        session.add(row)
    failures, row.decay_from = policy.decayed(row, now)
    if failures == 0:
        row.decay_from = now
    row.failures = min(failures + 1, policy.ceiling)
    delay = policy.delay(row.failures)
    row.blocked_until = now + delay if delay is not None else None
    session.flush()


def _purge(session: Session, policies: dict[str, Policy], now: datetime) -> None:
    """Rows whose every failure has been forgotten go: the table holds recent failures only."""
    for prefix, policy in policies.items():
        forgotten = now - timedelta(seconds=policy.decay_seconds * policy.ceiling)
        session.exec(
            sa.delete(LoginThrottle).where(
                col(LoginThrottle.key).startswith(prefix),
                col(LoginThrottle.decay_from) < forgotten,
                sa.or_(col(LoginThrottle.blocked_until).is_(None), col(LoginThrottle.blocked_until) < now),
            )
        )


def record_success(session: Session, attempt: Attempt) -> None:
    """In the sign-in's own transaction: the source's count is cleared; the address keeps its count
    (a sprayer with one valid account must not reset it) but hands its turn back."""
    session.exec(sa.delete(LoginThrottle).where(col(LoginThrottle.key) == attempt.account_key))
    until = attempt.claimed.get(attempt.address_key)
    if until is not None:
        session.exec(
            sa.update(LoginThrottle)
            .where(col(LoginThrottle.key) == attempt.address_key, col(LoginThrottle.blocked_until) == until)
            .values(blocked_until=None)
        )
