"""Request and response bodies of the indicator routes (never table classes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from api.indicators.periods import Period, Periodicity
from api.models import InstitutionKind
from api.models.indicators import IndicatorDirection, IndicatorUnit, SourceKind, ValueOrigin, ValueStatus
from api.schemas import PublicModel, RequestModel

CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,59}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, examples=["SATISFACTION"],
                            description="Upper-case code: letters, digits and `_`.")]
PERIOD_LABEL_PATTERN = r"^(19|2[0-9])[0-9]{2}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"
PeriodLabel = Annotated[str, Field(min_length=4, max_length=7, pattern=PERIOD_LABEL_PATTERN,
                                   examples=["2026", "2026-H1", "2026-Q3", "2026-05"],
                                   description="A period: `2026`, `2026-H1`, `2026-Q3` or `2026-05`.")]


# ---- sources -------------------------------------------------------------------------------------

class ManualSource(RequestModel):
    """Entered by hand."""

    kind: Literal["manual"]


class SurveySource(RequestModel):
    """A questionnaire concept or dimension (name exactly one), aggregated as a mean or a top-box share."""

    kind: Literal["survey"]
    concept_code: str | None = Field(default=None, min_length=1, max_length=60)
    dimension_code: str | None = Field(default=None, min_length=1, max_length=60, examples=["SATISFACTION"])
    aggregation: Literal["mean", "top_box"] = "mean"


class CarePlansSource(RequestModel):
    """Share of care plans: goals achieved, reviewed on time, drawn up with the recipient's participation."""

    kind: Literal["care_plans"]
    measure: Literal["goals_achieved", "reviewed_on_time", "participation"]


class PlansSource(RequestModel):
    """Share of activity plan items done on time."""

    kind: Literal["plans"]
    measure: Literal["items_done_on_time"] = "items_done_on_time"


class FormulaSource(RequestModel):
    """`numerator / denominator * factor` over other indicators' values of the same institution and period."""

    kind: Literal["formula"]
    numerator: Code
    denominator: Code | None = Field(default=None, description="Omitted: the numerator times the factor.")
    factor: float = Field(default=1.0, allow_inf_nan=False)


Source = Annotated[
    ManualSource | SurveySource | CarePlansSource | PlansSource | FormulaSource, Field(discriminator="kind")
]


# ---- catalogue -----------------------------------------------------------------------------------

class IndicatorCreate(RequestModel):
    code: Code
    name_lt: str = Field(min_length=1, max_length=300, examples=["Paslaugų gavėjų pasitenkinimas"])
    name_en: str = Field(min_length=1, max_length=300, examples=["Recipient satisfaction"])
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)
    unit: IndicatorUnit
    direction: IndicatorDirection = IndicatorDirection.higher_is_better
    periodicity: Periodicity = Periodicity.year
    source: Source = Field(default_factory=lambda: ManualSource(kind="manual"))


class IndicatorUpdate(RequestModel):
    """The code and the periodicity are fixed once created (values refer to them)."""

    name_lt: str | None = Field(default=None, min_length=1, max_length=300)
    name_en: str | None = Field(default=None, min_length=1, max_length=300)
    description_lt: str | None = Field(default=None, max_length=4000)
    description_en: str | None = Field(default=None, max_length=4000)
    unit: IndicatorUnit | None = None
    direction: IndicatorDirection | None = None
    source: Source | None = None
    active: bool | None = None


class IndicatorPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID | None = Field(description="null: the platform catalogue")
    code: str
    name_lt: str
    name_en: str
    description_lt: str | None
    description_en: str | None
    unit: IndicatorUnit
    direction: IndicatorDirection
    periodicity: Periodicity
    source_kind: SourceKind
    source: Source
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


# ---- targets -------------------------------------------------------------------------------------

def _check_label(value: str) -> str:
    Period.parse(value)
    return value


class TargetCreate(RequestModel):
    period: PeriodLabel
    target: float = Field(allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000)

    _period = field_validator("period")(_check_label)


class TargetUpdate(RequestModel):
    target: float | None = Field(default=None, allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000)


class TargetPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    indicator_id: uuid.UUID
    period: str = Field(validation_alias="period_label")
    period_start: date
    target: float
    comment: str | None
    version: int
    created_at: datetime
    updated_at: datetime


# ---- values --------------------------------------------------------------------------------------

class ValueCreate(RequestModel):
    period: PeriodLabel
    value: float = Field(allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000, description="Where the figure comes from.")

    _period = field_validator("period")(_check_label)


class ValueUpdate(RequestModel):
    value: float | None = Field(default=None, allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000)


class ValueCorrection(RequestModel):
    value: float = Field(allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000)
    reason: str = Field(min_length=1, max_length=2000, description="Why the published value is corrected.")


class RecomputeRequest(RequestModel):
    period: PeriodLabel

    _period = field_validator("period")(_check_label)


class ValuePublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    indicator_id: uuid.UUID
    periodicity: Periodicity
    period: str = Field(validation_alias="period_label")
    period_start: date
    period_end: date
    value: float | None = Field(description="null when suppressed")
    suppressed: bool = Field(default=False, description="Survey-based and fewer than 5 respondents (municipalities)")
    comment: str | None
    status: ValueStatus
    origin: ValueOrigin
    revision: int
    records: int | None
    respondents: int | None
    inputs: dict[str, Any] | None
    computed_at: datetime | None
    published_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class RevisionPublic(PublicModel):
    id: uuid.UUID
    value_id: uuid.UUID
    revision: int
    value: float | None
    comment: str | None
    origin: str
    records: int | None
    respondents: int | None
    published_at: datetime | None
    superseded_at: datetime
    reason: str


# ---- comparison ----------------------------------------------------------------------------------

class TrendPoint(PublicModel):
    period: str
    value: float | None


class PeerStatistics(PublicModel):
    scope: Literal["municipality", "platform"]
    institution_kind: InstitutionKind
    peers: int = Field(description="Peers with a published value for the period (the institution excluded)")
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    percentile_rank: float | None = Field(
        default=None, description="Share of peers (0-100) whose value is below the institution's, ties half")
    suppressed: bool = Field(description="true when fewer than 3 peers: no figures are given")


class Comparison(PublicModel):
    indicator: IndicatorPublic
    institution_id: uuid.UUID
    period: str
    value: float | None
    status: ValueStatus | None
    suppressed: bool
    target: float | None
    previous_period: str
    previous_value: float | None
    change: float | None = Field(description="value - previous_value")
    same_period_last_year: str
    last_year_value: float | None
    change_from_last_year: float | None
    trend: list[TrendPoint] = Field(description="The last periods, oldest first")
    peers: PeerStatistics


# ---- pull ----------------------------------------------------------------------------------------

class PulledValue(PublicModel):
    """A published value as a municipality reads it: no comments, no people."""

    id: uuid.UUID
    municipality_id: uuid.UUID
    institution_id: uuid.UUID
    institution_name: str
    institution_kind: InstitutionKind
    indicator_code: str
    indicator_name_lt: str
    indicator_name_en: str
    unit: IndicatorUnit
    periodicity: Periodicity
    period: str
    period_start: date
    period_end: date
    value: float | None
    suppressed: bool
    revision: int
    published_at: datetime | None
    updated_at: datetime


class SummaryRow(PublicModel):
    institution_id: uuid.UUID
    institution_name: str
    institution_kind: InstitutionKind
    indicator_code: str
    indicator_name_lt: str
    indicator_name_en: str
    unit: IndicatorUnit
    direction: IndicatorDirection
    latest_period: str
    latest_value: float | None
    previous_value: float | None
    change: float | None
    periods: int = Field(description="Published periods in the trend window")
    trend_slope: float | None = Field(description="Least-squares change per period over the trend window")
    trend: Literal["improving", "worsening", "stable", "unknown"]


class MunicipalitySummary(PublicModel):
    municipality_id: uuid.UUID
    trend_periods: int
    rows: list[SummaryRow]
