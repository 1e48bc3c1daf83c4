"""Municipalities, institutions (the tenants), departments, users and machine clients."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import IdMixin, TimestampMixin, VersionedMixin
from api.types import UTCDateTime

#: Access tokens carry the subject's generation in this claim; a token whose generation is not the
#: row's is dead (api/security/deps.py). Bumped on a new password or secret, deactivation and any
#: change of role or tenant, so a token stops working the moment its account changes.
GENERATION_CLAIM = "gen"


def _token_generation() -> Any:
    return Field(
        default=0,
        nullable=False,
        sa_column_kwargs={"server_default": "0"},
        description="Bumped whenever the subject's tokens must stop working.",
    )


class InstitutionKind(StrEnum):
    care_home = "care_home"
    crisis_centre = "crisis_centre"
    family_child_welfare_centre = "family_child_welfare_centre"
    social_services_centre = "social_services_centre"
    other = "other"


class Municipality(IdMixin, TimestampMixin, VersionedMixin, table=True):
    __tablename__ = "municipalities"

    name: str = Field(max_length=200, unique=True)
    code: str | None = Field(default=None, max_length=20, unique=True)


class Institution(IdMixin, TimestampMixin, VersionedMixin, table=True):
    __tablename__ = "institutions"

    name: str = Field(max_length=300)
    kind: InstitutionKind = Field(sa_type=sa.String(40))
    municipality_id: uuid.UUID = Field(foreign_key="municipalities.id", index=True, ondelete="RESTRICT")
    code: str | None = Field(default=None, max_length=20, unique=True, description="Legal entity code")
    address: str | None = Field(default=None, max_length=300)


class Department(IdMixin, TimestampMixin, VersionedMixin, table=True):
    __tablename__ = "departments"
    __table_args__ = (sa.UniqueConstraint("institution_id", "name"),)

    institution_id: uuid.UUID = Field(foreign_key="institutions.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class User(IdMixin, TimestampMixin, VersionedMixin, table=True):
    __tablename__ = "users"

    username: str = Field(max_length=100, unique=True)
    password_hash: str = Field(max_length=300)
    full_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    role: str = Field(max_length=40, index=True)
    institution_id: uuid.UUID | None = Field(
        default=None, foreign_key="institutions.id", index=True, ondelete="CASCADE"
    )
    department_id: uuid.UUID | None = Field(default=None, foreign_key="departments.id", index=True, ondelete="SET NULL")
    municipality_id: uuid.UUID | None = Field(
        default=None, foreign_key="municipalities.id", index=True, ondelete="CASCADE"
    )
    is_active: bool = Field(default=True)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    token_generation: int = _token_generation()


class ApiClient(IdMixin, TimestampMixin, VersionedMixin, table=True):
    """A machine: a municipality's reporting system or an institution's kiosk / mobile app."""

    __tablename__ = "api_clients"

    client_id: str = Field(max_length=100, unique=True)
    secret_hash: str = Field(max_length=300)
    name: str = Field(max_length=200)
    role: str = Field(max_length=40)
    institution_id: uuid.UUID | None = Field(
        default=None, foreign_key="institutions.id", index=True, ondelete="CASCADE"
    )
    municipality_id: uuid.UUID | None = Field(
        default=None, foreign_key="municipalities.id", index=True, ondelete="CASCADE"
    )
    is_active: bool = Field(default=True)
    token_generation: int = _token_generation()
