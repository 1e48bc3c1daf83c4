"""Request and response bodies of the indicator routes (never table classes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from api.indicators.periods import Period, Periodicity
from api.models import InstitutionKind
from api.models.indicators import IndicatorDirection, IndicatorUnit, SourceKind, ValueOrigin, ValueStatus
from api.privacy import PeerGroup
from api.schemas import PublicModel, RequestModel

CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,59}$"
Code = Annotated[
    str, Field(pattern=CODE_PATTERN, examples=["SATISFACTION"], description="Upper-case code: letters, digits and `_`.")
]
PERIOD_LABEL_PATTERN = r"^(19|2[0-9])[0-9]{2}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"
PeriodLabel = Annotated[
    str,
    Field(
        min_length=4,
        max_length=7,
        pattern=PERIOD_LABEL_PATTERN,
        examples=["2026", "2026-H1", "2026-Q3", "2026-05"],
        description="A period: `2026`, `2026-H1`, `2026-Q3` or `2026-05`.",
    ),
]


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

PERSONS_DESCRIPTION = (
    "How many persons the figure rests on, when it is derived from persons (e.g. the "
    "recipients counted); under the privacy threshold k it is suppressed outside the staff. "
    "Omit for figures not about persons."
)


class ValueCreate(RequestModel):
    period: PeriodLabel
    value: float = Field(allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000, description="Where the figure comes from.")
    persons: int | None = Field(default=None, ge=0, le=100_000_000, description=PERSONS_DESCRIPTION)

    _period = field_validator("period")(_check_label)


class ValueUpdate(RequestModel):
    value: float | None = Field(default=None, allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000)
    persons: int | None = Field(default=None, ge=0, le=100_000_000, description=PERSONS_DESCRIPTION)


class ValueCorrection(RequestModel):
    value: float = Field(allow_inf_nan=False)
    comment: str | None = Field(default=None, max_length=2000)
    reason: str = Field(min_length=1, max_length=2000, description="Why the published value is corrected.")


class RecomputeRequest(RequestModel):
    period: PeriodLabel

    _period = field_validator("period")(_check_label)


class BulkRecomputeResult(PublicModel):
    indicator_id: uuid.UUID
    period: str
    created: int = Field(description="Draft values created")
    refreshed: int = Field(description="Draft values recomputed")
    published_kept: int = Field(description="Published values left as they are (correct them instead)")


class ValuePublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    indicator_id: uuid.UUID
    periodicity: Periodicity
    period: str = Field(validation_alias="period_label")
    period_start: date
    period_end: date
    value: float | None = Field(description="null when suppressed")
    suppressed: bool = Field(
        default=False,
        description=(
            "true for a reader outside the institution's staff when the value rests on fewer than k persons "
            "(CIKLAS_PRIVACY_K): value, records, persons and inputs are then null"
        ),
    )
    suppression_reason: str | None = Field(
        default=None, description="Why the value is suppressed", examples=["fewer than 5 persons"]
    )
    comment: str | None
    status: ValueStatus
    origin: ValueOrigin
    revision: int
    records: int | None
    persons: int | None = Field(
        default=None,
        description=(
            "How many persons the value rests on (survey respondents, care-plan recipients, for a formula the fewest "
            "of its inputs'); null when not derived from persons"
        ),
    )
    respondents: int | None = Field(
        default=None, description="Deprecated: the same as `persons`", json_schema_extra={"deprecated": True}
    )
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
    suppressed: bool = Field(default=False, description="As for the value: fewer than k persons, outside the staff")
    suppression_reason: str | None = None
    comment: str | None
    origin: str
    records: int | None
    persons: int | None = None
    respondents: int | None = Field(
        default=None, description="Deprecated: the same as `persons`", json_schema_extra={"deprecated": True}
    )
    published_at: datetime | None
    superseded_at: datetime
    reason: str


# ---- comparison ----------------------------------------------------------------------------------


class TrendPoint(PublicModel):
    period: str
    value: float | None
    suppressed: bool = Field(default=False, description="Fewer than k persons, for a reader outside the staff")


DEPRECATED_PEER_FIGURE = {"deprecated": True}


class PeerStatistics(PeerGroup):
    """The peer group and where the institution stands in it. No peer's value, minimum, maximum,
    median or quartile is given: only the group's size and the institution's percentile rank."""

    peers: int = Field(
        description="Peers with a published value for the period that rests on at least k persons "
        "(the institution excluded)"
    )
    median: float | None = Field(
        default=None,
        description="Deprecated, always null: a median can be a peer's value",
        json_schema_extra=DEPRECATED_PEER_FIGURE,
    )
    lower_quartile: float | None = Field(
        default=None, description="Deprecated, always null", json_schema_extra=DEPRECATED_PEER_FIGURE
    )
    upper_quartile: float | None = Field(
        default=None, description="Deprecated, always null", json_schema_extra=DEPRECATED_PEER_FIGURE
    )
    percentile_rank: float | None = Field(
        default=None,
        description=(
            "Share of peers (0-100) whose value is strictly below the institution's published value; given only from "
            "k peers and when peers lie strictly below and strictly above it (see percentile_rank_reason)"
        ),
    )
    percentile_rank_reason: str | None = Field(
        default=None, description="Why percentile_rank is null", examples=["at the edge of the peer group"]
    )
    suppressed: bool = Field(description="true when fewer than k peers (CIKLAS_PRIVACY_K): no figures are given")
    reason: str | None = Field(
        default=None, description="Why the peer figures are suppressed", examples=["fewer than 5 peers"]
    )


class Comparison(PublicModel):
    indicator: IndicatorPublic
    institution_id: uuid.UUID
    period: str
    value: float | None
    status: ValueStatus | None
    suppressed: bool = Field(description="The value rests on fewer than k persons and you are outside the staff")
    suppression_reason: str | None = None
    target: float | None
    previous_period: str
    previous_value: float | None
    previous_suppressed: bool = False
    change: float | None = Field(description="value - previous_value")
    same_period_last_year: str
    last_year_value: float | None
    last_year_suppressed: bool = False
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
    suppressed: bool = Field(description="The value rests on fewer than k persons (CIKLAS_PRIVACY_K): no figure")
    revision: int
    published_at: datetime | None
    updated_at: datetime
    suppression_reason: str | None = Field(default=None, examples=["fewer than 5 persons"])


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
    latest_suppressed: bool = Field(default=False, description="The latest value rests on fewer than k persons")
    previous_value: float | None
    previous_suppressed: bool = Field(default=False, description="The value before rests on fewer than k persons")
    suppression_reason: str | None = Field(default=None, description="Why a value of the row is null")
    change: float | None
    periods: int = Field(description="Published periods in the trend window")
    trend_slope: float | None = Field(description="Least-squares change per period over the trend window")
    trend: Literal["improving", "worsening", "stable", "unknown"]


class MunicipalitySummary(PublicModel):
    municipality_id: uuid.UUID
    trend_periods: int
    rows: list[SummaryRow]
