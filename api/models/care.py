"""Recipients and their individual care plans (ISGP, ISPP, IPP): special-category personal data.

Identifying fields of a recipient are nullable so that erasure can remove them while the goals,
reviews and their attainment stay behind for the institution's indicators.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import IdMixin, TenantMixin, TimestampMixin, VersionedMixin
from api.types import UTCDateTime, utcnow


class RecipientStatus(StrEnum):
    active = "active"
    discharged = "discharged"
    anonymised = "anonymised"


class CarePlanKind(StrEnum):
    isgp = "isgp"
    ispp = "ispp"
    ipp = "ipp"


class CarePlanStatus(StrEnum):
    draft = "draft"
    active = "active"
    closed = "closed"
    replaced = "replaced"


class NeedDomain(StrEnum):
    health = "health"
    daily_living = "daily_living"
    social_relations = "social_relations"
    occupation_education = "occupation_education"
    housing = "housing"
    finances = "finances"
    safety = "safety"
    emotional_wellbeing = "emotional_wellbeing"
    other = "other"


class NeedLevel(StrEnum):
    none = "none"
    low = "low"
    moderate = "moderate"
    high = "high"
    very_high = "very_high"


class Attainment(StrEnum):
    not_started = "not_started"
    progressing = "progressing"
    achieved = "achieved"
    not_achieved = "not_achieved"
    discontinued = "discontinued"


class Recipient(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "recipients"
    __table_args__ = (
        sa.Index("ix_recipients_institution_id_status", "institution_id", "status"),
        # The default listing: newest admissions first, keyset-paginated by (admission_date, id).
        sa.Index("ix_recipients_institution_id_admission_date_id", "institution_id", "admission_date", "id"),
    )

    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    birth_date: date | None = Field(default=None)
    personal_code: str | None = Field(default=None, max_length=20)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="departments.id", index=True, ondelete="SET NULL")
    key_worker_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    #: The recipient's own account: one account per recipient and one recipient per account.
    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", index=True, unique=True, ondelete="SET NULL"
    )
    admission_date: date
    discharge_date: date | None = Field(default=None)
    status: RecipientStatus = Field(default=RecipientStatus.active, sa_type=sa.String(20))
    anonymised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecipientTeamMember(TenantMixin, table=True):
    """A staff member of the team working with a recipient (besides the key worker)."""

    __tablename__ = "recipient_team_members"

    recipient_id: uuid.UUID = Field(foreign_key="recipients.id", primary_key=True, ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")


class RecipientGuardian(TenantMixin, table=True):
    __tablename__ = "recipient_guardians"

    recipient_id: uuid.UUID = Field(foreign_key="recipients.id", primary_key=True, ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")


class CarePlan(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "care_plans"
    __table_args__ = (
        sa.Index(
            "ix_care_plans_institution_id_status_next_review_date", "institution_id", "status", "next_review_date"
        ),
        sa.Index("ix_care_plans_recipient_id_status", "recipient_id", "status"),
        # The default listing: latest periods first, keyset-paginated by (period_start, id).
        sa.Index("ix_care_plans_institution_id_period_start_id", "institution_id", "period_start", "id"),
    )

    recipient_id: uuid.UUID = Field(foreign_key="recipients.id", ondelete="CASCADE")
    kind: CarePlanKind = Field(sa_type=sa.String(10))
    status: CarePlanStatus = Field(default=CarePlanStatus.draft, sa_type=sa.String(20))
    period_start: date
    period_end: date
    next_review_date: date | None = Field(default=None)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Participation of the recipient in drawing up the plan, recorded on activation.
    participated: bool | None = Field(default=None)
    participated_on: date | None = Field(default=None)
    participants: list[str] | None = Field(default=None, sa_type=sa.JSON)
    recipient_wishes: str | None = Field(default=None, max_length=4000)
    non_participation_reason: str | None = Field(default=None, max_length=1000)
    previous_plan_id: uuid.UUID | None = Field(default=None, foreign_key="care_plans.id", ondelete="SET NULL")
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class CareNeed(IdMixin, TimestampMixin, TenantMixin, table=True):
    __tablename__ = "care_needs"

    care_plan_id: uuid.UUID = Field(foreign_key="care_plans.id", index=True, ondelete="CASCADE")
    domain: NeedDomain = Field(sa_type=sa.String(30))
    level: NeedLevel = Field(sa_type=sa.String(20))
    description: str | None = Field(default=None, max_length=4000)


class CareGoal(IdMixin, TimestampMixin, TenantMixin, table=True):
    __tablename__ = "care_goals"
    __table_args__ = (sa.Index("ix_care_goals_institution_id_due_date", "institution_id", "due_date"),)

    care_plan_id: uuid.UUID = Field(foreign_key="care_plans.id", index=True, ondelete="CASCADE")
    need_id: uuid.UUID = Field(foreign_key="care_needs.id", index=True, ondelete="CASCADE")
    description: str | None = Field(default=None, max_length=2000)
    measure: str = Field(max_length=500)
    baseline: str = Field(max_length=200)
    target: str = Field(max_length=200)
    due_date: date
    attainment: Attainment = Field(default=Attainment.not_started, sa_type=sa.String(20))
    measured_value: str | None = Field(default=None, max_length=200)
    # Set on a goal whose open work moved to the next month's ISPP: statistics count the copy only.
    carried_forward: bool = Field(default=False)
    carried_from_id: uuid.UUID | None = Field(default=None, foreign_key="care_goals.id", ondelete="SET NULL")


class CareService(IdMixin, TimestampMixin, TenantMixin, table=True):
    """A planned service or activity: what, who provides it, how often."""

    __tablename__ = "care_services"

    care_plan_id: uuid.UUID = Field(foreign_key="care_plans.id", index=True, ondelete="CASCADE")
    description: str = Field(max_length=1000)
    provider: str = Field(max_length=200)
    frequency: str = Field(max_length=200)


class CareReview(IdMixin, TimestampMixin, TenantMixin, table=True):
    __tablename__ = "care_reviews"

    care_plan_id: uuid.UUID = Field(foreign_key="care_plans.id", index=True, ondelete="CASCADE")
    review_date: date
    due_date: date | None = Field(default=None, description="The review date the plan had scheduled")
    participants: list[str] | None = Field(default=None, sa_type=sa.JSON)
    notes: str | None = Field(default=None, max_length=4000)
    next_review_date: date | None = Field(default=None)
    reviewed_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class CareReviewGoal(TenantMixin, table=True):
    __tablename__ = "care_review_goals"

    review_id: uuid.UUID = Field(foreign_key="care_reviews.id", primary_key=True, ondelete="CASCADE")
    goal_id: uuid.UUID = Field(foreign_key="care_goals.id", primary_key=True, index=True, ondelete="CASCADE")
    attainment: Attainment = Field(sa_type=sa.String(20))
    measured_value: str | None = Field(default=None, max_length=200)


class CarePlanComment(IdMixin, TenantMixin, table=True):
    __tablename__ = "care_plan_comments"

    care_plan_id: uuid.UUID = Field(foreign_key="care_plans.id", index=True, ondelete="CASCADE")
    author_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    author_role: str = Field(max_length=40)
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
