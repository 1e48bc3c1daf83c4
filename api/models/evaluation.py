"""Evaluation and improvement: self-assessments, SWOT, improvement measures with the evidence that
motivated them, and the webhook subscriptions that inform stakeholders."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models.base import IdMixin, TenantMixin, TimestampMixin, VersionedMixin
from api.types import UTCDateTime, utcnow

# ---- self-assessments ----------------------------------------------------------------------------


class TemplateKind(StrEnum):
    care_norms = "care_norms"
    social_worker_self_assessment = "social_worker_self_assessment"
    equass = "equass"
    custom = "custom"


class AssessmentStatus(StrEnum):
    draft = "draft"
    completed = "completed"


class FindingKind(StrEnum):
    strength = "strength"
    improvement_area = "improvement_area"


class AssessmentTemplate(IdMixin, TimestampMixin, VersionedMixin, table=True):
    """A questionnaire of criteria. `institution_id` NULL: a platform template every institution uses."""

    __tablename__ = "assessment_templates"
    __table_args__ = (sa.UniqueConstraint("institution_id", "code"),)

    institution_id: uuid.UUID | None = Field(
        default=None, foreign_key="institutions.id", index=True, ondelete="CASCADE"
    )
    code: str = Field(max_length=60)
    kind: TemplateKind = Field(sa_type=sa.String(40))
    name_lt: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)
    scale_min: int = Field(default=1)
    scale_max: int = Field(default=4)


class AssessmentCriterion(IdMixin, table=True):
    __tablename__ = "assessment_criteria"
    __table_args__ = (sa.UniqueConstraint("template_id", "code"),)

    template_id: uuid.UUID = Field(foreign_key="assessment_templates.id", index=True, ondelete="CASCADE")
    position: int
    code: str = Field(max_length=60)
    text_lt: str = Field(max_length=2000)
    text_en: str = Field(max_length=2000)


class Assessment(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    """One institution's self-assessment against a template for a period (a year or half-year)."""

    __tablename__ = "assessments"
    __table_args__ = (sa.UniqueConstraint("institution_id", "template_id", "period"),)

    template_id: uuid.UUID = Field(foreign_key="assessment_templates.id", index=True, ondelete="RESTRICT")
    period: str = Field(max_length=10)
    period_start: date
    status: AssessmentStatus = Field(default=AssessmentStatus.draft, sa_type=sa.String(20))
    summary: str | None = Field(default=None, max_length=4000)
    created_by_id: uuid.UUID | None = Field(default=None)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_by_id: uuid.UUID | None = Field(default=None)


class AssessmentRating(IdMixin, TimestampMixin, TenantMixin, table=True):
    __tablename__ = "assessment_ratings"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "criterion_id"),)

    assessment_id: uuid.UUID = Field(foreign_key="assessments.id", index=True, ondelete="CASCADE")
    criterion_id: uuid.UUID = Field(foreign_key="assessment_criteria.id", ondelete="CASCADE")
    score: int
    evidence: str | None = Field(default=None, max_length=4000)
    comment: str | None = Field(default=None, max_length=4000)
    rated_by_id: uuid.UUID | None = Field(default=None)


class AssessmentFinding(IdMixin, TimestampMixin, TenantMixin, table=True):
    """A conclusion of a self-assessment: a strength or an area to improve (measures link to it)."""

    __tablename__ = "assessment_findings"

    assessment_id: uuid.UUID = Field(foreign_key="assessments.id", index=True, ondelete="CASCADE")
    criterion_id: uuid.UUID | None = Field(default=None, foreign_key="assessment_criteria.id", ondelete="SET NULL")
    kind: FindingKind = Field(sa_type=sa.String(20))
    text: str = Field(max_length=4000)
    created_by_id: uuid.UUID | None = Field(default=None)


# ---- SWOT ----------------------------------------------------------------------------------------


class SwotQuadrant(StrEnum):
    strength = "strength"
    weakness = "weakness"
    opportunity = "opportunity"
    threat = "threat"


class SwotItem(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "swot_items"
    __table_args__ = (sa.Index(None, "institution_id", "year", "quadrant"),)

    year: int
    quadrant: SwotQuadrant = Field(sa_type=sa.String(20))
    text: str = Field(max_length=2000)
    position: int = Field(default=0)
    #: [{"kind": ..., "ref_id": ..., "summary": ...}] — what the item rests on.
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_by_id: uuid.UUID | None = Field(default=None)


# ---- improvement measures -------------------------------------------------------------------------


class MeasureArea(StrEnum):
    competence = "competence"
    services = "services"
    efficiency = "efficiency"
    satisfaction = "satisfaction"
    quality_of_life = "quality_of_life"
    other = "other"


class MeasureStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    in_progress = "in_progress"
    completed = "completed"
    effective = "effective"
    not_effective = "not_effective"


class EvidenceKind(StrEnum):
    indicator_comparison = "indicator_comparison"
    survey_result = "survey_result"
    assessment_finding = "assessment_finding"
    swot_item = "swot_item"
    proposal = "proposal"


class ImprovementMeasure(IdMixin, TimestampMixin, VersionedMixin, TenantMixin, table=True):
    __tablename__ = "improvement_measures"
    __table_args__ = (sa.Index(None, "institution_id", "status"),)

    year: int
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    area: MeasureArea = Field(sa_type=sa.String(20))
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    due_date: date | None = Field(default=None)
    status: MeasureStatus = Field(default=MeasureStatus.proposed, sa_type=sa.String(20))
    # The expected effect: an indicator, the target and the period in which it is judged.
    effect_indicator_id: uuid.UUID | None = Field(default=None, foreign_key="indicators.id", ondelete="SET NULL")
    effect_indicator_code: str | None = Field(default=None, max_length=60)
    effect_target: float | None = Field(default=None)
    effect_period: str | None = Field(default=None, max_length=10)
    # The measured effect, recorded by the server when the measure is evaluated (never typed in).
    measured_value: float | None = Field(default=None)
    measured_baseline: float | None = Field(default=None)
    measured_change: float | None = Field(default=None)
    target_reached: bool | None = Field(default=None)
    created_by_id: uuid.UUID | None = Field(default=None)
    approved_by_id: uuid.UUID | None = Field(default=None)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evaluated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The item of next year's plan that carries this measure on (set by planning).
    carried_into_plan_item_id: uuid.UUID | None = Field(default=None)


class MeasureEvidence(IdMixin, TenantMixin, table=True):
    """Why a measure was decided: a link to a piece of evidence, with an indicator comparison
    snapshotted as it stood when it was linked."""

    __tablename__ = "measure_evidence"

    measure_id: uuid.UUID = Field(foreign_key="improvement_measures.id", index=True, ondelete="CASCADE")
    kind: EvidenceKind = Field(sa_type=sa.String(30))
    ref_id: uuid.UUID | None = Field(default=None)
    indicator_code: str | None = Field(default=None, max_length=60)
    period: str | None = Field(default=None, max_length=10)
    summary: str | None = Field(default=None, max_length=2000)
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by_id: uuid.UUID | None = Field(default=None)


# ---- published annual reports --------------------------------------------------------------------


class PublishedReport(IdMixin, TenantMixin, table=True):
    """An annual report as the director published it: the content frozen at that moment, so what
    the municipality and the public read does not change when later data does. Publishing again
    (a correction) adds the next revision; earlier revisions stay readable."""

    __tablename__ = "published_reports"
    __table_args__ = (sa.UniqueConstraint("institution_id", "year", "revision"),)

    year: int
    revision: int = Field(default=1)
    note: str | None = Field(default=None, max_length=2000)
    content: dict[str, Any] = Field(sa_type=sa.JSON)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    published_by_id: uuid.UUID | None = Field(default=None)


# ---- webhooks ------------------------------------------------------------------------------------


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class WebhookSubscription(IdMixin, TimestampMixin, VersionedMixin, table=True):
    """An institution's or a municipality's endpoint for events (exactly one of the two owners)."""

    __tablename__ = "webhook_subscriptions"

    institution_id: uuid.UUID | None = Field(
        default=None, foreign_key="institutions.id", index=True, ondelete="CASCADE"
    )
    municipality_id: uuid.UUID | None = Field(
        default=None, foreign_key="municipalities.id", index=True, ondelete="CASCADE"
    )
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    secret: str = Field(max_length=100)
    #: After a rotation, deliveries are signed with this secret too until `previous_secret_expires_at`.
    previous_secret: str | None = Field(default=None, max_length=100)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    active: bool = Field(default=True)
    description: str | None = Field(default=None, max_length=500)
    created_by_id: uuid.UUID | None = Field(default=None)


class WebhookDelivery(IdMixin, TimestampMixin, table=True):
    """The outbox: one event for one subscription, written in the transaction that caused it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index(None, "status", "next_attempt_at"),)

    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscriptions.id", index=True, ondelete="CASCADE")
    event: str = Field(max_length=60)
    event_id: uuid.UUID
    institution_id: uuid.UUID | None = Field(default=None)
    body: str = Field(sa_type=sa.Text)
    status: DeliveryStatus = Field(default=DeliveryStatus.pending, sa_type=sa.String(20))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookAttempt(IdMixin, SQLModel, table=True):
    __tablename__ = "webhook_attempts"

    delivery_id: uuid.UUID = Field(foreign_key="webhook_deliveries.id", index=True, ondelete="CASCADE")
    number: int
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=1000)
    duration_ms: int = Field(default=0)
