"""Audit events for care data: every read and change names the recipient it concerns, so that the
recipient and guardians can see who accessed their data. Events join the request's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlmodel import Session

from api.audit.service import record, record_many
from api.security.principal import Principal


def audit_care(
    session: Session,
    principal: Principal,
    *,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | None,
    recipient_id: uuid.UUID | None,
    institution_id: uuid.UUID | None,
    detail: str | None = None,
) -> None:
    record(
        session,
        principal,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        recipient_id=recipient_id,
        institution_id=institution_id,
        detail=detail,
    )


def audit_listed(
    session: Session,
    principal: Principal,
    rows: Iterable,
    *,
    resource_type: str,
    recipient_attr: str = "recipient_id",
    action: str = "list",
) -> None:
    """One event per row served by a listing (a page holds at most 100 rows), in one INSERT."""
    record_many(
        session,
        principal,
        action=action,
        resource_type=resource_type,
        resources=[
            (row.id, row.id if recipient_attr == "id" else getattr(row, recipient_attr), row.institution_id)
            for row in rows
        ],
    )
