from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from api.schemas import PublicModel, RequestModel

ClientRole = Literal["municipality_analyst", "feedback_device"]


class ClientCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200, examples=["Kiosk at the day centre entrance"])
    role: ClientRole
    institution_id: uuid.UUID | None = Field(
        default=None, description="Required for feedback_device; defaults to your own institution."
    )
    municipality_id: uuid.UUID | None = Field(default=None, description="Required for municipality_analyst.")


class ClientUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_active: bool | None = None


class ClientPublic(PublicModel):
    id: uuid.UUID
    client_id: str
    name: str
    role: ClientRole
    institution_id: uuid.UUID | None
    municipality_id: uuid.UUID | None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ClientWithSecret(ClientPublic):
    client_secret: str = Field(description="Shown once, now; only its hash is stored.")
