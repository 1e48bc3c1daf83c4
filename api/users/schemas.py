from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from api.schemas import EMAIL_PATTERN, PublicModel, RequestModel
from api.security.scopes import Role

USERNAME_PATTERN = r"^[A-Za-z0-9._@-]+$"
#: A password is taken as typed: request bodies strip whitespace, but the sign-in form does not, so a
#: stripped password could never be used to sign in.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=10, max_length=200)]


class UserCreate(RequestModel):
    username: str = Field(min_length=3, max_length=100, pattern=USERNAME_PATTERN, examples=["r.jonaitiene"])
    password: Password = Field(description="At least 10 characters, taken as typed (spaces count).")
    full_name: str = Field(min_length=1, max_length=200, examples=["Rasa Jonaitienė"])
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL_PATTERN)
    role: Role = Field(description="Any role but `feedback_device` (that is a machine client).")
    institution_id: uuid.UUID | None = Field(
        default=None, description="Required for institution roles; defaults to your own institution."
    )
    department_id: uuid.UUID | None = None
    municipality_id: uuid.UUID | None = Field(default=None, description="Required for `municipality_analyst`.")


class UserUpdate(RequestModel):
    password: Password | None = Field(default=None, description="At least 10 characters, taken as typed.")
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL_PATTERN)
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
