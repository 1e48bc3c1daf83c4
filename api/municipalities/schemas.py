from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.schemas import PublicModel, RequestModel


class MunicipalityCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200, examples=["Utenos rajono savivaldybė"])
    code: str | None = Field(default=None, min_length=1, max_length=20, examples=["43"])


class MunicipalityUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    code: str | None = Field(default=None, min_length=1, max_length=20)


class MunicipalityPublic(PublicModel):
    id: uuid.UUID
    name: str
    code: str | None
    version: int
    created_at: datetime
    updated_at: datetime
