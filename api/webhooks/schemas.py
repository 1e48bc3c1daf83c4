"""Request and response bodies of webhook subscriptions and their delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from api.models import DeliveryStatus
from api.schemas import HTTP_URL_PATTERN, PublicModel, RequestModel
from api.webhooks.outbox import EVENTS

WebhookEvent = StrEnum("WebhookEvent", {name.replace(".", "_"): name for name in EVENTS})
URL_FIELD = Field(
    max_length=2000,
    pattern=HTTP_URL_PATTERN,
    description="The receiver's http(s) URL; each event is POSTed there as JSON.",
)


class SubscriptionCreate(RequestModel):
    url: str = URL_FIELD
    events: list[WebhookEvent] = Field(min_length=1, max_length=len(EVENTS))
    description: str | None = Field(default=None, max_length=500)


class SubscriptionUpdate(RequestModel):
    url: str | None = Field(default=None, max_length=2000, pattern=HTTP_URL_PATTERN)
    events: list[WebhookEvent] | None = Field(default=None, min_length=1, max_length=len(EVENTS))
    description: str | None = Field(default=None, max_length=500)
    active: bool | None = None


class SubscriptionPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID | None
    municipality_id: uuid.UUID | None
    url: str
    events: list[str]
    description: str | None
    active: bool
    previous_secret_expires_at: datetime | None = Field(
        default=None,
        description=(
            "After a secret rotation: until this moment deliveries carry a second signature made with the "
            "previous secret"
        ),
    )
    created_at: datetime
    updated_at: datetime
    version: int


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(
        description=(
            "Shown once. Verify `X-Ciklas-Signature: sha256=<hex HMAC-SHA256 of the body>`; during a rotation's "
            "overlap the header holds two comma-separated signatures, accept the delivery if either matches."
        )
    )


class SecretRotation(RequestModel):
    overlap_hours: int = Field(
        default=24,
        ge=0,
        le=168,
        description=(
            "How long deliveries are still signed with the old secret as well, so the receiver can switch "
            "without losing events; 0 retires the old secret at once (e.g. when it leaked)"
        ),
    )


class AttemptPublic(PublicModel):
    number: int
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryPublic(PublicModel):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event: str
    event_id: uuid.UUID
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    attempt_log: list[AttemptPublic] = Field(default_factory=list)
