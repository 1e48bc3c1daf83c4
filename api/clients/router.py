from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from api.clients import service
from api.clients.schemas import ClientCreate, ClientPublic, ClientRole, ClientUpdate, ClientWithSecret
from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/clients", tags=["clients"])


def _with_secret(row, secret: str) -> ClientWithSecret:
    return ClientWithSecret(**ClientPublic.model_validate(row).model_dump(), client_secret=secret)


@router.get("", summary="List machine clients", response_model=Page[ClientPublic])
def list_clients(
    principal: Authorized[Scope.clients_read],
    session: SessionDep,
    role: ClientRole | None = None,
    sort: Annotated[str, sort_query(["name", "created_at"], "name")] = "name",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ClientPublic]:
    items, next_cursor = service.list_clients(session, principal, role=role, sort=sort, limit=limit, cursor=cursor)
    return Page(items=[ClientPublic.model_validate(i) for i in items], next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Register a machine client",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientWithSecret,
    responses=problem_responses(409),
)
def create_client(
    principal: Authorized[Scope.clients_write],
    session: SessionDep,
    body: ClientCreate,
    response: Response,
) -> ClientWithSecret:
    """Directors register their institution's feedback devices (kiosks, apps); platform
    administrators also municipality clients. The secret is in this response only."""
    row, secret = service.create_client(session, principal, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/clients/{row.id}"
    response.headers["Cache-Control"] = "no-store"
    return _with_secret(row, secret)


@router.get("/{client_id}", summary="Read a machine client", response_model=ClientPublic)
def read_client(
    principal: Authorized[Scope.clients_read],
    session: SessionDep,
    client_id: uuid.UUID,
    response: Response,
) -> ClientPublic:
    row = service.get_client(session, principal, client_id)
    set_etag(response, row.version)
    return ClientPublic.model_validate(row)


@router.patch(
    "/{client_id}",
    summary="Update a machine client",
    response_model=ClientPublic,
    responses=problem_responses(409, 412, 428),
)
def update_client(
    principal: Authorized[Scope.clients_write],
    session: SessionDep,
    client_id: uuid.UUID,
    body: ClientUpdate,
    if_match: IfMatch,
    response: Response,
) -> ClientPublic:
    """Deactivating (or reactivating) a client ends its access tokens at once (401 from the next
    request); renaming keeps them."""
    row = service.update_client(session, principal, client_id, body, if_match)
    set_etag(response, row.version)
    return ClientPublic.model_validate(row)


@router.post(
    "/{client_id}/secret",
    summary="Rotate a client's secret",
    response_model=ClientWithSecret,
    responses=problem_responses(412, 428),
)
def rotate_client_secret(
    principal: Authorized[Scope.clients_write],
    session: SessionDep,
    client_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> ClientWithSecret:
    """The old secret stops working at once, and so do the access tokens issued with it (401 from
    the next request): the device signs in again with the new secret."""
    row, secret = service.rotate_secret(session, principal, client_id, if_match)
    set_etag(response, row.version)
    response.headers["Cache-Control"] = "no-store"
    return _with_secret(row, secret)


@router.delete(
    "/{client_id}",
    summary="Delete a machine client",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
def delete_client(
    principal: Authorized[Scope.clients_write],
    session: SessionDep,
    client_id: uuid.UUID,
    if_match: IfMatch,
) -> None:
    """Once deleted, the client's tokens answer 401."""
    service.delete_client(session, principal, client_id, if_match)
