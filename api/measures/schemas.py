"""Request and response bodies of improvement measures."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.models import EvidenceKind, MeasureArea, MeasureStatus
from api.schemas import PublicModel, RequestModel
from api.types import ApiDate

PERIOD_PATTERN = r"^\d{4}(-(H[12]|Q[1-4]|(0[1-9]|1[0-2])))?$"
Period = Field(max_length=10, pattern=PERIOD_PATTERN, description="A period label: 2026, 2026-H1, 2026-Q3, 2026-05")


class ExpectedEffect(RequestModel):
    """What should change: the indicator, the value aimed for and the period in which it is judged."""

    indicator_code: str = Field(min_length=1, max_length=60)
    target: float = Field(ge=-1e12, le=1e12)
    evaluation_period: str = Period


class MeasureCreate(RequestModel):
    year: int = Field(ge=2000, le=2100, description="The year of the cycle that decided the measure")
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    area: MeasureArea
    owner_id: uuid.UUID | None = Field(default=None, description="The staff member responsible")
    due_date: ApiDate | None = None
    expected_effect: ExpectedEffect | None = None


class MeasureUpdate(RequestModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    area: MeasureArea | None = None
    owner_id: uuid.UUID | None = None
    due_date: ApiDate | None = None
    expected_effect: ExpectedEffect | None = None


class EvidenceCreate(RequestModel):
    """`indicator_comparison` names `indicator_code` (and optionally `period`; default the latest):
    the server snapshots the comparison as it stands now. Other kinds name `ref_id`."""

    kind: EvidenceKind
    ref_id: uuid.UUID | None = None
    indicator_code: str | None = Field(default=None, min_length=1, max_length=60)
    period: str | None = Field(
        default=None,
        max_length=10,
        pattern=PERIOD_PATTERN,
        description="The comparison's period; default the latest with a value",
    )
    summary: str | None = Field(default=None, max_length=2000)


class ComparisonSnapshot(PublicModel):
    indicator_code: str
    period: str
    value: float | None
    status: str | None
    target: float | None
    previous_period: str
    previous_value: float | None
    peer_scope: str
    peers: int
    peer_median: float | None
    taken_at: datetime


class EvidencePublic(PublicModel):
    id: uuid.UUID
    measure_id: uuid.UUID
    kind: EvidenceKind
    ref_id: uuid.UUID | None
    indicator_code: str | None
    period: str | None
    summary: str | None
    snapshot: ComparisonSnapshot | None
    created_at: datetime
    created_by_id: uuid.UUID | None


class ExpectedEffectPublic(PublicModel):
    indicator_code: str
    target: float
    evaluation_period: str


class MeasuredEffect(PublicModel):
    """Computed from the evaluation period's published value against the snapshot; never typed in."""

    state: Literal["not_set", "awaiting_value", "measured"] = Field(
        description="not_set: no expected effect; awaiting_value: the period's value is not published yet"
    )
    indicator_code: str | None = None
    evaluation_period: str | None = None
    target: float | None = None
    baseline_period: str | None = Field(default=None, description="The snapshot's period")
    baseline_value: float | None = Field(default=None, description="The value in the evidence snapshot")
    measured_value: float | None = None
    change: float | None = Field(default=None, description="measured_value - baseline_value")
    improved: bool | None = Field(default=None, description="The change goes the indicator's good direction")
    target_reached: bool | None = None


class MeasureSummary(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    year: int
    title: str
    area: MeasureArea
    owner_id: uuid.UUID | None
    due_date: date | None
    status: MeasureStatus
    carried_into_plan_item_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


class MeasurePublic(MeasureSummary):
    description: str | None
    expected_effect: ExpectedEffectPublic | None = None
    effect: MeasuredEffect
    evidence: list[EvidencePublic] = Field(default_factory=list)
    approved_by_id: uuid.UUID | None
    approved_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    evaluated_at: datetime | None
    overdue: bool = Field(description="Past its due date and not completed")


class CarryIntoPlan(RequestModel):
    plan_id: uuid.UUID = Field(description="A draft or returned plan of a later year than the measure's.")
    due_date: ApiDate | None = Field(default=None, description="Default: the end of the plan's period.")
    responsible_user_id: uuid.UUID | None = Field(default=None, description="Default: the measure's owner.")
