from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import Field

from api.schemas import PublicModel

Stage = Literal["not_started", "planning", "delivery", "evaluation", "improvement", "closed"]
ObligationStatus = Literal["done", "overdue", "upcoming", "not_applicable"]


class Obligation(PublicModel):
    """One duty of the institutions' own procedures (the seeds), with its due date and state."""

    code: str = Field(examples=["annual_plan_review_2026_03"])
    title_lt: str
    title_en: str
    due_date: date
    status: ObligationStatus
    evidence: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "What the status was judged from (counts, dates, ids); a count derived from fewer than k persons is "
            "{value: null, suppressed: true, reason} outside the institution's staff."
        ),
    )


class CycleSection(PublicModel):
    """One part of the cycle: what was done and what is overdue, as counts and shares."""

    available: bool = Field(description="False when this installation has no such domain yet.")
    figures: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Counts and shares. For a reader outside the institution's staff, a figure derived from persons that rests "
            "on fewer than k persons (CIKLAS_PRIVACY_K) is {value: null, suppressed: true, reason} instead."
        ),
    )


class CycleView(PublicModel):
    institution_id: uuid.UUID
    year: int
    as_of: date
    stage: Stage = Field(
        description="planning until the annual plan is approved, then delivery; evaluation from "
        "October, improvement in December; closed after the year."
    )
    stage_lt: str
    sections: dict[str, CycleSection] = Field(
        description="plans, care_plans, surveys, indicators, assessments, measures, reports"
    )
    calendar: list[Obligation] = Field(description="The compliance calendar, by due date.")
    overdue: int = Field(description="How many obligations are overdue.")
