"""/api/v1/plans: the institution's planning settings and the reviews due. Included before the
plan routes, so that these fixed paths are not taken for plan ids."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.models import PlanKind
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.plans import reviews, settings
from api.plans.schemas import (
    ApprovalRuleCreate,
    ApprovalRulePublic,
    ApprovalRuleUpdate,
    CadenceCreate,
    CadencePublic,
    CadenceUpdate,
    ReviewDue,
)
from api.plans.vocabulary import PlanVocabulary, vocabulary
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import ApiDate, Year, today

router = APIRouter(prefix="/api/v1/plans", tags=["plans"])
_UPDATE = problem_responses(409, 412, 428)


@router.get("/vocabulary", summary="Labels of the planning enumerations", response_model=PlanVocabulary)
def read_plan_vocabulary(principal: Authorized[Scope.plans_read]) -> PlanVocabulary:
    """Lithuanian and English labels of plan kinds and statuses, item areas and statuses, proposal
    sources, channels, categories and statuses, competence-need sources and statuses."""
    return vocabulary()


@router.get("/reviews-due", summary="Plan reviews due and overdue", response_model=Page[ReviewDue])
def list_plan_reviews_due(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    as_of: Annotated[ApiDate | None, Query(description="The day to judge from; default today.")] = None,
    within_days: Annotated[int, Query(ge=0, le=366, description="Include reviews due this many days ahead.")] = 14,
    overdue_only: bool = False,
    kind: PlanKind | None = None,
    sort: Annotated[str, sort_query(["next_review_due"], "next_review_due")] = "next_review_due",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ReviewDue]:
    """Approved plans whose next review is overdue (before `as_of`) or due within `within_days`."""
    rows, next_cursor = reviews.list_reviews_due(
        session,
        principal,
        as_of=as_of or today(),
        within_days=within_days,
        overdue_only=overdue_only,
        kind=kind,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=rows, next_cursor=next_cursor, limit=limit)


@router.get("/approval-rules", summary="List the annual plan's approval rules", response_model=Page[ApprovalRulePublic])
def list_plan_approval_rules(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    year: Year | None = None,
    sort: Annotated[str, sort_query(["year"], "-year")] = "-year",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ApprovalRulePublic]:
    """Per budget year: when the budget was approved and within how many months the annual plan is."""
    rows, next_cursor = settings.list_rules(session, principal, year=year, sort=sort, limit=limit, cursor=cursor)
    return Page(items=rows, next_cursor=next_cursor, limit=limit)


@router.post(
    "/approval-rules",
    summary="Record a year's approval rule",
    status_code=status.HTTP_201_CREATED,
    response_model=ApprovalRulePublic,
    responses=problem_responses(409),
)
def create_plan_approval_rule(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    body: ApprovalRuleCreate,
    response: Response,
) -> ApprovalRulePublic:
    """The director or the quality lead; one rule per year (409)."""
    rule = settings.create_rule(session, principal, body)
    set_etag(response, rule.version)
    response.headers["Location"] = f"/api/v1/plans/approval-rules/{rule.id}"
    return settings.rule_public(rule)


@router.get("/approval-rules/{approval_rule_id}", summary="Read an approval rule", response_model=ApprovalRulePublic)
def read_plan_approval_rule(
    principal: Authorized[Scope.plans_read],
    session: SessionDep,
    approval_rule_id: uuid.UUID,
    response: Response,
) -> ApprovalRulePublic:
    rule = settings.get_rule(session, principal, approval_rule_id)
    set_etag(response, rule.version)
    return settings.rule_public(rule)


@router.patch(
    "/approval-rules/{approval_rule_id}",
    summary="Update an approval rule",
    response_model=ApprovalRulePublic,
    responses=_UPDATE,
)
def update_plan_approval_rule(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    approval_rule_id: uuid.UUID,
    body: ApprovalRuleUpdate,
    if_match: IfMatch,
    response: Response,
) -> ApprovalRulePublic:
    """E.g. record the budget approval date once it is known."""
    rule = settings.update_rule(session, principal, approval_rule_id, body, if_match)
    set_etag(response, rule.version)
    return settings.rule_public(rule)


@router.get("/review-cadences", summary="Review cadences per kind of plan", response_model=list[CadencePublic])
def list_plan_review_cadences(principal: Authorized[Scope.plans_read], session: SessionDep) -> list[CadencePublic]:
    """Every kind with its cadence: the institution's own, or the default (annual plans monthly,
    competence development plans every six months, others not on a schedule)."""
    return settings.list_cadences(session, principal)


@router.post(
    "/review-cadences",
    summary="Set a kind's review cadence",
    status_code=status.HTTP_201_CREATED,
    response_model=CadencePublic,
    responses=problem_responses(409),
)
def create_plan_review_cadence(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    body: CadenceCreate,
    response: Response,
) -> CadencePublic:
    """The director or the quality lead; approved plans of the kind are rescheduled. 409 when the kind
    has one already (update it)."""
    row = settings.create_cadence(session, principal, body)
    set_etag(response, row.version)
    return settings.cadence_public(row)


@router.patch(
    "/review-cadences/{review_cadence_id}",
    summary="Change a review cadence",
    response_model=CadencePublic,
    responses=_UPDATE,
)
def update_plan_review_cadence(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    review_cadence_id: uuid.UUID,
    body: CadenceUpdate,
    if_match: IfMatch,
    response: Response,
) -> CadencePublic:
    row = settings.update_cadence(session, principal, review_cadence_id, body, if_match)
    set_etag(response, row.version)
    return settings.cadence_public(row)


@router.delete(
    "/review-cadences/{review_cadence_id}",
    summary="Return a kind to the default cadence",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_UPDATE,
)
def delete_plan_review_cadence(
    principal: Authorized[Scope.plans_write],
    session: SessionDep,
    review_cadence_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    settings.delete_cadence(session, principal, review_cadence_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
