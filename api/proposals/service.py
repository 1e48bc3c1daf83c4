"""Proposals for the plans: from staff, recipients, guardians, the institution council and the
suggestion box (a kiosk or app). received → under_consideration → accepted (carried by a plan item)
or rejected (with a reason); the submitter follows what became of it.

Submission is exactly-once per `Idempotency-Key`: the key is stored hashed together with the
submitter's id (so an anonymous proposal keeps no trace of who sent it), under a unique constraint.
A retry with the same key and the same proposal gets the stored one back (200); the same key with
another proposal is 409. Races are decided by the constraint: the loser reads the winner's row.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from api.models import (
    Department,
    Plan,
    PlanItem,
    PlanStatus,
    Proposal,
    ProposalChannel,
    ProposalSource,
    ProposalStatus,
)
from api.pagination import paginate
from api.plans.items import carrying_items
from api.proposals.schemas import AcceptRequest, ProposalCreate, ProposalPublic, ProposalUpdate
from api.security.principal import Principal
from api.security.scopes import Role
from api.tenancy import exists, scoped
from api.types import utcnow
from api.webhooks.outbox import emit

RESOURCE = "proposal"
#: Sources a submitter of each role speaks for (staff record any, e.g. what the council relayed).
OWN_SOURCE = {
    Role.recipient: ProposalSource.recipient,
    Role.guardian: ProposalSource.guardian,
    Role.feedback_device: ProposalSource.suggestion_box,
}
#: Roles that see and decide every proposal of the institution; a department head those addressed
#: to their department; everyone else their own.
DECIDERS = frozenset({Role.director, Role.quality_lead})
OPEN = (ProposalStatus.received, ProposalStatus.under_consideration)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class IdempotencyKeyReused(Conflict):
    slug, title = "idempotency-key-reused", "This Idempotency-Key was used for another proposal"


# --- visibility ------------------------------------------------------------------------------------


def visibility(principal: Principal) -> sa.ColumnElement[bool]:
    if principal.role in DECIDERS:
        return sa.true()
    own = Proposal.submitted_by_id == principal.subject_id
    if principal.role is Role.department_head and principal.department_id is not None:
        return sa.or_(own, Proposal.department_id == principal.department_id)
    return own


def readable(principal: Principal, statement=None):
    stmt = statement if statement is not None else select(Proposal)
    return scoped(stmt, Proposal, principal).where(visibility(principal))


def get_proposal_or_404(session: Session, principal: Principal, proposal_id: uuid.UUID) -> Proposal:
    row = session.exec(readable(principal).where(Proposal.id == proposal_id)).first()
    if row is None:
        raise NotFound("No proposal with this id.")
    return row


def require_decider(principal: Principal, proposal: Proposal) -> None:
    if principal.role in DECIDERS:
        return
    if (
        principal.role is Role.department_head
        and proposal.department_id is not None
        and proposal.department_id == principal.department_id
    ):
        return
    raise Forbidden("A department head decides the proposals addressed to their department only.")


# --- reading ---------------------------------------------------------------------------------------


def publish(session: Session, proposals: list[Proposal]) -> list[ProposalPublic]:
    """Proposals with their outcome: for accepted ones, the plan item carrying them."""
    carriers = carrying_items(session, {p.plan_item_id for p in proposals if p.plan_item_id is not None})
    return [
        ProposalPublic.model_validate(p).model_copy(update={"outcome": carriers.get(p.plan_item_id)}) for p in proposals
    ]


def to_public(session: Session, proposal: Proposal) -> ProposalPublic:
    return publish(session, [proposal])[0]


def list_proposals(
    session: Session,
    principal: Principal,
    *,
    status: ProposalStatus | None,
    source: ProposalSource | None,
    category: str | None,
    department_id: uuid.UUID | None,
    plan_year: int | None,
    mine: bool,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[ProposalPublic], str | None]:
    stmt = readable(principal)
    if status:
        stmt = stmt.where(Proposal.status == status)
    if source:
        stmt = stmt.where(Proposal.source == source)
    if category:
        stmt = stmt.where(Proposal.category == category)
    if department_id:
        stmt = stmt.where(Proposal.department_id == department_id)
    if plan_year is not None:
        stmt = stmt.where(Proposal.plan_year == plan_year)
    if mine:
        stmt = stmt.where(Proposal.submitted_by_id == principal.subject_id)
    rows, next_cursor = paginate(session, stmt, model=Proposal, sort=sort, limit=limit, cursor=cursor)
    return publish(session, rows), next_cursor


def read_proposal(session: Session, principal: Principal, proposal_id: uuid.UUID) -> ProposalPublic:
    return to_public(session, get_proposal_or_404(session, principal, proposal_id))


def track_proposal(session: Session, principal: Principal, tracking_code: str) -> ProposalPublic:
    """The code is what an anonymous submitter holds: anyone of the institution who has it may follow
    the proposal."""
    row = session.exec(
        scoped(select(Proposal), Proposal, principal).where(Proposal.tracking_code == tracking_code.upper())
    ).first()
    if row is None:
        raise NotFound("No proposal with this tracking code.")
    return to_public(session, row)


# --- submitting ------------------------------------------------------------------------------------


def _key_hash(principal: Principal, key: str) -> str:
    return hashlib.sha256(f"{principal.kind}:{principal.subject_id}:{key}".encode()).hexdigest()


def _request_hash(data: ProposalCreate) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _tracking_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def _stored(session: Session, institution_id: uuid.UUID, key_hash: str) -> Proposal | None:
    return session.exec(
        select(Proposal)
        .where(Proposal.institution_id == institution_id, Proposal.idempotency_key_hash == key_hash)
        .execution_options(populate_existing=True)
    ).first()


def _replay(stored: Proposal, request_hash: str) -> Proposal:
    if stored.request_hash != request_hash:
        raise IdempotencyKeyReused("This Idempotency-Key was sent before with another proposal; use a new key.")
    return stored


def submit_proposal(
    session: Session, principal: Principal, data: ProposalCreate, idempotency_key: str | None
) -> tuple[ProposalPublic, bool]:
    """Returns the proposal and whether it was created now (False: a replay of an earlier request)."""
    institution_id = principal.institution_id
    if institution_id is None:
        raise Forbidden("Proposals are submitted to an institution.")
    device = principal.role is Role.feedback_device
    if device and not idempotency_key:
        raise ValidationFailed.for_field(
            "header.Idempotency-Key", "A device sends an Idempotency-Key with every proposal."
        )
    source = data.source or OWN_SOURCE.get(principal.role, ProposalSource.staff)
    if principal.role in OWN_SOURCE and source != OWN_SOURCE[principal.role]:
        raise Forbidden(f"A {principal.role.value} submits proposals as {OWN_SOURCE[principal.role].value}.")
    if data.department_id is not None and not exists(session, Department, data.department_id, principal):
        raise ValidationFailed.for_field("body.department_id", "No department with this id in your institution.")
    key_hash = _key_hash(principal, idempotency_key) if idempotency_key else None
    request_hash = _request_hash(data)
    if key_hash is not None and (stored := _stored(session, institution_id, key_hash)) is not None:
        return to_public(session, _replay(stored, request_hash)), False
    anonymous = data.anonymous or device
    row = Proposal(
        institution_id=institution_id,
        source=source,
        channel=data.channel or (ProposalChannel.kiosk if device else ProposalChannel.web),
        category=data.category,
        text=data.text,
        anonymous=anonymous,
        submitted_by_id=None if anonymous or principal.kind != "user" else principal.subject_id,
        device_id=principal.subject_id if principal.kind == "client" else None,
        department_id=data.department_id,
        plan_year=data.plan_year,
        tracking_code=_tracking_code(),
        idempotency_key_hash=key_hash,
        request_hash=request_hash,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # A concurrent request with the same key won (the tracking code is 50 random bits).
        stored = _stored(session, institution_id, key_hash) if key_hash else None
        if stored is None:
            raise
        return to_public(session, _replay(stored, request_hash)), False
    # An anonymous proposal leaves no actor in the audit trail either.
    audit(
        session,
        None if anonymous else principal,
        action="create",
        resource_type=RESOURCE,
        resource_id=row.id,
        institution_id=institution_id,
    )
    return to_public(session, row), True


# --- deciding --------------------------------------------------------------------------------------


def _decidable(session: Session, principal: Principal, proposal_id: uuid.UUID, if_match: str) -> Proposal:
    row = get_proposal_or_404(session, principal, proposal_id)
    require_decider(principal, row)
    check_if_match(if_match, row.version)
    return row


def _save(session: Session, principal: Principal, row: Proposal, *, action: str) -> ProposalPublic:
    session.add(row)
    session.flush()
    audit(session, principal, action=action, resource_type=RESOURCE, resource_id=row.id)
    return to_public(session, row)


def _expect(row: Proposal, status: ProposalStatus, action: str) -> None:
    if row.status != status:
        raise InvalidTransition(f"Only a {status.value} proposal can be {action}; this one is {row.status}.")


def update_proposal(
    session: Session, principal: Principal, proposal_id: uuid.UUID, patch: ProposalUpdate, if_match: str
) -> ProposalPublic:
    row = _decidable(session, principal, proposal_id, if_match)
    if row.status not in OPEN:
        raise InvalidTransition(f"A {row.status} proposal is decided; it is not sorted any more.")
    data = patch.model_dump(exclude_unset=True)
    if "category" in data and data["category"] is None:
        raise ValidationFailed.for_field("body.category", "category cannot be null")
    if data.get("department_id") is not None and not exists(session, Department, data["department_id"], principal):
        raise ValidationFailed.for_field("body.department_id", "No department with this id in your institution.")
    for key, value in data.items():
        setattr(row, key, value)
    return _save(session, principal, row, action="update")


def consider_proposal(session: Session, principal: Principal, proposal_id: uuid.UUID, if_match: str) -> ProposalPublic:
    row = _decidable(session, principal, proposal_id, if_match)
    _expect(row, ProposalStatus.received, "taken under consideration")
    row.status = ProposalStatus.under_consideration
    return _save(session, principal, row, action="consider")


def _answered(session: Session, row: Proposal) -> None:
    """`proposal.answered` for webhook subscribers: the decision, never the text or the submitter, nor
    the tracking code (an anonymous submitter's secret: whoever holds it follows the proposal)."""
    emit(
        session,
        "proposal.answered",
        row.institution_id,
        {
            "proposal_id": str(row.id),
            "category": str(row.category),
            "status": str(row.status),
            "plan_item_id": str(row.plan_item_id) if row.plan_item_id else None,
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        },
    )


def accept_proposal(
    session: Session, principal: Principal, proposal_id: uuid.UUID, data: AcceptRequest, if_match: str
) -> ProposalPublic:
    row = _decidable(session, principal, proposal_id, if_match)
    _expect(row, ProposalStatus.under_consideration, "accepted")
    found = session.exec(
        scoped(
            select(PlanItem, Plan).join(Plan, Plan.id == PlanItem.plan_id).where(PlanItem.id == data.plan_item_id),
            PlanItem,
            principal,
        )
    ).first()
    if found is None:
        raise ValidationFailed.for_field("body.plan_item_id", "No plan item with this id in your institution.")
    item, plan = found
    if plan.status in (PlanStatus.superseded, PlanStatus.closed):
        raise Conflict(f"That item belongs to a {plan.status} plan; name an item of a current plan.")
    row.status, row.plan_item_id = ProposalStatus.accepted, item.series_id
    row.decided_at, row.decided_by_id, row.rejection_reason = utcnow(), principal.subject_id, None
    out = _save(session, principal, row, action="accept")
    _answered(session, row)
    return out


def reject_proposal(
    session: Session, principal: Principal, proposal_id: uuid.UUID, reason: str, if_match: str
) -> ProposalPublic:
    row = _decidable(session, principal, proposal_id, if_match)
    _expect(row, ProposalStatus.under_consideration, "rejected")
    row.status, row.rejection_reason = ProposalStatus.rejected, reason
    row.decided_at, row.decided_by_id = utcnow(), principal.subject_id
    out = _save(session, principal, row, action="reject")
    _answered(session, row)
    return out
