"""Response bodies of campaign results."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from api.models import QuestionType
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


class PeerDistribution(BaseModel):
    concept_code: str
    campaigns: int = Field(description="Peer campaigns (of at least 5 respondents) behind the distribution.")
    institutions: int
    min: float | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    max: float | None = None
    own_mean: float | None = None
    own_percentile: float | None = Field(default=None, description="Percent of peer campaigns at or below yours.")


class CampaignResults(BaseModel):
    campaign: CampaignPublic
    respondents: int
    suppressed: bool = Field(description="Fewer respondents than the threshold, and you are not the "
                                         "institution's staff: figures withheld.")
    suppression_threshold: int
    questions: list[QuestionResult]
    dimensions: list[DimensionResult]
    previous: PreviousCampaign | None = Field(default=None, description="The questionnaire's previous campaign, "
                                                                        "side by side by concept code.")
    peers: list[PeerDistribution] | None = Field(default=None, description="Peer institutions (same kind) in "
                                                                           "the same period.")
