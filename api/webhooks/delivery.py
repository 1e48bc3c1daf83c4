"""Delivering the outbox: POST each due delivery with its HMAC signature, record every attempt,
retry with exponential backoff, give up after the last attempt. A delivery whose target is refused
(api.webhooks.targets: not a public address, in production) fails at once: no retry could change it.

`deliver_pending()` does one pass and is what tests call; `DeliveryWorker` runs passes in a thread
started with the app. A delivery is claimed (its next attempt pushed past the HTTP timeout) in a
short transaction before the request goes out, so no database lock is held while a receiver
answers and two workers do not send the same delivery at once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel import select

from api.config import Settings
from api.db import open_session
from api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription
from api.types import utcnow
from api.webhooks.outbox import SIGNATURE_HEADER, signature
from api.webhooks.targets import TargetRefused, TargetUnresolved, resolve

logger = logging.getLogger("ciklas.webhooks")


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 6
    backoff_seconds: float = 30.0
    timeout_seconds: float = 5.0
    #: Off in production: a subscriber must not make the server call its own network.
    allow_private_addresses: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        allow = settings.webhook_allow_private_addresses
        if allow is None:
            allow = settings.environment != "production"
        return cls(
            settings.webhook_max_attempts, settings.webhook_backoff_seconds, settings.webhook_timeout_seconds, allow
        )

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt: backoff, 2×, 4×, ..."""
        return timedelta(seconds=self.backoff_seconds * 2 ** (attempts - 1))


@dataclass(frozen=True)
class _Claimed:
    delivery_id: uuid.UUID
    url: str
    secrets: list[str]
    event: str
    body: str
    attempt: int


def _claim(engine: sa.Engine, now: datetime, policy: DeliveryPolicy, limit: int) -> list[_Claimed]:
    with open_session(engine, write=True) as session:
        stmt = (
            select(WebhookDelivery, WebhookSubscription)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookDelivery.status == DeliveryStatus.pending, WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=WebhookDelivery, skip_locked=True)
        claimed = []
        lease = now + timedelta(seconds=policy.timeout_seconds + 60)
        for delivery, subscription in session.exec(stmt).all():
            delivery.next_attempt_at = lease
            session.add(delivery)
            secrets = [subscription.secret]
            if (
                subscription.previous_secret
                and subscription.previous_secret_expires_at
                and subscription.previous_secret_expires_at > now
            ):
                secrets.append(subscription.previous_secret)
            claimed.append(
                _Claimed(delivery.id, subscription.url, secrets, delivery.event, delivery.body, delivery.attempts + 1)
            )
        session.commit()
        return claimed


@dataclass(frozen=True)
class _Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int
    final: bool = False  #: refused: fail now instead of retrying


def _post(client: httpx.Client, item: _Claimed, policy: DeliveryPolicy) -> _Outcome:
    """One attempt: resolve the receiver once, check the addresses, POST to the checked one."""
    body = item.body.encode()
    try:
        target = resolve(item.url, allow_private=policy.allow_private_addresses)
    except TargetRefused as exc:
        return _Outcome(None, f"refused: {exc}"[:1000], 0, final=True)
    except TargetUnresolved as exc:
        return _Outcome(None, str(exc)[:1000], 0)
    started = time.monotonic()
    try:
        request = client.build_request(
            "POST",
            target.url,
            content=body,
            headers={
                "Host": target.host_header,
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature(item.secrets, body),
                "X-Ciklas-Event": item.event,
                "X-Ciklas-Delivery": str(item.delivery_id),
                "User-Agent": "Ciklas-Webhooks/1.0",
            },
            extensions={"sni_hostname": target.server_name} if target.server_name else None,
        )
        response = client.send(request)
        error = None if response.is_success else f"HTTP {response.status_code}"
        return _Outcome(response.status_code, error, int((time.monotonic() - started) * 1000))
    except httpx.HTTPError as exc:
        return _Outcome(None, f"{type(exc).__name__}: {exc}"[:1000], int((time.monotonic() - started) * 1000))


def _record(engine: sa.Engine, item: _Claimed, outcome: _Outcome, now: datetime, policy: DeliveryPolicy) -> None:
    with open_session(engine, write=True) as session:
        delivery = session.get(WebhookDelivery, item.delivery_id)
        if delivery is None:  # the subscription was deleted meanwhile
            return
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                number=item.attempt,
                attempted_at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        delivery.attempts = item.attempt
        delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
        if outcome.error is None:
            delivery.status, delivery.delivered_at = DeliveryStatus.delivered, now
        elif outcome.final or item.attempt >= policy.max_attempts:
            delivery.status = DeliveryStatus.failed
        else:
            delivery.next_attempt_at = now + policy.backoff(item.attempt)
        session.add(delivery)
        session.commit()


def deliver_pending(
    engine: sa.Engine,
    *,
    policy: DeliveryPolicy | None = None,
    now: datetime | None = None,
    limit: int = 100,
    client: httpx.Client | None = None,
) -> int:
    """One pass over the due deliveries; returns how many were attempted. `now` lets tests step
    through the backoff without sleeping."""
    policy = policy or DeliveryPolicy()
    now = now or utcnow()
    claimed = _claim(engine, now, policy, limit)
    if not claimed:
        return 0
    own = client is None
    # No redirects (a receiver could point elsewhere) and no proxy from the environment (the
    # request must go to the address that was checked).
    client = client or httpx.Client(timeout=policy.timeout_seconds, follow_redirects=False, trust_env=False)
    try:
        for item in claimed:
            _record(engine, item, _post(client, item, policy), now, policy)
    finally:
        if own:
            client.close()
    return len(claimed)


class DeliveryWorker(threading.Thread):
    """Runs `deliver_pending` every `interval` seconds until stopped; a failing pass is logged and
    the next one tries again."""

    def __init__(self, engine: sa.Engine, policy: DeliveryPolicy, interval: float):
        super().__init__(name="ciklas-webhooks", daemon=True)
        self.engine, self.policy, self.interval = engine, policy, interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                deliver_pending(self.engine, policy=self.policy)
            except Exception:  # keep the worker alive; the deliveries stay pending
                logger.exception("webhook delivery pass failed")
            self._stop_event.wait(self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop_event.set()
        self.join(timeout)
