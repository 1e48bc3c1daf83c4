from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from api.models import Attainment, CarePlanKind, CarePlanStatus, NeedDomain, NeedLevel
from api.schemas import PublicModel, RequestModel
from api.types import ApiDate


class CarePlanCreate(RequestModel):
    recipient_id: uuid.UUID
    kind: CarePlanKind = Field(description="isgp (care homes), ispp (monthly, crisis centres), ipp")
    period_start: ApiDate
    period_end: ApiDate | None = Field(default=None, description="An ISPP runs to the end of its month by default.")


class CarePlanUpdate(RequestModel):
    period_start: ApiDate | None = None
    period_end: ApiDate | None = None
    next_review_date: ApiDate | None = None


class Participation(RequestModel):
    """How the recipient took part in drawing up the plan (the seeds require it)."""

    participated: bool = Field(description="Did the recipient take part?")
    participated_on: ApiDate | None = Field(default=None, description="Required when participated is true.")
    participants: list[str] = Field(
        default_factory=list, max_length=20, description="Who took part: roles or names, e.g. `recipient`, `daughter`."
    )
    recipient_wishes: str | None = Field(
        default=None, max_length=4000, description="The recipient's own wishes, in their words."
    )
    non_participation_reason: str | None = Field(
        default=None, max_length=1000, description="Required when participated is false."
    )


class CarePlanActivate(RequestModel):
    participation: Participation
    next_review_date: ApiDate = Field(description="When the plan is first reviewed.")


class NeedCreate(RequestModel):
    domain: NeedDomain
    level: NeedLevel
    description: str | None = Field(default=None, max_length=4000)


class GoalCreate(RequestModel):
    need_id: uuid.UUID = Field(description="A need of the same plan.")
    description: str | None = Field(default=None, max_length=2000)
    measure: str = Field(min_length=1, max_length=500, description="What is measured.")
    baseline: str = Field(min_length=1, max_length=200)
    target: str = Field(min_length=1, max_length=200)
    due_date: ApiDate


class GoalUpdate(RequestModel):
    description: str | None = Field(default=None, max_length=2000)
    measure: str | None = Field(default=None, min_length=1, max_length=500)
    baseline: str | None = Field(default=None, min_length=1, max_length=200)
    target: str | None = Field(default=None, min_length=1, max_length=200)
    due_date: ApiDate | None = None


class ServiceCreate(RequestModel):
    description: str = Field(min_length=1, max_length=1000, description="The service or activity.")
    provider: str = Field(min_length=1, max_length=200, description="Who provides it.")
    frequency: str = Field(min_length=1, max_length=200, description="How often, e.g. `2 times a week`.")


class GoalAssessment(RequestModel):
    goal_id: uuid.UUID
    attainment: Attainment
    measured_value: str | None = Field(default=None, max_length=200)


class ReviewCreate(RequestModel):
    review_date: ApiDate
    participants: list[str] = Field(default_factory=list, max_length=20)
    notes: str | None = Field(default=None, max_length=4000)
    goals: list[GoalAssessment] = Field(default_factory=list, max_length=100)
    next_review_date: ApiDate | None = Field(default=None, description="Omit when the plan is not reviewed again.")


class CommentCreate(RequestModel):
    body: str = Field(min_length=1, max_length=4000)


class NeedPublic(PublicModel):
    id: uuid.UUID
    domain: NeedDomain
    level: NeedLevel
    description: str | None


class GoalPublic(PublicModel):
    id: uuid.UUID
    need_id: uuid.UUID
    description: str | None
    measure: str
    baseline: str
    target: str
    due_date: date
    attainment: Attainment
    measured_value: str | None
    carried_forward: bool
    carried_from_id: uuid.UUID | None


class ServicePublic(PublicModel):
    id: uuid.UUID
    description: str
    provider: str
    frequency: str


class CarePlanSummary(PublicModel):
    id: uuid.UUID
    institution_id: uuid.UUID
    recipient_id: uuid.UUID
    kind: CarePlanKind
    status: CarePlanStatus
    period_start: date
    period_end: date
    next_review_date: date | None
    activated_at: datetime | None
    closed_at: datetime | None
    participated: bool | None
    participated_on: date | None
    participants: list[str] | None
    recipient_wishes: str | None
    non_participation_reason: str | None
    previous_plan_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class CarePlanPublic(CarePlanSummary):
    needs: list[NeedPublic] = Field(default_factory=list)
    goals: list[GoalPublic] = Field(default_factory=list)
    services: list[ServicePublic] = Field(default_factory=list)


class ReviewGoalPublic(PublicModel):
    goal_id: uuid.UUID
    attainment: Attainment
    measured_value: str | None


class ReviewPublic(PublicModel):
    id: uuid.UUID
    care_plan_id: uuid.UUID
    review_date: date
    due_date: date | None
    on_time: bool | None = Field(default=None, description="Held on or before the scheduled date.")
    participants: list[str] | None
    notes: str | None
    next_review_date: date | None
    reviewed_by_id: uuid.UUID | None
    goals: list[ReviewGoalPublic] = Field(default_factory=list)
    created_at: datetime


class CommentPublic(PublicModel):
    id: uuid.UUID
    care_plan_id: uuid.UUID
    author_id: uuid.UUID | None
    author_role: str
    body: str
    created_at: datetime


class ReviewDue(PublicModel):
    care_plan_id: uuid.UUID
    recipient_id: uuid.UUID
    kind: CarePlanKind
    next_review_date: date
    overdue: bool
    days_overdue: int = Field(description="0 when not yet due.")
