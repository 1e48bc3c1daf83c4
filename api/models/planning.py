"""Planning: activity plans at every level with their goals, items, workflow history, reviews and
approval rules; proposals from staff, recipients and the suggestion box; staff competence needs.

An approved plan is never edited in place. An amendment is a new row of the same *series*
(`series_id` is the id of the first revision) with `revision` one higher; items and goals are copied
and keep their own `series_id`, so that "the same item" can be followed across revisions, and
proposals and competence needs point at the first version of the item that carries them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import IdMixin, TenantMixin, TimestampMixin, VersionedMixin
from api.types import UTCDateTime, utcnow


class PlanKind(StrEnum):
    strategic = "strategic"
    annual = "annual"
    half_year = "half_year"
    quarterly = "quarterly"
    monthly = "monthly"
    department = "department"
    competence_development = "competence_development"
    improvement = "improvement"


class PlanStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    approved = "approved"
    closed = "closed"
    superseded = "superseded"


class ItemArea(StrEnum):
    services = "services"
    competence = "competence"
    partnership = "partnership"
    project = "project"
    innovation = "innovation"
    job_descriptions = "job_descriptions"
    other = "other"


class ItemStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    postponed = "postponed"
    cancelled = "cancelled"


class ProposalSource(StrEnum):
    staff = "staff"
    recipient = "recipient"
    guardian = "guardian"
    institution_council = "institution_council"
    suggestion_box = "suggestion_box"


class ProposalChannel(StrEnum):
    staff_meeting = "staff_meeting"
    annual_appraisal = "annual_appraisal"
    recipients_meeting = "recipients_meeting"
    council_meeting = "council_meeting"
    suggestion_box = "suggestion_box"
    survey = "survey"
    kiosk = "kiosk"
    mobile_app = "mobile_app"
    web = "web"
    other = "other"


class ProposalCategory(StrEnum):
    services = "services"
    activities = "activities"
    environment = "environment"
    catering = "catering"
    staff = "staff"
    competence = "competence"
    safety = "safety"
    communication = "communication"
    other = "other"


class ProposalStatus(StrEnum):
    received = "received"
    under_consideration = "under_consideration"
    accepted = "accepted"
    rejected = "rejected"


class CompetenceNeedSource(StrEnum):
    staff_request = "staff_request"
    appraisal = "appraisal"
    self_assessment = "self_assessment"


class CompetenceNeedStatus(StrEnum):
    submitted = "submitted"
    planned = "planned"


class Plan(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "plans"
    __table_args__ = (
        sa.UniqueConstraint("series_id", "revision"),
        # The default listing: latest periods first, keyset-paginated by (period_start, id).
        sa.Index("ix_plans_institution_id_period_start_id", "institution_id", "period_start", "id"),
        sa.Index("ix_plans_institution_id_status_next_review_due", "institution_id", "status", "next_review_due"),
    )

    series_id: uuid.UUID = Field(description="The id of the plan's first revision: the plan across amendments")
    revision: int = Field(default=1)
    previous_revision_id: uuid.UUID | None = Field(default=None, foreign_key="plans.id", ondelete="SET NULL")
    kind: PlanKind = Field(sa_type=sa.String(30))
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=8000)
    period_label: str = Field(max_length=20)
    period_start: date
    period_end: date
    # No ON DELETE action: a plan with children, a goal another plan serves and an item carrying
    # proposals or competence needs are not deleted (the services answer 409).
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="plans.id", index=True)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="departments.id", index=True, ondelete="SET NULL")
    status: PlanStatus = Field(default=PlanStatus.draft, sa_type=sa.String(20))
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    return_comment: str | None = Field(default=None, max_length=2000)
    next_review_due: date | None = Field(default=None)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class PlanGoal(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    """A goal of a plan, tied to an objective of the quality policy and to a strategic-plan goal."""

    __tablename__ = "plan_goals"

    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True, ondelete="CASCADE")
    series_id: uuid.UUID = Field(index=True, description="The goal's first version across plan revisions")
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    quality_policy_objective: str | None = Field(default=None, max_length=500)
    strategic_goal_id: uuid.UUID | None = Field(default=None, foreign_key="plan_goals.id", index=True)


class PlanItem(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "plan_items"
    __table_args__ = (
        # items_done_on_time(): the items of an institution due in a period.
        sa.Index("ix_plan_items_institution_id_due_date", "institution_id", "due_date"),
        sa.Index("ix_plan_items_plan_id_due_date_id", "plan_id", "due_date", "id"),
    )

    plan_id: uuid.UUID = Field(foreign_key="plans.id", ondelete="CASCADE")
    series_id: uuid.UUID = Field(index=True, description="The item's first version across plan revisions")
    goal_id: uuid.UUID | None = Field(default=None, foreign_key="plan_goals.id", index=True, ondelete="SET NULL")
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    area: ItemArea = Field(sa_type=sa.String(30))
    responsible_user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    department_id: uuid.UUID | None = Field(default=None, foreign_key="departments.id", index=True, ondelete="SET NULL")
    due_date: date
    indicator: str | None = Field(default=None, max_length=300)
    indicator_id: uuid.UUID | None = Field(default=None, foreign_key="indicators.id", ondelete="SET NULL")
    target_value: float | None = Field(default=None)
    # The link to an improvement measure; the improvement domain adds the table (no foreign key yet).
    improvement_measure_id: uuid.UUID | None = Field(default=None, index=True)
    # Execution, recorded while the plan is approved.
    status: ItemStatus = Field(default=ItemStatus.planned, sa_type=sa.String(20))
    progress: int = Field(default=0)
    actual_value: float | None = Field(default=None)
    completed_on: date | None = Field(default=None, description="The day the item was done")
    status_note: str | None = Field(default=None, max_length=2000)


class PlanEvent(IdMixin, TenantMixin, table=True):
    """One step of a plan's workflow: the readable history across all its revisions."""

    __tablename__ = "plan_events"
    __table_args__ = (sa.Index("ix_plan_events_series_id_occurred_at", "series_id", "occurred_at"),)

    plan_id: uuid.UUID = Field(foreign_key="plans.id", index=True, ondelete="CASCADE")
    series_id: uuid.UUID
    revision: int
    action: str = Field(max_length=20)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    comment: str | None = Field(default=None, max_length=2000)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_role: str = Field(max_length=40)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanApprovalRule(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    """The annual plan is approved within N months after the institution's budget is approved."""

    __tablename__ = "plan_approval_rules"
    __table_args__ = (sa.UniqueConstraint("institution_id", "year"),)

    year: int
    budget_approved_on: date | None = Field(default=None)
    approve_within_months: int


class PlanReviewCadence(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    """How often an institution reviews its plans of one kind (months; NULL: not reviewed)."""

    __tablename__ = "plan_review_cadences"
    __table_args__ = (sa.UniqueConstraint("institution_id", "kind"),)

    kind: PlanKind = Field(sa_type=sa.String(30))
    interval_months: int | None = Field(default=None)


class PlanReview(IdMixin, TenantMixin, table=True):
    __tablename__ = "plan_reviews"
    __table_args__ = (sa.Index("ix_plan_reviews_plan_id_review_date", "plan_id", "review_date"),)

    plan_id: uuid.UUID = Field(foreign_key="plans.id", ondelete="CASCADE")
    review_date: date
    due_date: date | None = Field(default=None, description="The review date the plan had scheduled")
    reviewer_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    notes: str | None = Field(default=None, max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanReviewItem(TenantMixin, table=True):
    """An item's status and progress at the moment of a review."""

    __tablename__ = "plan_review_items"

    review_id: uuid.UUID = Field(foreign_key="plan_reviews.id", primary_key=True, ondelete="CASCADE")
    plan_item_id: uuid.UUID = Field(foreign_key="plan_items.id", primary_key=True, index=True, ondelete="CASCADE")
    status: ItemStatus = Field(sa_type=sa.String(20))
    progress: int


class Proposal(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "proposals"
    __table_args__ = (
        # Exactly-once submission: a client's Idempotency-Key, hashed with the submitter's id.
        sa.UniqueConstraint("institution_id", "idempotency_key_hash"),
        sa.Index("ix_proposals_institution_id_created_at_id", "institution_id", "created_at", "id"),
        sa.Index("ix_proposals_institution_id_status", "institution_id", "status"),
    )

    source: ProposalSource = Field(sa_type=sa.String(30))
    channel: ProposalChannel = Field(sa_type=sa.String(30))
    category: ProposalCategory = Field(sa_type=sa.String(30))
    text: str = Field(max_length=4000)
    anonymous: bool = Field(default=False)
    # NULL when anonymous, and for proposals from a device.
    submitted_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    device_id: uuid.UUID | None = Field(default=None, foreign_key="api_clients.id", ondelete="SET NULL")
    department_id: uuid.UUID | None = Field(default=None, foreign_key="departments.id", index=True, ondelete="SET NULL")
    plan_year: int | None = Field(default=None)
    tracking_code: str = Field(max_length=20, unique=True)
    status: ProposalStatus = Field(default=ProposalStatus.received, sa_type=sa.String(30))
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    rejection_reason: str | None = Field(default=None, max_length=2000)
    # The first version of the plan item that carries an accepted proposal.
    plan_item_id: uuid.UUID | None = Field(default=None, foreign_key="plan_items.id", index=True)
    idempotency_key_hash: str | None = Field(default=None, max_length=64)
    request_hash: str | None = Field(default=None, max_length=64)


class CompetenceNeed(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    """A training topic a staff member asks for, or a conclusion of an appraisal or self-assessment."""

    __tablename__ = "competence_needs"
    __table_args__ = (
        sa.Index("ix_competence_needs_institution_id_year_created_at", "institution_id", "year", "created_at"),
    )

    year: int
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    recorded_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    source: CompetenceNeedSource = Field(sa_type=sa.String(30))
    topic: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    status: CompetenceNeedStatus = Field(default=CompetenceNeedStatus.submitted, sa_type=sa.String(20))
    # The first version of the competence-plan item that carries the need.
    plan_item_id: uuid.UUID | None = Field(default=None, foreign_key="plan_items.id", index=True)
