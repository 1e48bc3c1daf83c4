"""Refresh-token families, revoked access tokens and the failed-login throttle."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from api.models.base import IdMixin
from api.types import UTCDateTime, utcnow


class RefreshToken(IdMixin, table=True):
    """Stored as a SHA-256 hash. Each use rotates it; a second use of a rotated token revokes the
    whole family (every token descended from the same login)."""

    __tablename__ = "refresh_tokens"

    token_hash: str = Field(max_length=64, unique=True)
    family_id: uuid.UUID = Field(index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RevokedAccessToken(SQLModel, table=True):
    __tablename__ = "revoked_access_tokens"

    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins of one source: an account from one client address (`account:<sha256>`), or one
    client address over all accounts (`address:<ip or /64>`). See api/auth/throttle.py."""

    __tablename__ = "login_throttles"

    key: str = Field(primary_key=True, max_length=200)
    failures: int = Field(default=0, description="Failures not yet forgotten.")
    decay_from: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        index=True,
        description="The next failure is forgotten one decay period after this.",
    )
    blocked_until: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="No attempt from this source is checked before then."
    )
