from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from api.models import RecipientStatus
from api.schemas import PublicModel, RequestModel
from api.types import ApiDate


class RecipientCreate(RequestModel):
    first_name: str = Field(min_length=1, max_length=100, examples=["Ona"])
    last_name: str = Field(min_length=1, max_length=100, examples=["Petraitienė"])
    birth_date: ApiDate | None = None
    personal_code: str | None = Field(default=None, min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    department_id: uuid.UUID | None = Field(
        default=None, description="Defaults to your own department when you are a department head."
    )
    key_worker_id: uuid.UUID | None = Field(
        default=None, description="A staff user of the institution; defaults to you when you are a social worker."
    )
    team_member_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    user_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The recipient's own user account (role recipient), linked to no other recipient (409 "
            "`account-linked`). Only the director or the quality lead links accounts (403)."
        ),
    )
    guardian_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=10,
        description=("User accounts of role guardian. Only the director or the quality lead links accounts (403)."),
    )
    admission_date: ApiDate


class RecipientUpdate(RequestModel):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    birth_date: ApiDate | None = None
    personal_code: str | None = Field(default=None, min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    department_id: uuid.UUID | None = None
    key_worker_id: uuid.UUID | None = None
    team_member_ids: list[uuid.UUID] | None = Field(default=None, max_length=50, description="Replaces the team.")
    user_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "Links (or with null unlinks) the recipient's own account; director or quality lead only (403), "
            "an account linked to another recipient is 409 `account-linked`."
        ),
    )
    guardian_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=10,
        description=("Replaces the guardians; a change is for the director or the quality lead only (403)."),
    )
    admission_date: ApiDate | None = None
    discharge_date: ApiDate | None = Field(default=None, description="Setting it discharges the recipient.")


class RecipientPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    first_name: str | None
    last_name: str | None
    birth_date: date | None
    personal_code: str | None
    department_id: uuid.UUID | None
    key_worker_id: uuid.UUID | None
    team_member_ids: list[uuid.UUID] = Field(default_factory=list)
    user_id: uuid.UUID | None
    guardian_ids: list[uuid.UUID] = Field(default_factory=list)
    admission_date: date
    discharge_date: date | None
    status: RecipientStatus
    anonymised_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class AccessLogEntry(PublicModel):
    """Who touched the recipient's data, when, and how (no content of the data itself)."""

    id: uuid.UUID
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    actor_name: str | None = None
    action: str
    resource_type: str
    resource_id: uuid.UUID | None
    request_id: str | None
