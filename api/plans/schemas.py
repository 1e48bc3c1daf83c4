from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from api.models import ItemArea, ItemStatus, PlanKind, PlanStatus
from api.plans.periods import PERIOD_PATTERN
from api.schemas import PublicModel, RequestModel
from api.types import ApiDate, Year

PERIOD_DESCRIPTION = (
    "annual, department, competence and improvement plans: `2026`; half-year: `2026-H1`; "
    "quarterly: `2026-Q3`; monthly: `2026-05`; strategic: `2026-2030`."
)


class PlanCreate(RequestModel):
    kind: PlanKind
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=8000)
    period: str = Field(
        pattern=PERIOD_PATTERN, max_length=20, examples=["2026", "2026-Q1", "2026-2030"], description=PERIOD_DESCRIPTION
    )
    parent_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "The plan this one breaks down or feeds: annual → half-year → quarterly → monthly; department, "
            "competence development and improvement plans → the annual plan; annual → strategic."
        ),
    )
    department_id: uuid.UUID | None = Field(
        default=None,
        description=("Required for a department plan; allowed for half-year, quarterly and monthly plans."),
    )


class PlanUpdate(RequestModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=8000)
    period: str | None = Field(default=None, pattern=PERIOD_PATTERN, max_length=20, description=PERIOD_DESCRIPTION)
    parent_id: uuid.UUID | None = None


class ReturnRequest(RequestModel):
    comment: str = Field(min_length=1, max_length=2000, description="What to change.")


class TransitionRequest(RequestModel):
    comment: str | None = Field(default=None, max_length=2000)


class GoalCreate(RequestModel):
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    quality_policy_objective: str | None = Field(
        default=None, max_length=500, description=("The objective of the quality policy this goal serves.")
    )
    strategic_goal_id: uuid.UUID | None = Field(
        default=None, description=("A goal of the institution's strategic plan whose period covers this plan.")
    )


class GoalUpdate(RequestModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    quality_policy_objective: str | None = Field(default=None, max_length=500)
    strategic_goal_id: uuid.UUID | None = None


class GoalPublic(PublicModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    series_id: uuid.UUID
    title: str
    description: str | None
    quality_policy_objective: str | None
    strategic_goal_id: uuid.UUID | None
    version: int


class ApprovalDeadline(PublicModel):
    due_date: date = Field(description="Budget approval date plus the institution's approval period.")
    budget_approved_on: date
    approve_within_months: int
    overdue: bool = Field(description="Approved after the due date, or still not approved after it.")
    days_overdue: int = Field(description="Days past the due date on approval, or today while not approved.")


class PlanPublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    series_id: uuid.UUID = Field(description="The first revision's id: the same plan across amendments.")
    revision: int
    previous_revision_id: uuid.UUID | None
    kind: PlanKind
    title: str
    description: str | None
    period: str = Field(validation_alias="period_label")
    period_start: date
    period_end: date
    parent_id: uuid.UUID | None
    department_id: uuid.UUID | None
    status: PlanStatus
    submitted_at: datetime | None
    approved_at: datetime | None
    approved_by_id: uuid.UUID | None
    closed_at: datetime | None
    return_comment: str | None = Field(description="The director's comment when the plan was last returned.")
    next_review_due: date | None
    approval: ApprovalDeadline | None = Field(
        default=None, description=("Annual plans, once the institution has recorded the year's budget approval date.")
    )
    created_by_id: uuid.UUID | None
    goals: list[GoalPublic] = Field(default_factory=list)
    version: int
    created_at: datetime
    updated_at: datetime


class PlanEventPublic(PublicModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    revision: int
    action: str
    from_status: PlanStatus | None
    to_status: PlanStatus
    comment: str | None
    actor_id: uuid.UUID | None
    actor_role: str
    occurred_at: datetime


class CarryingItem(PublicModel):
    """Where a proposal or competence need went: the item carrying it in the plan's current revision."""

    plan_id: uuid.UUID
    plan_title: str
    plan_kind: PlanKind
    plan_period: str
    plan_status: PlanStatus
    plan_item_id: uuid.UUID
    item_title: str
    item_status: ItemStatus
    item_progress: int
    item_due_date: date


class ItemCreate(RequestModel):
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    area: ItemArea
    goal_id: uuid.UUID | None = Field(default=None, description="A goal of the same plan.")
    responsible_user_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    due_date: ApiDate
    indicator: str | None = Field(default=None, max_length=300, description="The result indicator, in words.")
    indicator_id: uuid.UUID | None = Field(default=None, description="An indicator of the catalogue.")
    target_value: float | None = Field(default=None, allow_inf_nan=False)
    improvement_measure_id: uuid.UUID | None = Field(
        default=None, description=("The improvement measure this item carries out.")
    )
    competence_need_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=100,
        description=("Competence needs this item of a competence development plan takes up (`competence:manage`)."),
    )


class ItemUpdate(RequestModel):
    """Content fields change while the plan is a draft or returned; `status`, `progress`,
    `actual_value`, `completed_on` and `status_note` are reported while it is approved."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    area: ItemArea | None = None
    goal_id: uuid.UUID | None = None
    responsible_user_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    due_date: ApiDate | None = None
    indicator: str | None = Field(default=None, max_length=300)
    indicator_id: uuid.UUID | None = None
    target_value: float | None = Field(default=None, allow_inf_nan=False)
    improvement_measure_id: uuid.UUID | None = None
    competence_need_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=100,
        description=("Further competence needs this item takes up (`competence:manage`); those taken up stay."),
    )
    status: ItemStatus | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    actual_value: float | None = Field(default=None, allow_inf_nan=False)
    completed_on: ApiDate | None = Field(default=None, description="When done; defaults to today.")
    status_note: str | None = Field(default=None, max_length=2000)


class ItemPublic(PublicModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    series_id: uuid.UUID = Field(description="The item's first version: the same item across plan revisions.")
    goal_id: uuid.UUID | None
    title: str
    description: str | None
    area: ItemArea
    responsible_user_id: uuid.UUID | None
    department_id: uuid.UUID | None
    due_date: date
    indicator: str | None
    indicator_id: uuid.UUID | None
    target_value: float | None
    improvement_measure_id: uuid.UUID | None
    status: ItemStatus
    progress: int
    actual_value: float | None
    completed_on: date | None
    status_note: str | None
    proposal_ids: list[uuid.UUID] = Field(default_factory=list, description="Accepted proposals it carries.")
    competence_need_ids: list[uuid.UUID] = Field(default_factory=list, description="Competence needs it takes up.")
    version: int
    created_at: datetime
    updated_at: datetime


class ApprovalRuleCreate(RequestModel):
    year: Year = Field(description="The budget year (and the annual plan's year).")
    budget_approved_on: ApiDate | None = Field(default=None, description="When the year's budget was approved.")
    approve_within_months: int = Field(
        ge=1, le=12, description=("The director approves the annual plan within this many months after the budget.")
    )


class ApprovalRuleUpdate(RequestModel):
    budget_approved_on: ApiDate | None = None
    approve_within_months: int | None = Field(default=None, ge=1, le=12)


class ApprovalRulePublic(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    year: int
    budget_approved_on: date | None
    approve_within_months: int
    approval_due_date: date | None = Field(default=None, description="Null until the budget approval date is known.")
    version: int
    created_at: datetime
    updated_at: datetime


class CadenceCreate(RequestModel):
    kind: PlanKind
    interval_months: int | None = Field(ge=1, le=24, description="Months between reviews; null: not reviewed.")


class CadenceUpdate(RequestModel):
    interval_months: int | None = Field(ge=1, le=24)


class CadencePublic(PublicModel):
    id: uuid.UUID | None = Field(description="Null for a kind still on the default cadence.")
    kind: PlanKind
    interval_months: int | None
    default: bool = Field(description="True when the institution has not set its own cadence for this kind.")
    version: int = Field(description="0 for a default.")


class ReviewCreate(RequestModel):
    review_date: ApiDate
    notes: str | None = Field(default=None, max_length=4000)


class ReviewItemPublic(PublicModel):
    plan_item_id: uuid.UUID
    title: str
    status: ItemStatus
    progress: int


class ReviewPublic(PublicModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    review_date: date
    due_date: date | None = Field(description="The review date the plan had scheduled.")
    on_time: bool | None = Field(default=None, description="Held on or before the scheduled date.")
    reviewer_id: uuid.UUID | None
    notes: str | None
    items: list[ReviewItemPublic] = Field(default_factory=list, description="Each item as it stood at the review.")
    created_at: datetime


class ReviewDue(PublicModel):
    plan_id: uuid.UUID
    kind: PlanKind
    title: str
    period: str
    department_id: uuid.UUID | None
    next_review_due: date
    overdue: bool
    days_overdue: int = Field(description="0 when not yet due.")
