"""Request and response bodies of self-assessments."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.measures.schemas import PERIOD_PATTERN
from api.models import AssessmentStatus, FindingKind, TemplateKind
from api.schemas import PublicModel, RequestModel


class CriterionCreate(RequestModel):
    code: str = Field(min_length=1, max_length=60)
    text_lt: str = Field(min_length=1, max_length=2000)
    text_en: str = Field(min_length=1, max_length=2000)


class TemplateCreate(RequestModel):
    """An institution's own template; the platform's (care norms, social workers' tool, EQUASS) are seeded."""

    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Z0-9_]+$")
    name_lt: str = Field(min_length=1, max_length=300)
    name_en: str = Field(min_length=1, max_length=300)
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)
    scale_min: int = Field(default=1, ge=0, le=10)
    scale_max: int = Field(default=4, ge=1, le=10)
    criteria: list[CriterionCreate] = Field(min_length=1, max_length=100)


class CriterionPublic(PublicModel):
    id: uuid.UUID
    position: int
    code: str
    text_lt: str
    text_en: str


class TemplatePublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID | None = Field(description="null for a platform template")
    code: str
    kind: TemplateKind
    name_lt: str
    name_en: str
    description_lt: str | None
    description_en: str | None
    scale_min: int
    scale_max: int
    criteria: list[CriterionPublic] = Field(default_factory=list)


class AssessmentCreate(RequestModel):
    template_id: uuid.UUID
    period: str = Field(max_length=10, pattern=PERIOD_PATTERN, description="2026 or 2026-H1, ...")
    summary: str | None = Field(default=None, max_length=4000)


class AssessmentUpdate(RequestModel):
    summary: str | None = Field(default=None, max_length=4000)


class RatingPut(RequestModel):
    criterion_id: uuid.UUID
    score: int = Field(ge=0, le=10, description="Within the template's scale")
    evidence: str | None = Field(default=None, max_length=4000)
    comment: str | None = Field(default=None, max_length=4000)


class RatingPublic(PublicModel):
    id: uuid.UUID
    criterion_id: uuid.UUID
    score: int
    evidence: str | None
    comment: str | None
    rated_by_id: uuid.UUID | None
    updated_at: datetime


class FindingCreate(RequestModel):
    kind: FindingKind
    text: str = Field(min_length=1, max_length=4000)
    criterion_id: uuid.UUID | None = None


class FindingPublic(PublicModel):
    id: uuid.UUID
    assessment_id: uuid.UUID
    criterion_id: uuid.UUID | None
    kind: FindingKind
    text: str
    created_at: datetime


class AssessmentSummary(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    template_id: uuid.UUID
    period: str
    status: AssessmentStatus
    summary: str | None
    created_at: datetime
    completed_at: datetime | None
    version: int


class AssessmentPublic(AssessmentSummary):
    ratings: list[RatingPublic]
    findings: list[FindingPublic]
    rated: int = Field(description="Criteria rated")
    criteria: int = Field(description="Criteria in the template")
    average_score: float | None
