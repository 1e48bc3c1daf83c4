"""Recipients of services. Every read and change is audited, so even GET routes take the write session."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep, WriteSessionDep
from api.errors import problem_responses
from api.models import RecipientStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.recipients import service
from api.recipients.schemas import AccessLogEntry, RecipientCreate, RecipientPublic, RecipientUpdate
from api.security.deps import Authorized
from api.security.scopes import Scope

router = APIRouter(prefix="/api/v1/recipients", tags=["recipients"])


@router.get("", summary="List the recipients you work with", response_model=Page[RecipientPublic])
def list_recipients(
    principal: Authorized[Scope.recipients_read],
    session: WriteSessionDep,
    status_: Annotated[RecipientStatus | None, Query(alias="status")] = None,
    department_id: uuid.UUID | None = None,
    key_worker_id: uuid.UUID | None = None,
    sort: Annotated[str, sort_query(["admission_date", "created_at"], "-admission_date")] = "-admission_date",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[RecipientPublic]:
    """Staff see the recipients assigned to them (key worker, team), department heads their
    department's, the director and the quality lead all of the institution; a recipient or guardian
    their own record. Each recipient served is recorded in the audit trail."""
    items, next_cursor = service.list_recipients(
        session,
        principal,
        status=status_,
        department_id=department_id,
        key_worker_id=key_worker_id,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)


@router.post(
    "",
    summary="Register a recipient",
    status_code=status.HTTP_201_CREATED,
    response_model=RecipientPublic,
    responses=problem_responses(409),
)
def create_recipient(
    principal: Authorized[Scope.recipients_write],
    session: SessionDep,
    body: RecipientCreate,
    response: Response,
) -> RecipientPublic:
    """A social worker becomes the key worker of a recipient they register unless another is named;
    a department head's recipient lands in their department unless another is named. Linking user
    accounts (`user_id`, `guardian_ids`) is for the director and the quality lead (403 for others);
    an account is the login of one recipient only (409 `account-linked`)."""
    row = service.create_recipient(session, principal, body)
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/recipients/{row.id}"
    return row


@router.get("/{recipient_id}", summary="Read a recipient", response_model=RecipientPublic)
def read_recipient(
    principal: Authorized[Scope.recipients_read],
    session: WriteSessionDep,
    recipient_id: uuid.UUID,
    response: Response,
) -> RecipientPublic:
    """404 for a recipient you do not work with. The read is recorded in the audit trail."""
    row = service.read_recipient(session, principal, recipient_id)
    set_etag(response, row.version)
    return row


@router.patch(
    "/{recipient_id}",
    summary="Update a recipient",
    response_model=RecipientPublic,
    responses=problem_responses(409, 412, 428),
)
def update_recipient(
    principal: Authorized[Scope.recipients_write],
    session: SessionDep,
    recipient_id: uuid.UUID,
    body: RecipientUpdate,
    if_match: IfMatch,
    response: Response,
) -> RecipientPublic:
    """`team_member_ids` and `guardian_ids` replace the current lists. Setting `discharge_date`
    discharges the recipient and closes their active care plans; clearing it re-admits them. An
    anonymised recipient cannot change (409). Changing the linked accounts (`user_id`,
    `guardian_ids`) is for the director and the quality lead (403 for others); an account is the
    login of one recipient only (409 `account-linked`)."""
    row = service.update_recipient(session, principal, recipient_id, body, if_match)
    set_etag(response, row.version)
    return row


@router.post(
    "/{recipient_id}/anonymise",
    summary="Anonymise a discharged recipient",
    response_model=RecipientPublic,
    responses=problem_responses(409, 412, 428),
)
def anonymise_recipient(
    principal: Authorized[Scope.recipients_erase],
    session: SessionDep,
    recipient_id: uuid.UUID,
    if_match: IfMatch,
    request: Request,
    response: Response,
) -> RecipientPublic:
    """Only after discharge plus the retention period (`CIKLAS_RECIPIENT_RETENTION_DAYS`), else 409.
    Erasure is total for the person: names, birth date, personal code and the links to the key
    worker, team and guardians go; every free-text field of the care plans (wishes, participants,
    non-participation reason, need and goal descriptions, goal `measure`, `baseline`, `target` and
    measured values, services' `description`, `provider` and `frequency`, review notes) is removed
    or replaced by `[ištrinta / erased]`, comments are deleted; the person's own account is
    deactivated and anonymised (username, full name, e-mail, password, sign-ins), and so is a
    guardian's account left without a ward; the text of their proposals and their free-text survey
    answers go. What the indicators need stays (codes, levels, attainment, participation) with every
    date coarsened to the month, so the indicators remain true. The audit trail keeps its rows (ids,
    roles, actions, times; no names)."""
    row = service.anonymise_recipient(
        session, principal, recipient_id, if_match, retention_days=request.app.state.settings.recipient_retention_days
    )
    set_etag(response, row.version)
    return row


@router.get(
    "/{recipient_id}/access-log", summary="Who accessed a recipient's data", response_model=Page[AccessLogEntry]
)
def list_recipient_access_log(
    principal: Authorized[Scope.recipients_read],
    session: WriteSessionDep,
    recipient_id: uuid.UUID,
    sort: Annotated[str, sort_query(["occurred_at"], "-occurred_at")] = "-occurred_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AccessLogEntry]:
    """Every read and change of the recipient's data: who, in which role, when. For the recipient,
    their guardians, the director and the quality lead; other staff who work with the recipient get 403."""
    items, next_cursor = service.list_access_log(
        session, principal, recipient_id, sort=sort, limit=limit, cursor=cursor
    )
    return Page(items=items, next_cursor=next_cursor, limit=limit)
