"""Individual care plans (ISGP, ISPP, IPP). Every read and change is audited, so even GET routes
take the write session; a plan you may not see is 404."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.care_plans import content, service
from api.care_plans.schemas import (
    CarePlanActivate,
    CarePlanCreate,
    CarePlanPublic,
    CarePlanSummary,
    CarePlanUpdate,
    CommentCreate,
    CommentPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    NeedCreate,
    NeedPublic,
    ReviewCreate,
    ReviewDue,
    ReviewPublic,
    ServiceCreate,
    ServicePublic,
)
from api.care_plans.vocabulary import CareVocabulary, vocabulary
from api.concurrency import IfMatch, set_etag
from api.db import SessionDep, WriteSessionDep
from api.errors import problem_responses
from api.models import CarePlanKind, CarePlanStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import ApiDate, today

router = APIRouter(prefix="/api/v1/care-plans", tags=["care plans"])
_TRANSITION = problem_responses(409, 412, 428)


@router.get("", summary="List the care plans you may read", response_model=Page[CarePlanSummary])
def list_care_plans(
    principal: Authorized[Scope.care_plans_read],
    session: WriteSessionDep,
    recipient_id: uuid.UUID | None = None,
    status_: Annotated[CarePlanStatus | None, Query(alias="status")] = None,
    kind: CarePlanKind | None = None,
    sort: Annotated[str, sort_query(["period_start", "created_at", "next_review_date"], "-period_start")] = (
        "-period_start"
    ),
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[CarePlanSummary]:
    """Plans of the recipients you work with (or your own / your ward's). Each plan served is audited."""
    items, next_cursor = service.list_care_plans(
        session, principal, recipient_id=recipient_id, status=status_, kind=kind, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.get("/reviews-due", summary="Care-plan reviews due and overdue", response_model=Page[ReviewDue])
def list_care_plan_reviews_due(
    principal: Authorized[Scope.care_plans_read],
    session: WriteSessionDep,
    as_of: Annotated[ApiDate | None, Query(description="The day to judge from; default today.")] = None,
    within_days: Annotated[int, Query(ge=0, le=366, description="Include reviews due this many days ahead.")] = 14,
    overdue_only: bool = False,
    assigned_to_me: Annotated[bool, Query(description="Only recipients whose key worker or team member you are.")] = (
        False
    ),
    sort: Annotated[str, sort_query(["next_review_date"], "next_review_date")] = "next_review_date",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ReviewDue]:
    """A worker's list: active plans they may read whose next review is overdue (before `as_of`) or
    due within `within_days`, earliest first."""
    items, next_cursor = service.list_reviews_due(
        session,
        principal,
        as_of=as_of or today(),
        within_days=within_days,
        overdue_only=overdue_only,
        assigned_to_me=assigned_to_me,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.get("/vocabulary", summary="Labels of the care-plan enumerations", response_model=CareVocabulary)
def read_care_vocabulary(principal: Authorized[Scope.care_plans_read]) -> CareVocabulary:
    """Lithuanian and English labels for plan kinds and statuses, need domains and levels, goal
    attainment and recipient statuses, for forms and reports."""
    return vocabulary()


@router.post(
    "",
    summary="Draw up a care plan",
    status_code=status.HTTP_201_CREATED,
    response_model=CarePlanPublic,
    responses=problem_responses(404, 409),
)
def create_care_plan(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    body: CarePlanCreate,
    response: Response,
) -> CarePlanPublic:
    """A draft plan for a recipient you work with (404 otherwise; 409 for a discharged or anonymised
    recipient). An ISPP runs to the end of its month unless `period_end` is given."""
    plan = service.create_care_plan(session, principal, body)
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/care-plans/{plan.id}"
    return plan


@router.get("/{care_plan_id}", summary="Read a care plan", response_model=CarePlanPublic)
def read_care_plan(
    principal: Authorized[Scope.care_plans_read],
    session: WriteSessionDep,
    care_plan_id: uuid.UUID,
    response: Response,
) -> CarePlanPublic:
    """The plan with its needs, goals and planned services. The read is audited."""
    plan = service.read_care_plan(session, principal, care_plan_id)
    set_etag(response, plan.version)
    return plan


@router.patch(
    "/{care_plan_id}",
    summary="Update a care plan's period or review date",
    response_model=CarePlanPublic,
    responses=_TRANSITION,
)
def update_care_plan(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    body: CarePlanUpdate,
    if_match: IfMatch,
    response: Response,
) -> CarePlanPublic:
    """Draft and active plans only (409 otherwise)."""
    plan = service.update_care_plan(session, principal, care_plan_id, body, if_match)
    set_etag(response, plan.version)
    return plan


@router.post(
    "/{care_plan_id}/activate",
    summary="Activate a care plan, recording participation",
    response_model=CarePlanPublic,
    responses=_TRANSITION,
)
def activate_care_plan(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    body: CarePlanActivate,
    if_match: IfMatch,
    response: Response,
) -> CarePlanPublic:
    """draft → active. Records who took part, when, and the recipient's wishes in their own words (or
    why the recipient did not take part). Needs at least one goal (409). An earlier active plan of
    the same kind for the recipient becomes `replaced`."""
    plan = service.activate_care_plan(session, principal, care_plan_id, body, if_match)
    set_etag(response, plan.version)
    return plan


@router.post("/{care_plan_id}/close", summary="Close a care plan", response_model=CarePlanPublic, responses=_TRANSITION)
def close_care_plan(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> CarePlanPublic:
    """active → closed."""
    plan = service.close_care_plan(session, principal, care_plan_id, if_match)
    set_etag(response, plan.version)
    return plan


@router.post(
    "/{care_plan_id}/renew",
    summary="Start next month's ISPP",
    status_code=status.HTTP_201_CREATED,
    response_model=CarePlanPublic,
    responses=_TRANSITION,
)
def renew_care_plan(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> CarePlanPublic:
    """For an active ISPP: creates next month's plan as a draft with the needs, the open goals (not
    achieved or discontinued) and the services copied; the old plan becomes `replaced`."""
    plan = service.renew_care_plan(session, principal, care_plan_id, if_match)
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/care-plans/{plan.id}"
    return plan


@router.post(
    "/{care_plan_id}/needs",
    summary="Add an assessed need",
    status_code=status.HTTP_201_CREATED,
    response_model=NeedPublic,
    responses=problem_responses(409),
)
def add_care_need(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    body: NeedCreate,
) -> NeedPublic:
    """A need by domain with its level. Draft and active plans only (409 otherwise)."""
    return content.add_need(session, principal, care_plan_id, body)


@router.post(
    "/{care_plan_id}/goals",
    summary="Add a goal with a measurable result",
    status_code=status.HTTP_201_CREATED,
    response_model=GoalPublic,
    responses=problem_responses(409),
)
def add_care_goal(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    body: GoalCreate,
) -> GoalPublic:
    """Tied to a need of the plan: what is measured, the baseline, the target and the due date."""
    return content.add_goal(session, principal, care_plan_id, body)


@router.patch(
    "/{care_plan_id}/goals/{care_goal_id}", summary="Update a goal", response_model=GoalPublic, responses=_TRANSITION
)
def update_care_goal(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    care_goal_id: uuid.UUID,
    body: GoalUpdate,
    if_match: IfMatch,
    response: Response,
) -> GoalPublic:
    """Send the plan's ETag as If-Match; the answer's ETag is the plan's new one. Draft and active
    plans only (409 otherwise). Attainment changes through reviews, not here."""
    goal, version = content.update_goal(session, principal, care_plan_id, care_goal_id, body, if_match)
    set_etag(response, version)
    return goal


@router.post(
    "/{care_plan_id}/services",
    summary="Add a planned service or activity",
    status_code=status.HTTP_201_CREATED,
    response_model=ServicePublic,
    responses=problem_responses(409),
)
def add_care_service(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    body: ServiceCreate,
) -> ServicePublic:
    """What is provided, by whom and how often."""
    return content.add_service(session, principal, care_plan_id, body)


@router.post(
    "/{care_plan_id}/reviews",
    summary="Record a care-plan review",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewPublic,
    responses=problem_responses(409),
)
def add_care_review(
    principal: Authorized[Scope.care_plans_write],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    body: ReviewCreate,
) -> ReviewPublic:
    """Active plans only. Per goal the attainment and the measured value; the goals take them as their
    current state; `next_review_date` schedules the next review. `on_time` compares with the date
    that was scheduled."""
    return content.add_review(session, principal, care_plan_id, body)


@router.get("/{care_plan_id}/reviews", summary="List a care plan's reviews", response_model=Page[ReviewPublic])
def list_care_reviews(
    principal: Authorized[Scope.care_plans_read],
    session: WriteSessionDep,
    care_plan_id: uuid.UUID,
    sort: Annotated[str, sort_query(["review_date"], "-review_date")] = "-review_date",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ReviewPublic]:
    """The reviews with per-goal attainment. The read is audited."""
    items, next_cursor = content.list_reviews(session, principal, care_plan_id, sort=sort, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.post(
    "/{care_plan_id}/comments",
    summary="Comment on your care plan",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentPublic,
)
def add_care_plan_comment(
    principal: Authorized[Scope.care_plans_comment],
    session: SessionDep,
    care_plan_id: uuid.UUID,
    body: CommentCreate,
) -> CommentPublic:
    """The recipient and guardians co-author the plan by commenting on it."""
    return content.add_comment(session, principal, care_plan_id, body)


@router.get("/{care_plan_id}/comments", summary="List comments on a care plan", response_model=Page[CommentPublic])
def list_care_plan_comments(
    principal: Authorized[Scope.care_plans_read],
    session: WriteSessionDep,
    care_plan_id: uuid.UUID,
    sort: Annotated[str, sort_query(["created_at"], "created_at")] = "created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[CommentPublic]:
    """Oldest first. The read is audited."""
    items, next_cursor = content.list_comments(session, principal, care_plan_id, sort=sort, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor, limit=limit)
