"""Response bodies of campaign results."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from api.models import QuestionType
from api.privacy import PeerGroup
from api.surveys.schemas import CampaignPublic


class DistributionEntry(BaseModel):
    value: str = Field(description="The answer (a scale point, `1`/`0` for yes/no, or an option code).")
    count: int


class QuestionResult(BaseModel):
    concept_code: str
    type: QuestionType
    text_lt: str
    text_en: str
    dimension_code: str | None
    n: int = Field(description="Respondents who answered.")
    mean: float | None
    top_box_share: float | None = Field(description="Percent of answers in the top box (4-5, 9-10, yes).")
    distribution: list[DistributionEntry]
    texts: list[str] | None = Field(default=None, description="Free-text answers: institution staff only.")


class DimensionResult(BaseModel):
    code: str
    name_lt: str
    name_en: str
    n: int
    mean: float | None
    top_box_share: float | None


class ConceptComparison(BaseModel):
    concept_code: str
    current_n: int
    current_mean: float | None
    current_top_box: float | None
    previous_n: int
    previous_mean: float | None
    previous_top_box: float | None
    change: float | None = Field(description="current_mean - previous_mean")


class PreviousCampaign(BaseModel):
    campaign_id: uuid.UUID
    version_id: uuid.UUID
    name: str
    opens_at: datetime
    closes_at: datetime
    respondents: int
    suppressed: bool
    concepts: list[ConceptComparison]


DEPRECATED = {"deprecated": True}


class PeerDistribution(BaseModel):
    """Where the institution stands among its peers on one question: the number of peers and its
    percentile rank, never a peer's figure."""

    concept_code: str
    campaigns: int = Field(description="Peer campaigns behind the peers' figures.")
    institutions: int = Field(description="The same as peers.")
    peers: int = Field(
        default=0,
        description="Peer institutions whose answers to this question rest on at least k respondents in the period.",
    )
    suppressed: bool = Field(default=False, description="Fewer than k peers: no figures are given.")
    reason: str | None = Field(default=None, examples=["fewer than 5 peers"])
    min: float | None = Field(default=None, description="Deprecated, always null", json_schema_extra=DEPRECATED)
    p25: float | None = Field(default=None, description="Deprecated, always null", json_schema_extra=DEPRECATED)
    median: float | None = Field(default=None, description="Deprecated, always null", json_schema_extra=DEPRECATED)
    p75: float | None = Field(default=None, description="Deprecated, always null", json_schema_extra=DEPRECATED)
    max: float | None = Field(default=None, description="Deprecated, always null", json_schema_extra=DEPRECATED)
    own_mean: float | None = None
    own_percentile: float | None = Field(
        default=None,
        description=(
            "Percent of peers whose mean is strictly below yours; given from k peers and only when peers lie strictly "
            "below and strictly above yours (see own_percentile_reason)."
        ),
    )
    own_percentile_reason: str | None = Field(default=None, description="Why own_percentile is null")


class CampaignResults(BaseModel):
    campaign: CampaignPublic
    respondents: int
    suppressed: bool = Field(
        description="Fewer respondents than the threshold, and you are not the institution's staff: figures withheld."
    )
    suppression_threshold: int = Field(description="k (CIKLAS_PRIVACY_K): respondents and peers needed")
    questions: list[QuestionResult]
    dimensions: list[DimensionResult]
    previous: PreviousCampaign | None = Field(
        default=None, description="The questionnaire's previous campaign, side by side by concept code."
    )
    peer_group: PeerGroup | None = Field(
        default=None,
        description="How the peer group was formed and how many peer institutions it has (with peers=true).",
    )
    peers: list[PeerDistribution] | None = Field(
        default=None,
        description="Peer institutions (same kind, the municipality or the platform) in the same period, per question.",
    )
