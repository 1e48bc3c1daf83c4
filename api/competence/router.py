"""/api/v1/plans/competence-needs: what staff want to learn, for the competence development plan.
Included before the plan routes, so that the path is not taken for a plan id."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.competence import service
from api.competence.schemas import CompetenceNeedCreate, CompetenceNeedPublic, CompetenceNeedUpdate
from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.models import CompetenceNeedSource, CompetenceNeedStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import Year

router = APIRouter(prefix="/api/v1/plans/competence-needs", tags=["competence needs"])
_UPDATE = problem_responses(409, 412, 428)


@router.get("", summary="List competence needs", response_model=Page[CompetenceNeedPublic])
def list_competence_needs(
    principal: Authorized[Scope.competence_read],
    session: SessionDep,
    year: Year | None = None,
    status_: Annotated[CompetenceNeedStatus | None, Query(alias="status")] = None,
    source: CompetenceNeedSource | None = None,
    user_id: uuid.UUID | None = None,
    sort: Annotated[str, sort_query(["created_at", "topic"], "-created_at")] = "-created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[CompetenceNeedPublic]:
    """The director and the quality lead see all; a department head those of their department's
    staff; everyone else their own."""
    rows, next_cursor = service.list_needs(
        session,
        principal,
        year=year,
        status=status_,
        source=source,
        user_id=user_id,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=rows, next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Name a competence need",
    status_code=status.HTTP_201_CREATED,
    response_model=CompetenceNeedPublic,
    responses=problem_responses(409),
)
def create_competence_need(
    principal: Authorized[Scope.competence_submit],
    session: SessionDep,
    body: CompetenceNeedCreate,
    response: Response,
) -> CompetenceNeedPublic:
    """A staff member's training topic for the year; or, by the director or the quality lead, an
    appraisal or self-assessment conclusion about a staff member."""
    need = service.create_need(session, principal, body)
    set_etag(response, need.version)
    response.headers["Location"] = f"/api/v1/plans/competence-needs/{need.id}"
    return need


@router.get("/{competence_need_id}", summary="Read a competence need", response_model=CompetenceNeedPublic)
def read_competence_need(
    principal: Authorized[Scope.competence_read],
    session: SessionDep,
    competence_need_id: uuid.UUID,
    response: Response,
) -> CompetenceNeedPublic:
    """Once planned, with the competence-plan item carrying it."""
    need = service.read_need(session, principal, competence_need_id)
    set_etag(response, need.version)
    return need


@router.patch(
    "/{competence_need_id}", summary="Change a competence need", response_model=CompetenceNeedPublic, responses=_UPDATE
)
def update_competence_need(
    principal: Authorized[Scope.competence_submit],
    session: SessionDep,
    competence_need_id: uuid.UUID,
    body: CompetenceNeedUpdate,
    if_match: IfMatch,
    response: Response,
) -> CompetenceNeedPublic:
    """Your own, or any with `competence:manage`, until it is in the plan (409)."""
    need = service.update_need(session, principal, competence_need_id, body, if_match)
    set_etag(response, need.version)
    return need


@router.delete(
    "/{competence_need_id}",
    summary="Withdraw a competence need",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_UPDATE,
)
def delete_competence_need(
    principal: Authorized[Scope.competence_submit],
    session: SessionDep,
    competence_need_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    """Your own, or any with `competence:manage`, until it is in the plan (409)."""
    service.delete_need(session, principal, competence_need_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
