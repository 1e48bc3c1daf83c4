"""/api/v1/plans: plans at every level, their workflow, goals, items and reviews."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.models import ItemArea, ItemStatus, PlanKind, PlanStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.plans import exports, items, reviews, service
from api.plans.schemas import (
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    ItemCreate,
    ItemPublic,
    ItemUpdate,
    PlanCreate,
    PlanEventPublic,
    PlanPublic,
    PlanUpdate,
    ReturnRequest,
    ReviewCreate,
    ReviewPublic,
    TransitionRequest,
)
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import ApiDate, Year

router = APIRouter(prefix="/api/v1/plans", tags=["plans"])
_UPDATE = problem_responses(409, 412, 428)
_TRANSITION = problem_responses(409, 412, 428)


def _comment(body: TransitionRequest | None) -> str | None:
    return body.comment if body else None


@router.get("", summary="List plans", response_model=Page[PlanPublic])
def list_plans(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    kind: PlanKind | None = None,
    status_: Annotated[PlanStatus | None, Query(alias="status")] = None,
    year: Annotated[Year | None, Query(description="Plans whose period touches this year.")] = None,
    parent_id: Annotated[uuid.UUID | None, Query(description="Plans under any revision of this plan.")] = None,
    department_id: uuid.UUID | None = None,
    include_superseded: Annotated[bool, Query(description="Also list revisions replaced by amendments.")] = False,
    sort: Annotated[str, sort_query(["period_start", "created_at"], "-period_start")] = "-period_start",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[PlanPublic]:
    """The plans of your institution, latest periods first; superseded revisions only on request."""
    rows, next_cursor = service.list_plans(
        session,
        principal,
        kind=kind,
        status=status_,
        year=year,
        parent_id=parent_id,
        department_id=department_id,
        include_superseded=include_superseded,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=rows, next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Draft a plan",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanPublic,
    responses=problem_responses(409),
)
def create_plan(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    body: PlanCreate,
    response: Response,
) -> PlanPublic:
    """A draft of the given kind and period. Department heads draft their own department's plan; the
    director and the quality lead any plan. One strategic, annual and competence development plan per
    period, and one plan per department and year (409)."""
    plan = service.create_plan(session, principal, body)
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return plan


@router.get("/{plan_id}", summary="Read a plan", response_model=PlanPublic)
def read_plan(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    plan_id: uuid.UUID,
    response: Response,
) -> PlanPublic:
    """With its goals, its next review and, for an annual plan, its approval deadline."""
    plan = service.read_plan(session, principal, plan_id)
    set_etag(response, plan.version)
    return plan


@router.patch("/{plan_id}", summary="Update a draft plan", response_model=PlanPublic, responses=_UPDATE)
def update_plan(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    body: PlanUpdate,
    if_match: IfMatch,
    response: Response,
) -> PlanPublic:
    """Draft and returned plans only; an approved plan is amended instead (409)."""
    plan = service.update_plan(session, principal, plan_id, body, if_match)
    set_etag(response, plan.version)
    return plan


@router.delete("/{plan_id}", summary="Discard a draft plan", status_code=status.HTTP_204_NO_CONTENT, responses=_UPDATE)
def delete_plan(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    """A draft or returned revision never approved (an amendment being prepared, too). 409 while other
    plans hang under it or its items carry proposals or competence needs."""
    service.delete_plan(session, principal, plan_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{plan_id}/submit", summary="Submit a plan for approval", response_model=PlanPublic, responses=_TRANSITION
)
def submit_plan(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
    body: TransitionRequest | None = None,
) -> PlanPublic:
    """draft or returned → submitted. The plan needs a goal or an item."""
    plan = service.submit_plan(session, principal, plan_id, _comment(body), if_match)
    set_etag(response, plan.version)
    return plan


@router.post("/{plan_id}/return", summary="Return a plan for changes", response_model=PlanPublic, responses=_TRANSITION)
def return_plan(
    principal: Authorized[Scope.plans_approve],
    session: SessionDep,
    plan_id: uuid.UUID,
    body: ReturnRequest,
    if_match: IfMatch,
    response: Response,
) -> PlanPublic:
    """submitted → returned, with the director's comment on what to change."""
    plan = service.return_plan(session, principal, plan_id, body.comment, if_match)
    set_etag(response, plan.version)
    return plan


@router.post("/{plan_id}/approve", summary="Approve a plan", response_model=PlanPublic, responses=_TRANSITION)
def approve_plan(
    principal: Authorized[Scope.plans_approve],
    session: SessionDep,
    plan_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
    body: TransitionRequest | None = None,
) -> PlanPublic:
    """submitted → approved (the director). An approved amendment supersedes the revision before it
    and takes over its items' progress; the first review is scheduled by the kind's cadence."""
    plan = service.approve_plan(session, principal, plan_id, _comment(body), if_match)
    set_etag(response, plan.version)
    return plan


@router.post("/{plan_id}/close", summary="Close a plan", response_model=PlanPublic, responses=_TRANSITION)
def close_plan(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
    body: TransitionRequest | None = None,
) -> PlanPublic:
    """approved → closed, at the end of its period (409 while an amendment is being prepared)."""
    plan = service.close_plan(session, principal, plan_id, _comment(body), if_match)
    set_etag(response, plan.version)
    return plan


@router.post(
    "/{plan_id}/amendments",
    summary="Amend an approved plan",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanPublic,
    responses=_TRANSITION,
)
def amend_plan(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
    body: TransitionRequest | None = None,
) -> PlanPublic:
    """A new draft revision with copies of the goals and items; the approved revision stays in force
    (and readable) until the new one is approved. One amendment at a time (409)."""
    plan = service.amend_plan(session, principal, plan_id, _comment(body), if_match)
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return plan


@router.get("/{plan_id}/revisions", summary="List a plan's revisions", response_model=list[PlanPublic])
def list_plan_revisions(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    plan_id: uuid.UUID,
) -> list[PlanPublic]:
    """Every revision of the plan, first to last."""
    return service.list_revisions(session, principal, plan_id)


@router.get("/{plan_id}/history", summary="A plan's workflow history", response_model=Page[PlanEventPublic])
def list_plan_history(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    plan_id: uuid.UUID,
    sort: Annotated[str, sort_query(["occurred_at"], "occurred_at")] = "occurred_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[PlanEventPublic]:
    """Who drafted, submitted, returned (with what comment), approved, amended and closed each revision."""
    rows, next_cursor = service.list_history(session, principal, plan_id, sort=sort, limit=limit, cursor=cursor)
    return Page(items=rows, next_cursor=next_cursor, limit=limit)


@router.get(
    "/{plan_id}/items.csv",
    summary="Export a plan's items as CSV",
    response_class=Response,
    responses={
        200: {
            "description": "One row per item, earliest due first.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_plan_items(principal: Authorized[Scope.plans_read], session: SessionDep, plan_id: uuid.UUID) -> Response:
    """Columns: item_id, title, description, area, goal, responsible, department, due_date, status,
    progress, completed_on, done_on_time, indicator, target_value, actual_value,
    improvement_measure_id, proposal_ids and competence_need_ids (`;`-separated). Text that would
    start a spreadsheet formula is prefixed with `'`."""
    name, text = exports.items_csv(session, principal, plan_id)
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/{plan_id}/print",
    summary="A printable page of an approved plan",
    response_class=Response,
    responses={
        200: {
            "description": "The plan as an HTML page, for printing or publishing.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **problem_responses(409),
    },
)
def print_plan(principal: Authorized[Scope.plans_read], session: SessionDep, plan_id: uuid.UUID) -> Response:
    """In Lithuanian, with the approval mark, the goals and the items. Approved plans (also closed
    and superseded revisions, as approved); 409 for a plan never approved."""
    page = exports.plan_html(session, principal, plan_id)
    # Its Content-Security-Policy (nothing runs, inline style only) comes from SecurityHeadersMiddleware.
    return Response(content=page, media_type="text/html; charset=utf-8")


# --- goals -----------------------------------------------------------------------------------------


@router.post(
    "/{plan_id}/goals",
    summary="Add a goal",
    status_code=status.HTTP_201_CREATED,
    response_model=GoalPublic,
    responses=problem_responses(409),
)
def add_plan_goal(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    body: GoalCreate,
    response: Response,
) -> GoalPublic:
    """A goal tied to the quality policy and to a goal of the strategic plan. Draft and returned plans."""
    goal = items.add_goal(session, principal, plan_id, body)
    set_etag(response, goal.version)
    return goal


@router.patch("/{plan_id}/goals/{plan_goal_id}", summary="Update a goal", response_model=GoalPublic, responses=_UPDATE)
def update_plan_goal(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    plan_goal_id: uuid.UUID,
    body: GoalUpdate,
    if_match: IfMatch,
    response: Response,
) -> GoalPublic:
    """Send the goal's `version` as If-Match. Draft and returned plans."""
    goal = items.update_goal(session, principal, plan_id, plan_goal_id, body, if_match)
    set_etag(response, goal.version)
    return goal


@router.delete(
    "/{plan_id}/goals/{plan_goal_id}",
    summary="Remove a goal",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_UPDATE,
)
def delete_plan_goal(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    plan_goal_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    """Draft and returned plans; 409 while goals of other plans serve it."""
    items.delete_goal(session, principal, plan_id, plan_goal_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- items -----------------------------------------------------------------------------------------


@router.get("/{plan_id}/items", summary="List a plan's items", response_model=Page[ItemPublic])
def list_plan_items(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    plan_id: uuid.UUID,
    status_: Annotated[ItemStatus | None, Query(alias="status")] = None,
    area: ItemArea | None = None,
    responsible_user_id: uuid.UUID | None = None,
    department_id: uuid.UUID | None = None,
    due_from: ApiDate | None = None,
    due_to: ApiDate | None = None,
    sort: Annotated[str, sort_query(["due_date", "created_at", "title"], "due_date")] = "due_date",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ItemPublic]:
    """Earliest due first, with the proposals and competence needs each item carries."""
    rows, next_cursor = items.list_items(
        session,
        principal,
        plan_id,
        status=status_,
        area=area,
        responsible_user_id=responsible_user_id,
        department_id=department_id,
        due_from=due_from,
        due_to=due_to,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=rows, next_cursor=next_cursor, limit=limit)


@router.post(
    "/{plan_id}/items",
    summary="Add an item",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemPublic,
    responses=problem_responses(403, 409),
)
def add_plan_item(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    body: ItemCreate,
    response: Response,
) -> ItemPublic:
    """Draft and returned plans; due within the plan's period. `competence_need_ids` turns staff
    competence needs into an item of a competence development plan (needs `competence:manage`)."""
    item = items.add_item(session, principal, plan_id, body)
    set_etag(response, item.version)
    response.headers["Location"] = f"/api/v1/plans/{plan_id}/items/{item.id}"
    return item


@router.get("/{plan_id}/items/{plan_item_id}", summary="Read an item", response_model=ItemPublic)
def read_plan_item(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    plan_id: uuid.UUID,
    plan_item_id: uuid.UUID,
    response: Response,
) -> ItemPublic:
    """With the proposals and competence needs it carries."""
    item = items.read_item(session, principal, plan_id, plan_item_id)
    set_etag(response, item.version)
    return item


@router.patch(
    "/{plan_id}/items/{plan_item_id}",
    summary="Update an item or report its progress",
    response_model=ItemPublic,
    responses=_UPDATE,
)
def update_plan_item(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    plan_item_id: uuid.UUID,
    body: ItemUpdate,
    if_match: IfMatch,
    response: Response,
) -> ItemPublic:
    """Content while the plan is a draft or returned; status, progress, actual value and completion
    date while it is approved (409 otherwise). A done item records its completion date (today unless
    given). Department heads report on the items of their department or in their charge."""
    item = items.update_item(session, principal, plan_id, plan_item_id, body, if_match)
    set_etag(response, item.version)
    return item


@router.delete(
    "/{plan_id}/items/{plan_item_id}",
    summary="Remove an item",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_UPDATE,
)
def delete_plan_item(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    plan_id: uuid.UUID,
    plan_item_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    """Draft and returned plans; 409 when it carries proposals or competence needs."""
    items.delete_item(session, principal, plan_id, plan_item_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- reviews ---------------------------------------------------------------------------------------


@router.post(
    "/{plan_id}/reviews",
    summary="Record a plan review",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewPublic,
    responses=problem_responses(409),
)
def add_plan_review(
    principal: Authorized[Scope.plans_review],
    session: SessionDep,
    plan_id: uuid.UUID,
    body: ReviewCreate,
) -> ReviewPublic:
    """Approved plans. Keeps every item's status and progress as they stand, and schedules the next
    review by the cadence of the plan's kind."""
    return reviews.add_review(session, principal, plan_id, body)


@router.get("/{plan_id}/reviews", summary="List a plan's reviews", response_model=Page[ReviewPublic])
def list_plan_reviews(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    plan_id: uuid.UUID,
    sort: Annotated[str, sort_query(["review_date"], "-review_date")] = "-review_date",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ReviewPublic]:
    """The reviews of every revision of the plan, with the items as they stood."""
    rows, next_cursor = reviews.list_reviews(session, principal, plan_id, sort=sort, limit=limit, cursor=cursor)
    return Page(items=rows, next_cursor=next_cursor, limit=limit)
