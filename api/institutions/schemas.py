from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.models import InstitutionKind
from api.schemas import PublicModel, RequestModel


class InstitutionCreate(RequestModel):
    name: str = Field(min_length=1, max_length=300, examples=["Utenos šeimos ir vaiko gerovės centras"])
    kind: InstitutionKind = Field(examples=["family_child_welfare_centre"])
    municipality_id: uuid.UUID
    code: str | None = Field(default=None, min_length=1, max_length=20, description="Legal entity code")
    address: str | None = Field(default=None, max_length=300)


class InstitutionUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    kind: InstitutionKind | None = None
    code: str | None = Field(default=None, min_length=1, max_length=20)
    address: str | None = Field(default=None, max_length=300)


class InstitutionPublic(PublicModel):
    id: uuid.UUID
    name: str
    kind: InstitutionKind
    municipality_id: uuid.UUID
    code: str | None
    address: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class DepartmentCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200, examples=["Dienos centras"])
    description: str | None = Field(default=None, max_length=2000)


class DepartmentUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class DepartmentPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    name: str
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime
