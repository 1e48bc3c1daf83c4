"""Improvement measures (kokybės gerinimo priemonės): the evidence behind them, their workflow and
their measured effect."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.measures import carry, service
from api.measures.schemas import (
    CarryIntoPlan,
    EvidenceCreate,
    EvidencePublic,
    MeasureCreate,
    MeasuredEffect,
    MeasurePublic,
    MeasureSummary,
    MeasureUpdate,
)
from api.measures.vocabulary import MeasureVocabulary, vocabulary
from api.models import MeasureArea, MeasureStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.plans.schemas import ItemPublic
from api.privacy import PrivacyDep
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/improvement-measures", tags=["improvement measures"])
_TRANSITION = problem_responses(409, 412, 428)


@router.get("", summary="List improvement measures", response_model=Page[MeasureSummary])
def list_improvement_measures(
    principal: Authorized[Scope.measures_read],
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status_: Annotated[MeasureStatus | None, Query(alias="status")] = None,
    area: MeasureArea | None = None,
    owner_id: uuid.UUID | None = None,
    carryable: Annotated[
        bool | None,
        Query(description="true: only measures next year's plan should carry (not completed, or not effective)"),
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="true: only measures past their due date and not completed")
    ] = None,
    sort: Annotated[str, sort_query(["created_at", "year"], "-created_at")] = "-created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[MeasureSummary]:
    """Your institution's measures, filtered by year, status, area and owner."""
    items, next_cursor = service.list_measures(
        session,
        principal,
        year=year,
        status=status_,
        area=area,
        owner_id=owner_id,
        carryable=carryable,
        overdue=overdue,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.get("/vocabulary", summary="Labels of the improvement-measure enumerations", response_model=MeasureVocabulary)
def read_measure_vocabulary(principal: Authorized[Scope.measures_read]) -> MeasureVocabulary:
    """Lithuanian and English labels for areas, statuses and evidence kinds."""
    return vocabulary()


@router.post(
    "", summary="Propose an improvement measure", status_code=status.HTTP_201_CREATED, response_model=MeasurePublic
)
def create_improvement_measure(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    body: MeasureCreate,
    response: Response,
) -> MeasurePublic:
    """A proposed measure with its area, owner, due date and, optionally, its expected effect: an
    indicator (by code), the target and the period in which the effect is judged (422 for an
    unknown indicator or a period of the wrong periodicity)."""
    measure = service.create_measure(session, principal, body)
    set_etag(response, measure.version)
    response.headers["Location"] = f"/api/v1/improvement-measures/{measure.id}"
    return measure


@router.get("/{measure_id}", summary="Read an improvement measure", response_model=MeasurePublic)
def read_improvement_measure(
    principal: Authorized[Scope.measures_read],
    session: SessionDep,
    measure_id: uuid.UUID,
    response: Response,
) -> MeasurePublic:
    """The measure with its evidence and its effect as computed now."""
    measure = service.read_measure(session, principal, measure_id)
    set_etag(response, measure.version)
    return measure


@router.patch(
    "/{measure_id}", summary="Update an improvement measure", response_model=MeasurePublic, responses=_TRANSITION
)
def update_improvement_measure(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    body: MeasureUpdate,
    if_match: IfMatch,
    response: Response,
) -> MeasurePublic:
    """Until it is completed (409 afterwards). `expected_effect: null` removes the expected effect."""
    measure = service.update_measure(session, principal, measure_id, body, if_match)
    set_etag(response, measure.version)
    return measure


@router.delete(
    "/{measure_id}", summary="Delete a proposed measure", status_code=status.HTTP_204_NO_CONTENT, responses=_TRANSITION
)
def delete_improvement_measure(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    """Proposed measures only (409 otherwise)."""
    service.delete_measure(session, principal, measure_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{measure_id}/approve",
    summary="Approve a proposed measure (director)",
    response_model=MeasurePublic,
    responses=_TRANSITION,
)
def approve_improvement_measure(
    principal: Authorized[Scope.measures_approve],
    session: SessionDep,
    measure_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> MeasurePublic:
    """proposed → approved. Only the director approves."""
    measure = service.transition(session, principal, measure_id, "approve", if_match)
    set_etag(response, measure.version)
    return measure


@router.post(
    "/{measure_id}/start",
    summary="Start carrying out an approved measure",
    response_model=MeasurePublic,
    responses=_TRANSITION,
)
def start_improvement_measure(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> MeasurePublic:
    """approved → in_progress."""
    measure = service.transition(session, principal, measure_id, "start", if_match)
    set_etag(response, measure.version)
    return measure


@router.post(
    "/{measure_id}/complete", summary="Mark a measure completed", response_model=MeasurePublic, responses=_TRANSITION
)
def complete_improvement_measure(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> MeasurePublic:
    """in_progress → completed. Webhook subscribers receive `measure.completed`."""
    measure = service.transition(session, principal, measure_id, "complete", if_match)
    set_etag(response, measure.version)
    return measure


@router.post(
    "/{measure_id}/evaluate",
    summary="Judge a completed measure by its measured effect",
    response_model=MeasurePublic,
    responses=_TRANSITION,
)
def evaluate_improvement_measure(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> MeasurePublic:
    """completed → effective when the evaluation period's published value reaches the target,
    not_effective otherwise; the value, the baseline from the evidence snapshot and the change are
    recorded. 409 while the period's value is not published (or no effect was expected)."""
    measure = service.evaluate_measure(session, principal, measure_id, if_match)
    set_etag(response, measure.version)
    return measure


@router.post(
    "/{measure_id}/carry-into-plan",
    summary="Carry a measure into next year's plan",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemPublic,
    responses=problem_responses(404, 409),
)
def carry_improvement_measure_into_plan(
    principal: Authorized[Scope.measures_write, Scope.plans_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    body: CarryIntoPlan,
) -> ItemPublic:
    """A measure not completed (proposed, approved, in progress) or judged not effective becomes an
    item of a later year's draft plan, linked back both ways: the item's `improvement_measure_id`
    and the measure's `carried_into_plan_item_id`. The item takes the measure's title, description,
    owner, indicator and target. 409 for an effective or completed measure, one already carried, or
    a plan that is not a draft; 422 for a plan of the same or an earlier year."""
    return carry.carry_into_plan(session, principal, measure_id, body)


@router.get("/{measure_id}/effect", summary="The measured effect of a measure", response_model=MeasuredEffect)
def read_improvement_measure_effect(
    principal: Authorized[Scope.measures_read],
    session: SessionDep,
    measure_id: uuid.UUID,
) -> MeasuredEffect:
    """Computed now from the evaluation period's published value against the evidence snapshot."""
    return service.read_effect(session, principal, measure_id)


@router.post(
    "/{measure_id}/evidence",
    summary="Link evidence that motivated a measure",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidencePublic,
)
def add_improvement_measure_evidence(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    body: EvidenceCreate,
    privacy: PrivacyDep,
) -> EvidencePublic:
    """An indicator comparison is snapshotted now (value, target, previous period, peer median).
    A self-assessment finding or SWOT item must be your institution's (422 otherwise); survey
    results and proposals are kept as references with a summary."""
    return service.add_evidence(session, principal, measure_id, body, privacy)


@router.delete(
    "/{measure_id}/evidence/{evidence_id}", summary="Unlink a piece of evidence", status_code=status.HTTP_204_NO_CONTENT
)
def remove_improvement_measure_evidence(
    principal: Authorized[Scope.measures_write],
    session: SessionDep,
    measure_id: uuid.UUID,
    evidence_id: uuid.UUID,
) -> Response:
    """The link goes; the evidence itself stays."""
    service.remove_evidence(session, principal, measure_id, evidence_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
