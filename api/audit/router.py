from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.audit import service
from api.audit.schemas import AuditEventPublic
from api.db import SessionDep
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import ApiDateTime

router = APIRouter(prefix="/api/v1/audit-events", tags=["audit"])


@router.get("", summary="List audit events of your institution", response_model=Page[AuditEventPublic])
def list_audit_events(
    principal: Authorized[Scope.audit_read],
    session: SessionDep,
    resource_type: Annotated[str | None, Query(max_length=60)] = None,
    resource_id: uuid.UUID | None = None,
    recipient_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    since: ApiDateTime | None = None,
    until: ApiDateTime | None = None,
    sort: Annotated[str, sort_query(["occurred_at"], "-occurred_at")] = "-occurred_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AuditEventPublic]:
    """Who read or changed what, newest first. Directors and quality leads see their institution's
    events; platform administrators see all."""
    items, next_cursor = service.list_events(
        session,
        principal,
        resource_type=resource_type,
        resource_id=resource_id,
        recipient_id=recipient_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[AuditEventPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)
