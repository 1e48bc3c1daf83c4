from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep, WriteSessionDep
from api.errors import problem_responses
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Role, Scope
from api.users import service
from api.users.schemas import UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("", summary="List users", response_model=Page[UserPublic])
def list_users(
    principal: Authorized[Scope.users_read],
    session: WriteSessionDep,
    role: Role | None = None,
    department_id: uuid.UUID | None = None,
    is_active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Substring of username or full name")] = None,
    sort: Annotated[str, sort_query(["username", "full_name", "created_at"], "username")] = "username",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[UserPublic]:
    """Need to know: the director and the quality lead see every account of the institution; a
    department head the staff of their department and the accounts of the recipients (and their
    guardians) they may see; a platform administrator staff and municipal accounts, never the
    accounts of recipients and guardians. Every account of a recipient or guardian served is
    recorded in the audit trail, naming the recipient (it shows in the recipient's access log)."""
    items, next_cursor = service.list_users(
        session,
        principal,
        role=role,
        department_id=department_id,
        is_active=is_active,
        q=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[UserPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Create a user",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses=problem_responses(409),
)
def create_user(
    principal: Authorized[Scope.users_write],
    session: SessionDep,
    body: UserCreate,
    response: Response,
) -> UserPublic:
    """Directors create accounts in their own institution; platform administrators any account,
    including other administrators and municipality analysts."""
    row = service.create_user(session, principal, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/users/{row.id}"
    return UserPublic.model_validate(row)


@router.get("/{user_id}", summary="Read a user", response_model=UserPublic)
def read_user(
    principal: Authorized[Scope.users_read],
    session: WriteSessionDep,
    user_id: uuid.UUID,
    response: Response,
) -> UserPublic:
    """404 for an account you may not see (the rules of the list). A read of a recipient's or
    guardian's account is recorded in the audit trail like a read of the recipient."""
    row = service.read_user(session, principal, user_id)
    set_etag(response, row.version)
    return UserPublic.model_validate(row)


@router.patch(
    "/{user_id}", summary="Update a user", response_model=UserPublic, responses=problem_responses(409, 412, 428)
)
def update_user(
    principal: Authorized[Scope.users_write],
    session: SessionDep,
    user_id: uuid.UUID,
    body: UserUpdate,
    if_match: IfMatch,
    response: Response,
) -> UserPublic:
    """A new password, deactivation (or reactivation), or a change of role or department ends the
    user's sign-ins at once: their access tokens answer 401 from the next request and their refresh
    tokens are revoked. Name and e-mail changes keep them."""
    row = service.update_user(session, principal, user_id, body, if_match)
    set_etag(response, row.version)
    return UserPublic.model_validate(row)


@router.delete(
    "/{user_id}",
    summary="Delete a user",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
def delete_user(
    principal: Authorized[Scope.users_write],
    session: SessionDep,
    user_id: uuid.UUID,
    if_match: IfMatch,
) -> None:
    """Refused with 409 while the user's work is referenced elsewhere; deactivate instead. Once
    deleted, the user's tokens answer 401."""
    service.delete_user(session, principal, user_id, if_match)
