from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.municipalities import service
from api.municipalities.schemas import MunicipalityCreate, MunicipalityPublic, MunicipalityUpdate
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/municipalities", tags=["municipalities"])


@router.get("", summary="List municipalities", response_model=Page[MunicipalityPublic])
def list_municipalities(
    principal: Authorized[Scope.municipalities_read],
    session: SessionDep,
    name: Annotated[str | None, Query(max_length=200, description="Substring of the name")] = None,
    sort: Annotated[str, sort_query(["name", "created_at"], "name")] = "name",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[MunicipalityPublic]:
    """Platform administrators see all; everyone else sees only their own municipality."""
    items, next_cursor = service.list_municipalities(
        session, principal, name=name, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=[MunicipalityPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Create a municipality",
    status_code=status.HTTP_201_CREATED,
    response_model=MunicipalityPublic,
    responses=problem_responses(409),
)
def create_municipality(
    principal: Authorized[Scope.municipalities_write],
    session: SessionDep,
    body: MunicipalityCreate,
    response: Response,
) -> MunicipalityPublic:
    row = service.create_municipality(session, principal, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/municipalities/{row.id}"
    return MunicipalityPublic.model_validate(row)


@router.get("/{municipality_id}", summary="Read a municipality", response_model=MunicipalityPublic)
def read_municipality(
    principal: Authorized[Scope.municipalities_read],
    session: SessionDep,
    municipality_id: uuid.UUID,
    response: Response,
) -> MunicipalityPublic:
    row = service.get_municipality(session, principal, municipality_id)
    set_etag(response, row.version)
    return MunicipalityPublic.model_validate(row)


@router.patch(
    "/{municipality_id}",
    summary="Update a municipality",
    response_model=MunicipalityPublic,
    responses=problem_responses(409, 412, 428),
)
def update_municipality(
    principal: Authorized[Scope.municipalities_write],
    session: SessionDep,
    municipality_id: uuid.UUID,
    body: MunicipalityUpdate,
    if_match: IfMatch,
    response: Response,
) -> MunicipalityPublic:
    row = service.update_municipality(session, principal, municipality_id, body, if_match)
    set_etag(response, row.version)
    return MunicipalityPublic.model_validate(row)


@router.delete(
    "/{municipality_id}",
    summary="Delete a municipality",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
def delete_municipality(
    principal: Authorized[Scope.municipalities_write],
    session: SessionDep,
    municipality_id: uuid.UUID,
    if_match: IfMatch,
) -> None:
    """Refused with 409 while institutions belong to it."""
    service.delete_municipality(session, principal, municipality_id, if_match)
