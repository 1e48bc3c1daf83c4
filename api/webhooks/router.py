"""Webhooks: stakeholders are informed of plan approvals, published indicators and reports,
completed measures and answered proposals. Payloads are signed; deliveries are retried outside
the request and logged."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.measures.vocabulary import Label
from api.models import DeliveryStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.webhooks import service
from api.webhooks.delivery import DeliveryPolicy
from api.webhooks.outbox import EVENTS
from api.webhooks.schemas import (
    DeliveryPublic,
    SecretRotation,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
_WRITE = problem_responses(412, 428)


def _allow_private(request: Request) -> bool:
    return DeliveryPolicy.from_settings(request.app.state.settings).allow_private_addresses


@router.get("", summary="List your webhook subscriptions", response_model=Page[SubscriptionPublic])
def list_webhooks(
    principal: Authorized[Scope.webhooks_manage],
    session: SessionDep,
    sort: Annotated[str, sort_query(["created_at"], "created_at")] = "created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[SubscriptionPublic]:
    """A director sees the institution's, a municipality analyst the municipality's."""
    rows, next_cursor = service.list_subscriptions(session, principal, sort=sort, limit=limit, cursor=cursor)
    return Page(items=[SubscriptionPublic.model_validate(r) for r in rows], next_cursor=next_cursor, limit=limit)


@router.get("/events", summary="The events a subscription may ask for", response_model=list[Label])
def list_webhook_events(principal: Authorized[Scope.webhooks_manage]) -> list[Label]:
    """With Lithuanian and English labels."""
    return [Label(value=name, lt=lt, en=en) for name, (lt, en) in EVENTS.items()]


@router.post(
    "", summary="Subscribe a URL to events", status_code=status.HTTP_201_CREATED, response_model=SubscriptionCreated
)
def create_webhook(
    principal: Authorized[Scope.webhooks_manage],
    session: SessionDep,
    body: SubscriptionCreate,
    response: Response,
    request: Request,
) -> SubscriptionCreated:
    """For your institution (director) or your municipality's institutions (municipality analyst).
    The answer holds the signing `secret` — it is never shown again. Each delivery is a POST with
    `X-Ciklas-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>`, `X-Ciklas-Event`
    and `X-Ciklas-Delivery`; any 2xx acknowledges it, anything else is retried with exponential backoff.
    In production the receiver must be a public address: a host that resolves to a loopback, private,
    link-local or otherwise non-public address (also NAT64, 6to4, Teredo and other IPv6 addresses that
    embed an IPv4 one) is refused with 422, and a delivery to one fails at once, without retries."""
    created = service.create_subscription(session, principal, body, allow_private=_allow_private(request))
    set_etag(response, created.version)
    response.headers["Location"] = f"/api/v1/webhooks/{created.id}"
    return created


@router.get("/{webhook_id}", summary="Read a webhook subscription", response_model=SubscriptionPublic)
def read_webhook(
    principal: Authorized[Scope.webhooks_manage],
    session: SessionDep,
    webhook_id: uuid.UUID,
    response: Response,
) -> SubscriptionPublic:
    """Without its secret."""
    row = service.get_subscription(session, principal, webhook_id)
    set_etag(response, row.version)
    return SubscriptionPublic.model_validate(row)


@router.patch(
    "/{webhook_id}", summary="Update a webhook subscription", response_model=SubscriptionPublic, responses=_WRITE
)
def update_webhook(
    principal: Authorized[Scope.webhooks_manage],
    session: SessionDep,
    webhook_id: uuid.UUID,
    body: SubscriptionUpdate,
    if_match: IfMatch,
    response: Response,
    request: Request,
) -> SubscriptionPublic:
    """URL, events, description; `active: false` pauses it (no deliveries are queued meanwhile). A new
    URL is checked as on creation."""
    row = service.update_subscription(
        session, principal, webhook_id, body, if_match, allow_private=_allow_private(request)
    )
    set_etag(response, row.version)
    return SubscriptionPublic.model_validate(row)


@router.post(
    "/{webhook_id}/rotate-secret",
    summary="Rotate a webhook subscription's signing secret",
    response_model=SubscriptionCreated,
    responses=_WRITE,
)
def rotate_webhook_secret(
    principal: Authorized[Scope.webhooks_manage],
    session: SessionDep,
    webhook_id: uuid.UUID,
    body: SecretRotation,
    if_match: IfMatch,
    response: Response,
) -> SubscriptionCreated:
    """Answers the new `secret`, shown once. For `overlap_hours` every delivery carries two
    signatures, `X-Ciklas-Signature: sha256=<new>,sha256=<old>`, so the receiver can switch to the new
    secret at its own pace; `overlap_hours: 0` retires the old secret at once."""
    rotated = service.rotate_secret(session, principal, webhook_id, body, if_match)
    set_etag(response, rotated.version)
    return rotated


@router.delete(
    "/{webhook_id}", summary="Delete a webhook subscription", status_code=status.HTTP_204_NO_CONTENT, responses=_WRITE
)
def delete_webhook(
    principal: Authorized[Scope.webhooks_manage],
    session: SessionDep,
    webhook_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    """With its delivery log."""
    service.delete_subscription(session, principal, webhook_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{webhook_id}/deliveries", summary="The delivery log of a subscription", response_model=Page[DeliveryPublic]
)
def list_webhook_deliveries(
    principal: Authorized[Scope.webhooks_manage],
    session: SessionDep,
    webhook_id: uuid.UUID,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    sort: Annotated[str, sort_query(["created_at"], "-created_at")] = "-created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[DeliveryPublic]:
    """Each event queued for the subscription: pending, delivered or failed, with every attempt's
    HTTP status or error and duration."""
    items, next_cursor = service.list_deliveries(
        session, principal, webhook_id, status=status_, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)
