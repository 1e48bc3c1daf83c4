from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.cycles.schemas import CycleView
from api.indicators.schemas import PeerStatistics
from api.measures.schemas import MeasuredEffect
from api.schemas import PublicModel, RequestModel

SUPPRESSED_DESCRIPTION = "The figure rests on fewer than k persons and the report is read outside the staff"


class TrendPoint(PublicModel):
    period: str
    value: float | None = Field(description="null when not published, or suppressed (fewer than k persons)")
    suppressed: bool = Field(default=False, description=SUPPRESSED_DESCRIPTION)
    target: float | None = None


class IndicatorTrend(PublicModel):
    code: str
    name_lt: str
    name_en: str
    unit: str
    direction: str
    points: list[TrendPoint] = Field(description="The year's periods (for yearly indicators, five years)")
    peer_median: float | None = Field(
        default=None,
        description=("Deprecated, always null: a median of few peers can be a peer's value (see peer_statistics)"),
        json_schema_extra={"deprecated": True},
    )
    peers: int = 0
    peer_statistics: PeerStatistics | None = Field(
        default=None,
        description=(
            "Institutions of the same kind in the municipality, for the latest period: the group, its size and the "
            "institution's percentile rank (from k peers)"
        ),
    )


class PlanExecution(PublicModel):
    plans: dict[str, str] = Field(description="Plan kind → status of the year's plans (latest revision)")
    items_by_status: dict[str, int]
    items_done_on_time: int
    items_counted_for_on_time: int


class SurveyResult(PublicModel):
    campaign_id: uuid.UUID
    name: str
    questionnaire_kind: str
    responses: int | None = Field(description="null when suppressed (fewer than k respondents, outside the staff)")
    response_rate_percent: float | None
    dimensions: dict[str, float | None] = Field(
        description=(
            "Dimension code → the year's mean; null when it rests on fewer than k respondents (outside the staff)"
        )
    )
    suppressed: bool = Field(default=False, description=SUPPRESSED_DESCRIPTION)
    suppression_reason: str | None = None


class MeasureLine(PublicModel):
    id: uuid.UUID
    title: str
    area: str
    status: str
    due_date: date | None
    effect: MeasuredEffect
    effect_suppressed: bool = Field(
        default=False,
        description=(
            "The effect's values rest on fewer than k persons: values, change and whether the target was reached "
            "are withheld outside the staff"
        ),
    )
    carried_into_plan_item_id: uuid.UUID | None


class AnnualReport(PublicModel):
    institution_id: uuid.UUID
    institution_name: str
    year: int
    generated_at: datetime
    cycle: CycleView
    indicators: list[IndicatorTrend]
    plan_execution: PlanExecution
    surveys: list[SurveyResult]
    measures: list[MeasureLine]
    swot: dict[str, list[str]] = Field(description="Quadrant → the items' texts, in order")
    view: Literal["staff", "outside"] | None = Field(
        default=None,
        description=(
            "staff: the institution's real figures; outside: as every reader outside the staff sees it, figures "
            "resting on fewer than suppression_threshold persons withheld (published reports are frozen so); "
            "null in reports published before the view was recorded"
        ),
    )
    suppression_threshold: int | None = Field(default=None, description="k (CIKLAS_PRIVACY_K) when it was made")


class ReportPublish(RequestModel):
    institution_id: uuid.UUID
    year: int = Field(ge=2000, le=2100, description="The current year or an earlier one")
    note: str | None = Field(
        default=None,
        max_length=2000,
        description=("What this revision is, e.g. the correction it makes to the previous one"),
        examples=["Patvirtinta direktoriaus įsakymu / approved by the director's order"],
    )


class PublishedReportSummary(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    year: int
    revision: int = Field(description="1 for the first publication of the year; each correction adds one")
    note: str | None
    published_at: datetime
    published_by_id: uuid.UUID | None
    latest: bool = Field(description="Whether no later revision of the same year's report exists")


class PublishedReportPublic(PublishedReportSummary):
    report: AnnualReport = Field(description="The report as it stood when published; later data does not change it")
