"""SWOT analyses (SSGG): per institution and year, items by quadrant with links to evidence."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.models import SwotQuadrant
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.swot import service
from api.swot.schemas import SwotAnalysis, SwotItemCreate, SwotItemPublic, SwotItemUpdate

router = APIRouter(prefix="/api/v1/swot", tags=["SWOT"])
_WRITE = problem_responses(412, 428)


@router.get(
    "", summary="A year's SWOT analysis by quadrant", response_model=SwotAnalysis, responses=problem_responses(404)
)
def read_swot_analysis(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
    institution_id: uuid.UUID | None = None,
) -> SwotAnalysis:
    """Strengths, weaknesses, opportunities and threats of your institution (default) for `year`."""
    return service.analysis(session, principal, institution_id=institution_id, year=year)


@router.get("/items", summary="List SWOT items", response_model=Page[SwotItemPublic])
def list_swot_items(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    quadrant: SwotQuadrant | None = None,
    sort: Annotated[str, sort_query(["created_at", "year"], "created_at")] = "created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[SwotItemPublic]:
    """Your institution's SWOT items, filtered by year and quadrant."""
    rows, next_cursor = service.list_items(
        session, principal, year=year, quadrant=quadrant, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=[SwotItemPublic.model_validate(r) for r in rows], next_cursor=next_cursor, limit=limit)


@router.post("/items", summary="Add a SWOT item", status_code=status.HTTP_201_CREATED, response_model=SwotItemPublic)
def create_swot_item(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    body: SwotItemCreate,
    response: Response,
) -> SwotItemPublic:
    """An item in a quadrant with links to evidence; a linked self-assessment finding or SWOT item
    must be your institution's (422 otherwise)."""
    item = service.create_item(session, principal, body)
    set_etag(response, item.version)
    response.headers["Location"] = f"/api/v1/swot/items/{item.id}"
    return SwotItemPublic.model_validate(item)


@router.get("/items/{swot_item_id}", summary="Read a SWOT item", response_model=SwotItemPublic)
def read_swot_item(
    principal: Authorized[Scope.assessments_read],
    session: SessionDep,
    swot_item_id: uuid.UUID,
    response: Response,
) -> SwotItemPublic:
    """One item with its evidence links."""
    item = service.get_item(session, principal, swot_item_id)
    set_etag(response, item.version)
    return SwotItemPublic.model_validate(item)


@router.patch("/items/{swot_item_id}", summary="Update a SWOT item", response_model=SwotItemPublic, responses=_WRITE)
def update_swot_item(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    swot_item_id: uuid.UUID,
    body: SwotItemUpdate,
    if_match: IfMatch,
    response: Response,
) -> SwotItemPublic:
    """Text, quadrant, position or the evidence links (replaced as a whole)."""
    item = service.update_item(session, principal, swot_item_id, body, if_match)
    set_etag(response, item.version)
    return SwotItemPublic.model_validate(item)


@router.delete(
    "/items/{swot_item_id}", summary="Delete a SWOT item", status_code=status.HTTP_204_NO_CONTENT, responses=_WRITE
)
def delete_swot_item(
    principal: Authorized[Scope.assessments_write],
    session: SessionDep,
    swot_item_id: uuid.UUID,
    if_match: IfMatch,
) -> Response:
    """The item goes; measures that cited it keep the reference."""
    service.delete_item(session, principal, swot_item_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
