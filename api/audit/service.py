"""Writing and reading the audit trail. Events are added to the request's own session, so they are
committed with the act they record and vanish with it when the request fails."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from api.db import AUDIT_BUFFER
from api.middleware import request_id_var
from api.models import AuditEvent
from api.pagination import paginate
from api.security.principal import Principal
from api.tenancy import institution_filter
from api.types import utcnow, uuid7


def record(
    session: Session,
    principal: Principal | None,
    *,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | None = None,
    institution_id: uuid.UUID | None = None,
    recipient_id: uuid.UUID | None = None,
    detail: str | None = None,
) -> AuditEvent:
    if institution_id is None and principal is not None:
        institution_id = principal.institution_id
    event = AuditEvent(
        institution_id=institution_id,
        actor_id=principal.subject_id if principal else None,
        actor_kind=principal.kind if principal else "anonymous",
        actor_role=principal.role.value if principal else None,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        recipient_id=recipient_id,
        request_id=request_id_var.get(),
        detail=detail,
    )
    buffer = session.info.get(AUDIT_BUFFER)
    if buffer is not None:  # an audited read on SQLite: written after the read (api/db.py)
        buffer.append({c.name: getattr(event, c.name) for c in AuditEvent.__table__.columns})
    else:
        session.add(event)
    return event


def record_many(
    session: Session,
    principal: Principal,
    *,
    action: str,
    resource_type: str,
    resources: list[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None]],
) -> None:
    """One event per (resource_id, recipient_id, institution_id), written with one multi-row
    INSERT: a listing audits every row it serves, and building a mapped object per event cost more
    than the listing's own query."""
    if not resources:
        return
    now, request_id = utcnow(), request_id_var.get()
    common = {
        "occurred_at": now,
        "actor_id": principal.subject_id,
        "actor_kind": principal.kind,
        "actor_role": principal.role.value,
        "action": action,
        "resource_type": resource_type,
        "request_id": request_id,
        "detail": None,
    }
    rows = [
        {
            **common,
            "id": uuid7(),
            "resource_id": resource_id,
            "recipient_id": recipient_id,
            "institution_id": institution_id if institution_id is not None else principal.institution_id,
        }
        for resource_id, recipient_id, institution_id in resources
    ]
    buffer = session.info.get(AUDIT_BUFFER)
    if buffer is not None:  # an audited read on SQLite: written after the read (api/db.py)
        buffer.extend(rows)
    else:
        session.execute(sa.insert(AuditEvent.__table__), rows)


def list_events(
    session: Session,
    principal: Principal,
    *,
    resource_type: str | None,
    resource_id: uuid.UUID | None,
    recipient_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditEvent], str | None]:
    stmt = select(AuditEvent).where(institution_filter(AuditEvent.institution_id, principal))
    if resource_type:
        stmt = stmt.where(AuditEvent.resource_type == resource_type)
    if resource_id:
        stmt = stmt.where(AuditEvent.resource_id == resource_id)
    if recipient_id:
        stmt = stmt.where(AuditEvent.recipient_id == recipient_id)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    return paginate(session, stmt, model=AuditEvent, sort=sort, limit=limit, cursor=cursor)
