"""Indicators: the catalogue (platform-wide and each institution's own), targets, values and the
revisions of corrected published values."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.indicators.periods import Periodicity
from api.models.base import IdMixin, TenantMixin, TimestampMixin, VersionedMixin
from api.types import UTCDateTime, utcnow


class IndicatorUnit(StrEnum):
    percent = "percent"
    count = "count"
    score = "score"
    days = "days"
    ratio = "ratio"


class IndicatorDirection(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class SourceKind(StrEnum):
    manual = "manual"
    survey = "survey"
    care_plans = "care_plans"
    plans = "plans"
    formula = "formula"


class ValueStatus(StrEnum):
    draft = "draft"
    published = "published"


class ValueOrigin(StrEnum):
    manual = "manual"
    computed = "computed"


class Indicator(IdMixin, TimestampMixin, VersionedMixin, table=True):
    """A catalogue entry. `institution_id` NULL: the platform catalogue every institution sees."""

    __tablename__ = "indicators"
    __table_args__ = (sa.UniqueConstraint("institution_id", "code"),)

    institution_id: uuid.UUID | None = Field(
        default=None, foreign_key="institutions.id", index=True, ondelete="CASCADE"
    )
    code: str = Field(max_length=60, index=True)
    name_lt: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)
    unit: IndicatorUnit = Field(sa_type=sa.String(20))
    direction: IndicatorDirection = Field(sa_type=sa.String(20))
    periodicity: Periodicity = Field(sa_type=sa.String(20))
    source_kind: SourceKind = Field(sa_type=sa.String(20))
    source: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    active: bool = Field(default=True)


class IndicatorTarget(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "indicator_targets"
    __table_args__ = (sa.UniqueConstraint("institution_id", "indicator_id", "period_start"),)

    indicator_id: uuid.UUID = Field(foreign_key="indicators.id", index=True, ondelete="CASCADE")
    period_start: date
    period_label: str = Field(max_length=10)
    target: float
    comment: str | None = Field(default=None, max_length=2000)


class IndicatorValue(IdMixin, TimestampMixin, VersionedMixin, table=True):
    """One institution's value of one indicator for one period."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        sa.UniqueConstraint("institution_id", "indicator_id", "period_start"),
        sa.Index(None, "indicator_id", "period_start", "status"),
        sa.Index(None, "updated_at"),
    )

    # Not TenantMixin: the unique constraint above already indexes institution_id first.
    institution_id: uuid.UUID = Field(foreign_key="institutions.id", nullable=False, ondelete="CASCADE")
    indicator_id: uuid.UUID = Field(foreign_key="indicators.id", ondelete="CASCADE")
    periodicity: Periodicity = Field(sa_type=sa.String(20))
    period_start: date
    period_end: date
    period_label: str = Field(max_length=10)
    value: float | None = Field(default=None)
    comment: str | None = Field(default=None, max_length=2000)
    status: ValueStatus = Field(default=ValueStatus.draft, sa_type=sa.String(20))
    origin: ValueOrigin = Field(sa_type=sa.String(20))
    revision: int = Field(default=1)
    #: How many records (responses, care goals or plans, plan items, input values) the value was computed from.
    records: int | None = Field(default=None)
    #: How many persons the value rests on: survey respondents, care-plan recipients, for a formula the
    #: fewest of its inputs', for a manual value what was entered; NULL when not derived from persons.
    #: Under the privacy threshold k (api/privacy.py) the value is suppressed outside the staff.
    persons: int | None = Field(default=None)
    inputs: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    computed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    entered_by: uuid.UUID | None = Field(default=None)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: uuid.UUID | None = Field(default=None)


class IndicatorValueChanges(SQLModel, table=True):
    """How many times each institution's indicator values were inserted, updated or deleted. Kept
    by database triggers (migration 0011), so no code path can forget it; the municipality pull's
    validator (api/indicators/pull.py) reads it instead of the values. No foreign key: deleting an
    institution cascades to its values, and their triggers still count."""

    __tablename__ = "indicator_value_changes"

    institution_id: uuid.UUID = Field(primary_key=True)
    changes: int = Field(default=0, sa_type=sa.BigInteger)


class IndicatorValueRevision(IdMixin, table=True):
    """A published value as it stood before a correction replaced it."""

    __tablename__ = "indicator_value_revisions"
    __table_args__ = (sa.UniqueConstraint("value_id", "revision"),)

    value_id: uuid.UUID = Field(foreign_key="indicator_values.id", ondelete="CASCADE")
    institution_id: uuid.UUID = Field(foreign_key="institutions.id", index=True, ondelete="CASCADE")
    revision: int
    value: float | None
    comment: str | None = Field(default=None, max_length=2000)
    origin: str = Field(max_length=20)
    records: int | None = Field(default=None)
    persons: int | None = Field(default=None)
    inputs: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: uuid.UUID | None = Field(default=None)
    superseded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    superseded_by: uuid.UUID | None = Field(default=None)
    reason: str = Field(max_length=2000)
