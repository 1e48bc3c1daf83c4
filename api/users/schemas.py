from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.schemas import PublicModel, RequestModel
from api.security.scopes import Role

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]+$"


class UserCreate(RequestModel):
    username: str = Field(min_length=3, max_length=100, pattern=USERNAME_PATTERN, examples=["r.jonaitiene"])
    password: str = Field(min_length=10, max_length=200, description="At least 10 characters.")
    full_name: str = Field(min_length=1, max_length=200, examples=["Rasa Jonaitienė"])
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    role: Role = Field(description="Any role but `feedback_device` (that is a machine client).")
    institution_id: uuid.UUID | None = Field(
        default=None, description="Required for institution roles; defaults to your own institution."
    )
    department_id: uuid.UUID | None = None
    municipality_id: uuid.UUID | None = Field(default=None, description="Required for `municipality_analyst`.")


class UserUpdate(RequestModel):
    password: str | None = Field(default=None, min_length=10, max_length=200)
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    role: Role | None = None
    department_id: uuid.UUID | None = None
    is_active: bool | None = None


class UserPublic(PublicModel):
    id: uuid.UUID
    username: str
    full_name: str
    email: str | None
    role: Role
    institution_id: uuid.UUID | None
    department_id: uuid.UUID | None
    municipality_id: uuid.UUID | None
    is_active: bool
    last_login_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
