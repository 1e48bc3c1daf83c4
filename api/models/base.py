"""Columns every table shares: a time-ordered UUID key, timestamps and an optimistic-lock version."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from api.types import UTCDateTime, utcnow, uuid7


class IdMixin(SQLModel):
    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)


class TimestampMixin(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


class VersionedMixin(SQLModel):
    """`version` grows by one on every UPDATE; SQLAlchemy adds `WHERE version = :old` to it, so a
    concurrent writer's update fails (StaleDataError, rendered as 412) instead of being lost."""

    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


class TenantMixin(SQLModel):
    """Marks a table as owned by one institution; `api.tenancy` filters on this column."""

    institution_id: uuid.UUID = Field(foreign_key="institutions.id", index=True, nullable=False, ondelete="CASCADE")
