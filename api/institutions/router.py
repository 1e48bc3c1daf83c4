from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.institutions import service
from api.institutions.schemas import (
    DepartmentCreate,
    DepartmentPublic,
    DepartmentUpdate,
    InstitutionCreate,
    InstitutionPublic,
    InstitutionUpdate,
)
from api.models import InstitutionKind
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/institutions", tags=["institutions"])


@router.get("", summary="List institutions", response_model=Page[InstitutionPublic])
def list_institutions(
    principal: Authorized[Scope.institutions_read],
    session: SessionDep,
    municipality_id: uuid.UUID | None = None,
    kind: InstitutionKind | None = None,
    name: Annotated[str | None, Query(max_length=300, description="Substring of the name")] = None,
    sort: Annotated[str, sort_query(["name", "created_at"], "name")] = "name",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[InstitutionPublic]:
    """Institution staff see their own institution; municipality clients those of their municipality;
    platform administrators all."""
    items, next_cursor = service.list_institutions(
        session, principal, municipality_id=municipality_id, kind=kind, name=name, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=[InstitutionPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Create an institution",
    status_code=status.HTTP_201_CREATED,
    response_model=InstitutionPublic,
    responses=problem_responses(409),
)
def create_institution(
    principal: Authorized[Scope.institutions_admin],
    session: SessionDep,
    body: InstitutionCreate,
    response: Response,
) -> InstitutionPublic:
    row = service.create_institution(session, principal, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/institutions/{row.id}"
    return InstitutionPublic.model_validate(row)


@router.get("/{institution_id}", summary="Read an institution", response_model=InstitutionPublic)
def read_institution(
    principal: Authorized[Scope.institutions_read],
    session: SessionDep,
    institution_id: uuid.UUID,
    response: Response,
) -> InstitutionPublic:
    row = service.get_institution(session, principal, institution_id)
    set_etag(response, row.version)
    return InstitutionPublic.model_validate(row)


@router.patch(
    "/{institution_id}",
    summary="Update an institution",
    response_model=InstitutionPublic,
    responses=problem_responses(409, 412, 428),
)
def update_institution(
    principal: Authorized[Scope.institutions_write],
    session: SessionDep,
    institution_id: uuid.UUID,
    body: InstitutionUpdate,
    if_match: IfMatch,
    response: Response,
) -> InstitutionPublic:
    """Directors update their own institution; platform administrators any."""
    row = service.update_institution(session, principal, institution_id, body, if_match)
    set_etag(response, row.version)
    return InstitutionPublic.model_validate(row)


@router.delete(
    "/{institution_id}",
    summary="Delete an institution",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
def delete_institution(
    principal: Authorized[Scope.institutions_admin],
    session: SessionDep,
    institution_id: uuid.UUID,
    if_match: IfMatch,
) -> None:
    service.delete_institution(session, principal, institution_id, if_match)


@router.get("/{institution_id}/departments", summary="List departments", response_model=Page[DepartmentPublic])
def list_departments(
    principal: Authorized[Scope.departments_read],
    session: SessionDep,
    institution_id: uuid.UUID,
    sort: Annotated[str, sort_query(["name", "created_at"], "name")] = "name",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[DepartmentPublic]:
    items, next_cursor = service.list_departments(
        session, principal, institution_id, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=[DepartmentPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "/{institution_id}/departments",
    summary="Create a department",
    status_code=status.HTTP_201_CREATED,
    response_model=DepartmentPublic,
    responses=problem_responses(409),
)
def create_department(
    principal: Authorized[Scope.departments_write],
    session: SessionDep,
    institution_id: uuid.UUID,
    body: DepartmentCreate,
    response: Response,
) -> DepartmentPublic:
    row = service.create_department(session, principal, institution_id, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/institutions/{institution_id}/departments/{row.id}"
    return DepartmentPublic.model_validate(row)


@router.get(
    "/{institution_id}/departments/{department_id}", summary="Read a department", response_model=DepartmentPublic
)
def read_department(
    principal: Authorized[Scope.departments_read],
    session: SessionDep,
    institution_id: uuid.UUID,
    department_id: uuid.UUID,
    response: Response,
) -> DepartmentPublic:
    row = service.get_department(session, principal, institution_id, department_id)
    set_etag(response, row.version)
    return DepartmentPublic.model_validate(row)


@router.patch(
    "/{institution_id}/departments/{department_id}",
    summary="Update a department",
    response_model=DepartmentPublic,
    responses=problem_responses(409, 412, 428),
)
def update_department(
    principal: Authorized[Scope.departments_write],
    session: SessionDep,
    institution_id: uuid.UUID,
    department_id: uuid.UUID,
    body: DepartmentUpdate,
    if_match: IfMatch,
    response: Response,
) -> DepartmentPublic:
    row = service.update_department(session, principal, institution_id, department_id, body, if_match)
    set_etag(response, row.version)
    return DepartmentPublic.model_validate(row)


@router.delete(
    "/{institution_id}/departments/{department_id}",
    summary="Delete a department",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
def delete_department(
    principal: Authorized[Scope.departments_write],
    session: SessionDep,
    institution_id: uuid.UUID,
    department_id: uuid.UUID,
    if_match: IfMatch,
) -> None:
    service.delete_department(session, principal, institution_id, department_id, if_match)
