"""Staff competence needs: training topics staff name at the start of the year, and conclusions of
appraisals and self-assessments the quality lead records. The quality lead turns them into items of
the competence development plan (`competence_need_ids` of a plan item), and the need keeps the link.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.competence.schemas import CompetenceNeedCreate, CompetenceNeedPublic, CompetenceNeedUpdate
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from api.models import CompetenceNeed, CompetenceNeedSource, CompetenceNeedStatus, User
from api.pagination import paginate
from api.plans.items import carrying_items
from api.security.principal import Principal
from api.security.scopes import STAFF_ROLES, Role, Scope
from api.tenancy import scoped

RESOURCE = "competence_need"


def visibility(principal: Principal) -> sa.ColumnElement[bool]:
    """Managers see every need; a department head those of their department's staff; others their own."""
    if principal.has(Scope.competence_manage):
        return sa.true()
    own = CompetenceNeed.user_id == principal.subject_id
    if principal.role is Role.department_head and principal.department_id is not None:
        department = select(User.id).where(User.department_id == principal.department_id)
        return sa.or_(own, CompetenceNeed.user_id.in_(department))
    return own


def readable(principal: Principal):
    return scoped(select(CompetenceNeed), CompetenceNeed, principal).where(visibility(principal))


def get_need_or_404(session: Session, principal: Principal, need_id: uuid.UUID) -> CompetenceNeed:
    row = session.exec(readable(principal).where(CompetenceNeed.id == need_id)).first()
    if row is None:
        raise NotFound("No competence need with this id.")
    return row


def publish(session: Session, needs: list[CompetenceNeed]) -> list[CompetenceNeedPublic]:
    carriers = carrying_items(session, {n.plan_item_id for n in needs if n.plan_item_id is not None})
    return [
        CompetenceNeedPublic.model_validate(n).model_copy(update={"outcome": carriers.get(n.plan_item_id)})
        for n in needs
    ]


def list_needs(
    session: Session,
    principal: Principal,
    *,
    year: int | None,
    status: CompetenceNeedStatus | None,
    source: CompetenceNeedSource | None,
    user_id: uuid.UUID | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[CompetenceNeedPublic], str | None]:
    stmt = readable(principal)
    if year is not None:
        stmt = stmt.where(CompetenceNeed.year == year)
    if status:
        stmt = stmt.where(CompetenceNeed.status == status)
    if source:
        stmt = stmt.where(CompetenceNeed.source == source)
    if user_id:
        stmt = stmt.where(CompetenceNeed.user_id == user_id)
    rows, next_cursor = paginate(session, stmt, model=CompetenceNeed, sort=sort, limit=limit, cursor=cursor)
    return publish(session, rows), next_cursor


def read_need(session: Session, principal: Principal, need_id: uuid.UUID) -> CompetenceNeedPublic:
    return publish(session, [get_need_or_404(session, principal, need_id)])[0]


def create_need(session: Session, principal: Principal, data: CompetenceNeedCreate) -> CompetenceNeedPublic:
    user_id = data.user_id or principal.subject_id
    on_behalf = user_id != principal.subject_id or data.source != CompetenceNeedSource.staff_request
    if on_behalf and not principal.has(Scope.competence_manage):
        raise Forbidden(
            "Staff name their own training needs; appraisal and self-assessment conclusions, and "
            "needs of others, are recorded by the director or the quality lead."
        )
    staff = session.exec(
        select(User.id).where(
            User.id == user_id,
            User.institution_id == principal.institution_id,
            User.role.in_([r.value for r in STAFF_ROLES]),
        )
    ).first()
    if staff is None:
        raise ValidationFailed.for_field("body.user_id", "No staff member with this id in your institution.")
    row = CompetenceNeed(
        institution_id=principal.institution_id,
        year=data.year,
        user_id=user_id,
        recorded_by_id=principal.subject_id,
        source=data.source,
        topic=data.topic,
        description=data.description,
    )
    session.add(row)
    flush_or_conflict(session, "The competence need could not be stored.")
    audit(session, principal, action="create", resource_type=RESOURCE, resource_id=row.id)
    return publish(session, [row])[0]


def _changeable(session: Session, principal: Principal, need_id: uuid.UUID, if_match: str) -> CompetenceNeed:
    row = get_need_or_404(session, principal, need_id)
    if not principal.has(Scope.competence_manage) and (
        row.user_id != principal.subject_id or row.source != CompetenceNeedSource.staff_request
    ):
        raise Forbidden("You change only the training needs you named yourself.")
    check_if_match(if_match, row.version)
    if row.status != CompetenceNeedStatus.submitted:
        raise InvalidTransition("The need is in the competence plan already; it is not changed any more.")
    return row


def update_need(
    session: Session, principal: Principal, need_id: uuid.UUID, patch: CompetenceNeedUpdate, if_match: str
) -> CompetenceNeedPublic:
    row = _changeable(session, principal, need_id, if_match)
    data = patched_fields(patch, not_null=("year", "topic"))
    for key, value in data.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    audit(session, principal, action="update", resource_type=RESOURCE, resource_id=row.id)
    return publish(session, [row])[0]


def delete_need(session: Session, principal: Principal, need_id: uuid.UUID, if_match: str) -> None:
    row = _changeable(session, principal, need_id, if_match)
    session.delete(row)
    session.flush()
    audit(session, principal, action="delete", resource_type=RESOURCE, resource_id=need_id)
