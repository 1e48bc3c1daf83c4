from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    occurred_at: datetime
    institution_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    actor_kind: str
    actor_role: str | None
    action: str
    resource_type: str
    resource_id: uuid.UUID | None
    recipient_id: uuid.UUID | None
    request_id: str | None
    detail: str | None
