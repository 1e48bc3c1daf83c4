from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from api.cycles.schemas import CycleView
from api.measures.schemas import MeasuredEffect
from api.schemas import PublicModel, RequestModel


class TrendPoint(PublicModel):
    period: str
    value: float | None = Field(description="null when not published, or suppressed for too few respondents")
    target: float | None = None


class IndicatorTrend(PublicModel):
    code: str
    name_lt: str
    name_en: str
    unit: str
    direction: str
    points: list[TrendPoint] = Field(description="The year's periods (for yearly indicators, five years)")
    peer_median: float | None = Field(default=None, description=(
        "Of institutions of the same kind in the municipality, for the latest period; null under 3 peers"))
    peers: int = 0


class PlanExecution(PublicModel):
    plans: dict[str, str] = Field(description="Plan kind → status of the year's plans (latest revision)")
    items_by_status: dict[str, int]
    items_done_on_time: int
    items_counted_for_on_time: int


class SurveyResult(PublicModel):
    campaign_id: uuid.UUID
    name: str
    questionnaire_kind: str
    responses: int
    response_rate_percent: float | None
    dimensions: dict[str, float | None] = Field(description="Dimension code → mean; null when suppressed (< 5)")


class MeasureLine(PublicModel):
    id: uuid.UUID
    title: str
    area: str
    status: str
    due_date: date | None
    effect: MeasuredEffect
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


class ReportPublish(RequestModel):
    institution_id: uuid.UUID
    year: int = Field(ge=2000, le=2100, description="The current year or an earlier one")
    note: str | None = Field(default=None, max_length=2000, description=(
        "What this revision is, e.g. the correction it makes to the previous one"),
        examples=["Patvirtinta direktoriaus įsakymu / approved by the director's order"])


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
