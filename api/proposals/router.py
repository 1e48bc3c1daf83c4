"""/api/v1/proposals: proposals for the plans, and what became of them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status

from api.concurrency import IfMatch, set_etag
from api.db import SessionDep
from api.errors import problem_responses
from api.models import ProposalCategory, ProposalSource, ProposalStatus
from api.pagination import CursorQuery, LimitQuery, Page, sort_query
from api.proposals import service
from api.proposals.schemas import AcceptRequest, ProposalCreate, ProposalPublic, ProposalUpdate, RejectRequest
from api.security.deps import Authorized
from api.security.scopes import Scope
from api.types import Year

router = APIRouter(prefix="/api/v1/proposals", tags=["proposals"])
_TRANSITION = problem_responses(409, 412, 428)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern="^[!-~]+$",
        description="Makes the submission exactly-once: a retry with the same key returns the stored proposal "
        "(200). Required from devices.",
    ),
]


@router.post(
    "",
    summary="Submit a proposal",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalPublic,
    responses={
        200: {
            "model": ProposalPublic,
            "description": "A retry: the proposal stored the first time (header `Idempotent-Replayed: true`)",
        },
        **problem_responses(409),
    },
)
def submit_proposal(
    principal: Authorized[Scope.proposals_submit],
    session: SessionDep,
    body: ProposalCreate,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ProposalPublic:
    """Staff, recipients, guardians, and kiosks or apps (the suggestion box, always anonymous). Keep the
    `tracking_code` to follow it. The same `Idempotency-Key` with another proposal is 409."""
    proposal, created = service.submit_proposal(session, principal, body, idempotency_key)
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    set_etag(response, proposal.version)
    response.headers["Location"] = f"/api/v1/proposals/{proposal.id}"
    return proposal


@router.get("", summary="List proposals", response_model=Page[ProposalPublic])
def list_proposals(
    principal: Authorized[Scope.proposals_read],
    session: SessionDep,
    status_: Annotated[ProposalStatus | None, Query(alias="status")] = None,
    source: ProposalSource | None = None,
    category: ProposalCategory | None = None,
    department_id: uuid.UUID | None = None,
    plan_year: Year | None = None,
    mine: Annotated[bool, Query(description="Only the ones you submitted (not anonymously).")] = False,
    sort: Annotated[str, sort_query(["created_at"], "-created_at")] = "-created_at",
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[ProposalPublic]:
    """The director and the quality lead see all; a department head those addressed to their
    department; everyone else their own."""
    rows, next_cursor = service.list_proposals(
        session,
        principal,
        status=status_,
        source=source,
        category=category,
        department_id=department_id,
        plan_year=plan_year,
        mine=mine,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=rows, next_cursor=next_cursor, limit=limit)


@router.get(
    "/tracking/{tracking_code}", summary="Follow a proposal by its tracking code", response_model=ProposalPublic
)
def track_proposal(
    principal: Authorized[Scope.proposals_read],
    session: SessionDep,
    tracking_code: Annotated[str, Path(min_length=10, max_length=10, pattern="^[A-Za-z0-9]+$")],
    response: Response,
) -> ProposalPublic:
    """For anonymous submitters: the code is the proposal's receipt."""
    proposal = service.track_proposal(session, principal, tracking_code)
    set_etag(response, proposal.version)
    return proposal


@router.get("/{proposal_id}", summary="Read a proposal and what became of it", response_model=ProposalPublic)
def read_proposal(
    principal: Authorized[Scope.proposals_read],
    session: SessionDep,
    proposal_id: uuid.UUID,
    response: Response,
) -> ProposalPublic:
    """An accepted proposal shows the plan item carrying it, in the plan's current revision."""
    proposal = service.read_proposal(session, principal, proposal_id)
    set_etag(response, proposal.version)
    return proposal


@router.patch("/{proposal_id}", summary="Sort a proposal", response_model=ProposalPublic, responses=_TRANSITION)
def update_proposal(
    principal: Authorized[Scope.proposals_manage],
    session: SessionDep,
    proposal_id: uuid.UUID,
    body: ProposalUpdate,
    if_match: IfMatch,
    response: Response,
) -> ProposalPublic:
    """Category, department and plan year, while it is undecided."""
    proposal = service.update_proposal(session, principal, proposal_id, body, if_match)
    set_etag(response, proposal.version)
    return proposal


@router.post(
    "/{proposal_id}/consider",
    summary="Take a proposal under consideration",
    response_model=ProposalPublic,
    responses=_TRANSITION,
)
def consider_proposal(
    principal: Authorized[Scope.proposals_manage],
    session: SessionDep,
    proposal_id: uuid.UUID,
    if_match: IfMatch,
    response: Response,
) -> ProposalPublic:
    """received → under_consideration."""
    proposal = service.consider_proposal(session, principal, proposal_id, if_match)
    set_etag(response, proposal.version)
    return proposal


@router.post(
    "/{proposal_id}/accept",
    summary="Accept a proposal into a plan",
    response_model=ProposalPublic,
    responses=_TRANSITION,
)
def accept_proposal(
    principal: Authorized[Scope.proposals_manage],
    session: SessionDep,
    proposal_id: uuid.UUID,
    body: AcceptRequest,
    if_match: IfMatch,
    response: Response,
) -> ProposalPublic:
    """under_consideration → accepted, linked to the plan item that carries it (an item of a closed or
    superseded plan is 409)."""
    proposal = service.accept_proposal(session, principal, proposal_id, body, if_match)
    set_etag(response, proposal.version)
    return proposal


@router.post("/{proposal_id}/reject", summary="Reject a proposal", response_model=ProposalPublic, responses=_TRANSITION)
def reject_proposal(
    principal: Authorized[Scope.proposals_manage],
    session: SessionDep,
    proposal_id: uuid.UUID,
    body: RejectRequest,
    if_match: IfMatch,
    response: Response,
) -> ProposalPublic:
    """under_consideration → rejected, with the reason the submitter will read."""
    proposal = service.reject_proposal(session, principal, proposal_id, body.reason, if_match)
    set_etag(response, proposal.version)
    return proposal
