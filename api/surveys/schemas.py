"""Request and response bodies of the survey routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from api.models import QuestionnaireKind, QuestionType, SurveyAudience, VersionStatus
from api.schemas import NON_BLANK_PATTERN, PublicModel, RequestModel
from api.types import ApiDateTime

CODE_PATTERN = "^[A-Z][A-Z0-9_]{0,59}$"
OPTION_PATTERN = "^[a-z0-9][a-z0-9_]{0,39}$"
#: Not blank once stripped (requests strip whitespace), and no NUL.
NON_BLANK = NON_BLANK_PATTERN
Code = Annotated[str, Field(pattern=CODE_PATTERN, description="Upper-case letters, digits and `_`, e.g. `Q_SAFE`.")]


# --- questionnaires and versions -----------------------------------------------------------------


class QuestionnaireCreate(RequestModel):
    code: Code
    kind: QuestionnaireKind
    audience: SurveyAudience
    title_lt: str = Field(min_length=1, pattern=NON_BLANK, max_length=300)
    title_en: str = Field(min_length=1, pattern=NON_BLANK, max_length=300)
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)


class QuestionnaireUpdate(RequestModel):
    audience: SurveyAudience | None = None
    title_lt: str | None = Field(default=None, min_length=1, pattern=NON_BLANK, max_length=300)
    title_en: str | None = Field(default=None, min_length=1, pattern=NON_BLANK, max_length=300)
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)


class QuestionnairePublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID | None = Field(description="null: a platform-wide template.")
    code: str
    kind: QuestionnaireKind
    audience: SurveyAudience
    title_lt: str
    title_en: str
    description_lt: str | None
    description_en: str | None
    template_id: uuid.UUID | None = Field(description="The template this questionnaire was adopted from.")
    version: int
    created_at: datetime
    updated_at: datetime


class OptionIn(RequestModel):
    code: str = Field(pattern=OPTION_PATTERN, description="Lower-case, e.g. `daily`.")
    label_lt: str = Field(min_length=1, pattern=NON_BLANK, max_length=300)
    label_en: str = Field(min_length=1, pattern=NON_BLANK, max_length=300)


class DimensionIn(RequestModel):
    code: Code
    name_lt: str = Field(min_length=1, pattern=NON_BLANK, max_length=300)
    name_en: str = Field(min_length=1, pattern=NON_BLANK, max_length=300)


class QuestionIn(RequestModel):
    concept_code: Code = Field(description="Stable across versions and years: results compare by it.")
    type: QuestionType
    text_lt: str = Field(min_length=1, pattern=NON_BLANK, max_length=1000)
    text_en: str = Field(min_length=1, pattern=NON_BLANK, max_length=1000)
    required: bool = True
    options: list[OptionIn] = Field(
        default_factory=list, max_length=50, description="For single_choice and multi_choice (at least two)."
    )
    min_value: float | None = Field(default=None, ge=-1e9, le=1e9, description="For number questions.")
    max_value: float | None = Field(default=None, ge=-1e9, le=1e9, description="For number questions.")
    dimension_code: str | None = Field(
        default=None, pattern=CODE_PATTERN, description="The dimension score this question counts towards."
    )


class VersionCreate(RequestModel):
    dimensions: list[DimensionIn] = Field(default_factory=list, max_length=30)
    questions: list[QuestionIn] = Field(min_length=1, max_length=200)


class VersionUpdate(RequestModel):
    dimensions: list[DimensionIn] | None = Field(default=None, max_length=30)
    questions: list[QuestionIn] | None = Field(default=None, min_length=1, max_length=200)


class OptionPublic(PublicModel):
    code: str
    label_lt: str
    label_en: str


class DimensionPublic(PublicModel):
    code: str
    name_lt: str
    name_en: str


class QuestionPublic(PublicModel):
    id: uuid.UUID
    position: int
    concept_code: str
    type: QuestionType
    text_lt: str
    text_en: str
    required: bool
    options: list[OptionPublic]
    min_value: float | None
    max_value: float | None
    dimension_code: str | None


class VersionSummary(PublicModel):
    id: uuid.UUID
    questionnaire_id: uuid.UUID
    number: int
    status: VersionStatus
    published_at: datetime | None
    retired_at: datetime | None
    version: int
    created_at: datetime


class VersionPublic(VersionSummary):
    dimensions: list[DimensionPublic]
    questions: list[QuestionPublic] = Field(default_factory=list)


# --- campaigns -------------------------------------------------------------------------------------


class CampaignCreate(RequestModel):
    version_id: uuid.UUID = Field(description="A published version of your questionnaire or of a template.")
    name: str = Field(min_length=1, pattern=NON_BLANK, max_length=300)
    opens_at: ApiDateTime
    closes_at: ApiDateTime
    anonymous: bool = True
    audience: SurveyAudience | None = Field(default=None, description="Default: the questionnaire's.")
    population: int | None = Field(
        default=None, ge=1, le=1_000_000, description="How many people are asked, when known (for the response rate)."
    )


class CampaignUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, pattern=NON_BLANK, max_length=300)
    opens_at: ApiDateTime | None = None
    closes_at: ApiDateTime | None = None
    population: int | None = Field(default=None, ge=1, le=1_000_000)


class CampaignPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    questionnaire_id: uuid.UUID
    version_id: uuid.UUID
    name: str
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    audience: SurveyAudience
    population: int | None
    state: Literal["scheduled", "open", "closed"] = "scheduled"
    respondents: int | None = Field(
        default=0,
        description=(
            "Persons who answered; null for readers outside the institution's staff when fewer than k "
            "(`CIKLAS_PRIVACY_K`, default 5)."
        ),
    )
    response_rate: float | None = Field(
        default=None, description="Percent of the population, when known (withheld with the respondents)."
    )
    respondents_suppressed: bool = Field(default=False, description="The respondents are withheld (fewer than k).")
    suppression_reason: str | None = Field(default=None, examples=["fewer than 5 persons"])
    version: int
    created_at: datetime


# --- submission ------------------------------------------------------------------------------------

AnswerValue = (
    bool
    | int
    | float
    | Annotated[str, Field(max_length=4000)]
    | Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=50)]
)


class AnswerIn(RequestModel):
    concept_code: str = Field(min_length=1, pattern=NON_BLANK, max_length=60)
    value: AnswerValue = Field(
        description="likert_5: 1-5; scale_0_10: 0-10; yes_no: true/false; number; "
        "single_choice: an option code; multi_choice: option codes; text."
    )


class ResponseSubmit(RequestModel):
    client_response_id: uuid.UUID = Field(
        description="Generated by the app once per response; a retry sends the same id and gets the original result."
    )
    answered_at: ApiDateTime | None = Field(
        default=None, description="When the respondent answered (offline apps); default now."
    )
    answers: list[AnswerIn] = Field(max_length=300)


class ResponseReceipt(PublicModel):
    id: uuid.UUID = Field(description="Random (uuid4) in an anonymous campaign.")
    campaign_id: uuid.UUID
    client_response_id: uuid.UUID
    answered_at: datetime = Field(description="In an anonymous campaign the day only (00:00 UTC).")
    submitted_at: datetime = Field(description="In an anonymous campaign the day only (00:00 UTC).")
    late: bool = Field(description="Answered while open, synced after closing (within the grace period).")


class BatchSubmit(RequestModel):
    responses: list[ResponseSubmit] = Field(min_length=1, max_length=500)


class BatchItemProblem(PublicModel):
    type: str
    title: str
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


class BatchItem(PublicModel):
    index: int
    client_response_id: uuid.UUID
    status: int = Field(description="201 stored, 200 a retry of a stored response, 409 or 422 not stored.")
    receipt: ResponseReceipt | None = None
    problem: BatchItemProblem | None = None


class BatchResult(PublicModel):
    stored: int
    replayed: int
    failed: int
    items: list[BatchItem]


class CampaignForm(PublicModel):
    campaign: CampaignPublic
    questionnaire: VersionPublic


class InvitationCreate(RequestModel):
    count: int = Field(ge=1, le=500, description="How many one-time codes to make.")


class InvitationBatch(PublicModel):
    campaign_id: uuid.UUID
    codes: list[str] = Field(description="Shown only now: hand each out as a link; only their hashes are kept.")
