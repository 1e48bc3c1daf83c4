"""Request and response bodies of SWOT analyses."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.models import EvidenceKind, SwotQuadrant
from api.schemas import PublicModel, RequestModel


class EvidenceLink(RequestModel):
    kind: EvidenceKind
    ref_id: uuid.UUID | None = None
    summary: str | None = Field(default=None, max_length=1000)


class EvidenceLinkPublic(PublicModel):
    kind: EvidenceKind
    ref_id: uuid.UUID | None = None
    summary: str | None = None


class SwotItemCreate(RequestModel):
    year: int = Field(ge=2000, le=2100)
    quadrant: SwotQuadrant
    text: str = Field(min_length=1, max_length=2000)
    position: int = Field(default=0, ge=0, le=1000)
    evidence: list[EvidenceLink] = Field(default_factory=list, max_length=20)


class SwotItemUpdate(RequestModel):
    quadrant: SwotQuadrant | None = None
    text: str | None = Field(default=None, min_length=1, max_length=2000)
    position: int | None = Field(default=None, ge=0, le=1000)
    evidence: list[EvidenceLink] | None = Field(default=None, max_length=20)


class SwotItemPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    year: int
    quadrant: SwotQuadrant
    text: str
    position: int
    evidence: list[EvidenceLinkPublic]
    created_at: datetime
    updated_at: datetime
    version: int


class SwotAnalysis(PublicModel):
    """An institution's SWOT (SSGG) for a year, by quadrant."""

    institution_id: uuid.UUID
    year: int
    strengths: list[SwotItemPublic]
    weaknesses: list[SwotItemPublic]
    opportunities: list[SwotItemPublic]
    threats: list[SwotItemPublic]
