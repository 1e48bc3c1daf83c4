"""The audit trail: who did what to which resource, written in the same transaction as the act."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import IdMixin
from api.types import UTCDateTime, utcnow


class AuditEvent(IdMixin, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_institution_id_occurred_at", "institution_id", "occurred_at"),
        sa.Index("ix_audit_events_recipient_id_occurred_at", "recipient_id", "occurred_at"),
    )

    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    institution_id: uuid.UUID | None = Field(default=None)
    actor_id: uuid.UUID | None = Field(default=None)
    actor_kind: str = Field(max_length=20)
    actor_role: str | None = Field(default=None, max_length=40)
    action: str = Field(max_length=40)
    resource_type: str = Field(max_length=60)
    resource_id: uuid.UUID | None = Field(default=None)
    recipient_id: uuid.UUID | None = Field(default=None)
    request_id: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, max_length=2000)
