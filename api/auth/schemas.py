from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
    refresh_token: str | None = Field(
        default=None, description="Opaque; single use: each refresh returns a new one. Users only."
    )
    scope: str = Field(description="The scopes of the token's role, space-separated.")


class RevokeResponse(BaseModel):
    revoked: bool = Field(description="Always true, as RFC 7009 requires, whether or not the token was known.")


class Me(BaseModel):
    subject_id: uuid.UUID
    kind: str = Field(examples=["user"], description="`user` or `client`")
    role: str
    role_label_lt: str
    role_label_en: str
    institution_id: uuid.UUID | None
    municipality_id: uuid.UUID | None
    department_id: uuid.UUID | None
    username: str | None = None
    full_name: str | None = None
    scopes: list[str]
