"""The outbox: `emit()` writes one delivery per interested subscription inside the caller's
transaction, so an event is sent exactly when the change that caused it is committed, and the
request never waits for a receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.models import Institution, WebhookDelivery, WebhookSubscription
from api.types import utcnow, uuid7

#: Events a subscription may ask for.
EVENTS: dict[str, tuple[str, str]] = {
    "plan.approved": ("Patvirtintas veiklos planas", "An activity plan was approved"),
    "indicator.published": ("Paskelbta rodiklio reikšmė", "An indicator value was published"),
    "report.published": ("Paskelbta metinė ataskaita", "An annual report was published"),
    "measure.completed": ("Įgyvendinta tobulinimo priemonė", "An improvement measure was completed"),
    "proposal.answered": ("Atsakyta į pasiūlymą", "A proposal was answered"),
}
SIGNATURE_HEADER = "X-Ciklas-Signature"


def sign(secret: str, body: bytes) -> str:
    """The value of the X-Ciklas-Signature header: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature(secrets: list[str], body: bytes) -> str:
    """The header for a delivery: one `sha256=` signature per valid secret, comma-separated, the
    current secret's first. Two appear only during a rotation's overlap."""
    return ",".join(sign(secret, body) for secret in secrets)


def emit(session: Session, event: str, institution_id: uuid.UUID, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue `event` about `institution_id` for every active subscription of the institution or of
    its municipality that asked for it. Flushes nothing; the request's commit sends it."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    municipality_id = session.exec(select(Institution.municipality_id).where(Institution.id == institution_id)).first()
    owners = [WebhookSubscription.institution_id == institution_id]
    if municipality_id is not None:
        owners.append(WebhookSubscription.municipality_id == municipality_id)
    subscriptions = session.exec(
        select(WebhookSubscription)
        .where(WebhookSubscription.active.is_(True), sa.or_(*owners))
        .order_by(WebhookSubscription.id)
    ).all()
    event_id = uuid7()
    body = json.dumps(
        {
            "id": str(event_id),
            "event": event,
            "occurred_at": utcnow().isoformat(),
            "institution_id": str(institution_id),
            "data": payload,
        },
        default=str,
        separators=(",", ":"),
        sort_keys=True,
    )
    deliveries = []
    for subscription in subscriptions:
        if event not in subscription.events:
            continue
        delivery = WebhookDelivery(
            subscription_id=subscription.id,
            event=event,
            event_id=event_id,
            institution_id=institution_id,
            body=body,
            next_attempt_at=utcnow(),
        )
        session.add(delivery)
        deliveries.append(delivery)
    return deliveries
