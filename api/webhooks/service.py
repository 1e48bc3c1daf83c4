"""Webhook subscriptions: a director's for the institution, a municipality analyst's for the
municipality's institutions. The secret is generated here and shown once."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import NotFound, ValidationFailed
from api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription
from api.pagination import paginate
from api.security.principal import Principal
from api.types import utcnow
from api.webhooks.schemas import (
    AttemptPublic,
    DeliveryPublic,
    SecretRotation,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionUpdate,
)
from api.webhooks.targets import check_subscription_url

RESOURCE = "webhook_subscription"


def owned(principal: Principal) -> sa.ColumnElement[bool]:
    """The subscriptions `principal` manages: its institution's, or its municipality's."""
    if principal.institution_id is not None:
        return WebhookSubscription.institution_id == principal.institution_id
    if principal.municipality_id is not None:
        return WebhookSubscription.municipality_id == principal.municipality_id
    return sa.false()


def get_subscription(session: Session, principal: Principal, webhook_id: uuid.UUID) -> WebhookSubscription:
    row = session.exec(
        select(WebhookSubscription).where(WebhookSubscription.id == webhook_id, owned(principal))
    ).first()
    if row is None:
        raise NotFound("No webhook subscription with this id.")
    return row


def list_subscriptions(
    session: Session, principal: Principal, *, sort: str, limit: int, cursor: str | None
) -> tuple[list[WebhookSubscription], str | None]:
    return paginate(
        session,
        select(WebhookSubscription).where(owned(principal)),
        model=WebhookSubscription,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


def _events(events: list) -> list[str]:
    return sorted({str(e.value) for e in events})


def _check_target(url: str, allow_private: bool) -> None:
    """Where private targets are refused (production), a subscription to one is refused at once,
    not only at each delivery."""
    refused = check_subscription_url(url, allow_private=allow_private)
    if refused:
        raise ValidationFailed.for_field(
            "body.url", f"The receiver must be a public address: {refused}.", "target_refused"
        )


def create_subscription(
    session: Session, principal: Principal, data: SubscriptionCreate, *, allow_private: bool
) -> SubscriptionCreated:
    if principal.institution_id is None and principal.municipality_id is None:
        raise NotFound("Webhooks belong to an institution or a municipality.")
    _check_target(data.url, allow_private)
    row = WebhookSubscription(
        institution_id=principal.institution_id,
        municipality_id=None if principal.institution_id else principal.municipality_id,
        url=data.url,
        events=_events(data.events),
        description=data.description,
        secret=secrets.token_hex(32),
        created_by_id=principal.subject_id,
    )
    session.add(row)
    flush_or_conflict(session, "The subscription could not be stored.")
    audit(
        session,
        principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=row.id,
        institution_id=row.institution_id,
    )
    return SubscriptionCreated.model_validate(row)


def update_subscription(
    session: Session,
    principal: Principal,
    webhook_id: uuid.UUID,
    patch: SubscriptionUpdate,
    if_match: str,
    *,
    allow_private: bool,
) -> WebhookSubscription:
    row = get_subscription(session, principal, webhook_id)
    check_if_match(if_match, row.version)
    data = patched_fields(patch, not_null=("url", "events", "active"))
    if "url" in data:
        _check_target(data["url"], allow_private)
    if "events" in data:
        data["events"] = _events(patch.events or [])
    for key, value in data.items():
        setattr(row, key, value)
    session.add(row)
    flush_or_conflict(session, "The subscription could not be stored.")
    audit(
        session,
        principal,
        action="update",
        resource_type=RESOURCE,
        resource_id=row.id,
        institution_id=row.institution_id,
    )
    return row


def rotate_secret(
    session: Session, principal: Principal, webhook_id: uuid.UUID, data: SecretRotation, if_match: str
) -> SubscriptionCreated:
    """A new secret, shown once. The old one keeps signing deliveries (as a second signature) for
    `overlap_hours`; a secret retired by an earlier rotation is dropped."""
    row = get_subscription(session, principal, webhook_id)
    check_if_match(if_match, row.version)
    if data.overlap_hours:
        row.previous_secret = row.secret
        row.previous_secret_expires_at = utcnow() + timedelta(hours=data.overlap_hours)
    else:
        row.previous_secret, row.previous_secret_expires_at = None, None
    row.secret = secrets.token_hex(32)
    session.add(row)
    flush_or_conflict(session, "The subscription could not be stored.")
    audit(
        session,
        principal,
        action="rotate_secret",
        resource_type=RESOURCE,
        resource_id=row.id,
        institution_id=row.institution_id,
    )
    return SubscriptionCreated.model_validate(row)


def delete_subscription(session: Session, principal: Principal, webhook_id: uuid.UUID, if_match: str) -> None:
    row = get_subscription(session, principal, webhook_id)
    check_if_match(if_match, row.version)
    session.delete(row)
    flush_or_conflict(session, "The subscription could not be deleted.")
    audit(
        session,
        principal,
        action="delete",
        resource_type=RESOURCE,
        resource_id=webhook_id,
        institution_id=row.institution_id,
    )


def list_deliveries(
    session: Session,
    principal: Principal,
    webhook_id: uuid.UUID,
    *,
    status: DeliveryStatus | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[DeliveryPublic], str | None]:
    """The delivery log: every event sent to the subscription with each attempt's outcome."""
    subscription = get_subscription(session, principal, webhook_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    rows, next_cursor = paginate(session, stmt, model=WebhookDelivery, sort=sort, limit=limit, cursor=cursor)
    attempts: dict[uuid.UUID, list[AttemptPublic]] = {r.id: [] for r in rows}
    if rows:
        for attempt in session.exec(
            select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(attempts))).order_by(WebhookAttempt.number)
        ).all():
            attempts[attempt.delivery_id].append(AttemptPublic.model_validate(attempt))
    items = [
        DeliveryPublic.model_validate(r).model_copy(
            update={
                "attempt_log": attempts[r.id],
                "next_attempt_at": r.next_attempt_at if r.status == DeliveryStatus.pending else None,
            }
        )
        for r in rows
    ]
    return items, next_cursor
