"""Recipients: minimal personal data, the people who work with them, and erasure after retention."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, select

from api.care_plans.access import ACCESS_LOG_ROLES, LINKING_ROLES, get_recipient_or_404, readable_recipients
from api.care_plans.trail import audit_care, audit_listed
from api.concurrency import check_if_match
from api.crud import flush_or_conflict, patched_fields
from api.errors import Conflict, Forbidden, ValidationFailed
from api.models import (
    AuditEvent,
    CarePlan,
    CarePlanStatus,
    Department,
    Recipient,
    RecipientGuardian,
    RecipientStatus,
    RecipientTeamMember,
    User,
)
from api.pagination import paginate
from api.recipients import erasure
from api.recipients.schemas import AccessLogEntry, RecipientCreate, RecipientPublic, RecipientUpdate
from api.security.principal import Principal
from api.security.scopes import STAFF_ROLES, Role
from api.types import utcnow

_RESOURCE = "recipient"


def _check_users(
    session: Session, principal: Principal, ids: Sequence[uuid.UUID], roles: frozenset[Role] | set[Role], field: str
) -> None:
    wanted = set(ids)
    if not wanted:
        return
    found = set(
        session.exec(
            select(User.id).where(
                User.id.in_(wanted),
                User.institution_id == principal.institution_id,
                User.role.in_([r.value for r in roles]),
                User.is_active.is_(True),
            )
        ).all()
    )
    if found != wanted:
        raise ValidationFailed.for_field(
            f"body.{field}",
            f"every user must be an active user of your institution with role "
            f"{', '.join(sorted(r.value for r in roles))}",
        )


class AccountLinked(Conflict):
    slug, title = "account-linked", "This account is linked to another recipient"


def _check_linking(principal: Principal, *, changes: bool) -> None:
    """A recipient's own login and guardians open the care data to an account: the director and the
    quality lead set them, not those who merely work with the recipient (403)."""
    if changes and principal.role not in LINKING_ROLES:
        raise Forbidden(
            "Only the director or the quality lead links user accounts (user_id, guardian_ids) to a recipient."
        )


def _check_account_free(session: Session, user_id: uuid.UUID, recipient_id: uuid.UUID | None) -> None:
    stmt = select(Recipient.id).where(Recipient.user_id == user_id)
    if recipient_id is not None:
        stmt = stmt.where(Recipient.id != recipient_id)
    if session.exec(stmt).first() is not None:
        raise AccountLinked("This account is the login of another recipient; an account reaches one recipient.")


def _guardian_ids(session: Session, recipient_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        session.exec(select(RecipientGuardian.user_id).where(RecipientGuardian.recipient_id == recipient_id)).all()
    )


def _check_department(session: Session, principal: Principal, department_id: uuid.UUID | None) -> None:
    if department_id is None:
        return
    dept = session.get(Department, department_id)
    if dept is None or dept.institution_id != principal.institution_id:
        raise ValidationFailed.for_field("body.department_id", "no department with this id in your institution")


def to_public(session: Session, rows: Sequence[Recipient]) -> list[RecipientPublic]:
    ids = [r.id for r in rows]
    teams: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    guardians: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    if ids:
        for rid, uid in session.exec(
            select(RecipientTeamMember.recipient_id, RecipientTeamMember.user_id).where(
                RecipientTeamMember.recipient_id.in_(ids)
            )
        ).all():
            teams[rid].append(uid)
        for rid, uid in session.exec(
            select(RecipientGuardian.recipient_id, RecipientGuardian.user_id).where(
                RecipientGuardian.recipient_id.in_(ids)
            )
        ).all():
            guardians[rid].append(uid)
    return [
        RecipientPublic.model_validate(r).model_copy(
            update={"team_member_ids": sorted(teams[r.id]), "guardian_ids": sorted(guardians[r.id])}
        )
        for r in rows
    ]


def _replace_links(session: Session, model: type, recipient: Recipient, user_ids: Sequence[uuid.UUID]) -> None:
    session.exec(sa.delete(model).where(model.recipient_id == recipient.id))
    for uid in dict.fromkeys(user_ids):
        session.add(model(recipient_id=recipient.id, user_id=uid, institution_id=recipient.institution_id))


def list_recipients(
    session: Session,
    principal: Principal,
    *,
    status: RecipientStatus | None,
    department_id: uuid.UUID | None,
    key_worker_id: uuid.UUID | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[RecipientPublic], str | None]:
    stmt = readable_recipients(principal)
    if status:
        stmt = stmt.where(Recipient.status == status)
    if department_id:
        stmt = stmt.where(Recipient.department_id == department_id)
    if key_worker_id:
        stmt = stmt.where(Recipient.key_worker_id == key_worker_id)
    rows, next_cursor = paginate(session, stmt, model=Recipient, sort=sort, limit=limit, cursor=cursor)
    audit_listed(session, principal, rows, resource_type=_RESOURCE, recipient_attr="id")
    return to_public(session, rows), next_cursor


def read_recipient(session: Session, principal: Principal, recipient_id: uuid.UUID) -> RecipientPublic:
    row = get_recipient_or_404(session, principal, recipient_id)
    audit_care(
        session,
        principal,
        action="read",
        resource_type=_RESOURCE,
        resource_id=row.id,
        recipient_id=row.id,
        institution_id=row.institution_id,
    )
    return to_public(session, [row])[0]


def create_recipient(session: Session, principal: Principal, data: RecipientCreate) -> RecipientPublic:
    department_id = data.department_id
    if department_id is None and principal.role is Role.department_head:
        department_id = principal.department_id
    key_worker_id = data.key_worker_id
    if key_worker_id is None and principal.role is Role.social_worker:
        key_worker_id = principal.subject_id
    _check_linking(principal, changes=bool(data.user_id or data.guardian_ids))
    _check_department(session, principal, department_id)
    _check_users(session, principal, [key_worker_id] if key_worker_id else [], STAFF_ROLES, "key_worker_id")
    _check_users(session, principal, data.team_member_ids, STAFF_ROLES, "team_member_ids")
    _check_users(session, principal, [data.user_id] if data.user_id else [], {Role.recipient}, "user_id")
    _check_users(session, principal, data.guardian_ids, {Role.guardian}, "guardian_ids")
    if data.user_id:
        _check_account_free(session, data.user_id, None)
    row = Recipient(
        institution_id=principal.institution_id,
        first_name=data.first_name,
        last_name=data.last_name,
        birth_date=data.birth_date,
        personal_code=data.personal_code,
        department_id=department_id,
        key_worker_id=key_worker_id,
        user_id=data.user_id,
        admission_date=data.admission_date,
    )
    session.add(row)
    flush_or_conflict(session, "The recipient could not be stored.")
    _replace_links(session, RecipientTeamMember, row, data.team_member_ids)
    _replace_links(session, RecipientGuardian, row, data.guardian_ids)
    flush_or_conflict(session, "The recipient could not be stored.")
    audit_care(
        session,
        principal,
        action="create",
        resource_type=_RESOURCE,
        resource_id=row.id,
        recipient_id=row.id,
        institution_id=row.institution_id,
    )
    return to_public(session, [row])[0]


def update_recipient(
    session: Session, principal: Principal, recipient_id: uuid.UUID, patch: RecipientUpdate, if_match: str
) -> RecipientPublic:
    row = get_recipient_or_404(session, principal, recipient_id)
    audit_care(
        session,
        principal,
        action="update",
        resource_type=_RESOURCE,
        resource_id=row.id,
        recipient_id=row.id,
        institution_id=row.institution_id,
    )
    check_if_match(if_match, row.version)
    if row.status == RecipientStatus.anonymised:
        raise Conflict("An anonymised recipient cannot be changed.")
    data = patched_fields(patch, not_null=("first_name", "last_name", "admission_date"))
    relinks = "user_id" in data and data["user_id"] != row.user_id
    regards = data.get("guardian_ids") is not None and set(data["guardian_ids"]) != _guardian_ids(session, row.id)
    _check_linking(principal, changes=relinks or regards)
    if "department_id" in data:
        _check_department(session, principal, data["department_id"])
    if data.get("key_worker_id"):
        _check_users(session, principal, [data["key_worker_id"]], STAFF_ROLES, "key_worker_id")
    if data.get("user_id"):
        _check_users(session, principal, [data["user_id"]], {Role.recipient}, "user_id")
        _check_account_free(session, data["user_id"], row.id)
    team = data.pop("team_member_ids", None)
    guardians = data.pop("guardian_ids", None)
    if team is not None:
        _check_users(session, principal, team, STAFF_ROLES, "team_member_ids")
    if guardians is not None:
        _check_users(session, principal, guardians, {Role.guardian}, "guardian_ids")
    admission = data.get("admission_date", row.admission_date)
    discharge = data.get("discharge_date", row.discharge_date)
    if discharge is not None and discharge < admission:
        raise ValidationFailed.for_field("body.discharge_date", "discharge_date cannot be before admission_date")
    # Links first: their statements autoflush, and the row itself should be written once (one version).
    if team is not None:
        _replace_links(session, RecipientTeamMember, row, team)
    if guardians is not None:
        _replace_links(session, RecipientGuardian, row, guardians)
    if discharge is not None and row.status == RecipientStatus.active:
        _close_plans_on_discharge(session, principal, row)
    for key, value in data.items():
        setattr(row, key, value)
    row.status = RecipientStatus.discharged if row.discharge_date else RecipientStatus.active
    row.updated_at = utcnow()  # bumps the version also when only the team or guardians change
    session.add(row)
    flush_or_conflict(session, "The recipient could not be stored.")
    return to_public(session, [row])[0]


def _close_plans_on_discharge(session: Session, principal: Principal, row: Recipient) -> None:
    """A discharged recipient's active plans end with the stay (and leave the reviews-due lists)."""
    plan_ids = session.exec(
        select(CarePlan.id).where(CarePlan.recipient_id == row.id, CarePlan.status == CarePlanStatus.active)
    ).all()
    if not plan_ids:
        return
    session.exec(
        sa.update(CarePlan)
        .where(CarePlan.id.in_(plan_ids))
        .values(status=CarePlanStatus.closed, closed_at=utcnow(), next_review_date=None, version=CarePlan.version + 1)
    )
    for plan_id in plan_ids:
        audit_care(
            session,
            principal,
            action="close",
            resource_type="care_plan",
            resource_id=plan_id,
            recipient_id=row.id,
            institution_id=row.institution_id,
            detail="recipient discharged",
        )


def anonymise_recipient(
    session: Session, principal: Principal, recipient_id: uuid.UUID, if_match: str, *, retention_days: int
) -> RecipientPublic:
    """Erases the person (api.recipients.erasure); what the indicators need stays."""
    row = erasure.anonymise_recipient(session, principal, recipient_id, if_match, retention_days=retention_days)
    return to_public(session, [row])[0]


def list_access_log(
    session: Session, principal: Principal, recipient_id: uuid.UUID, *, sort: str, limit: int, cursor: str | None
) -> tuple[list[AccessLogEntry], str | None]:
    row = get_recipient_or_404(session, principal, recipient_id)
    if principal.role not in ACCESS_LOG_ROLES:
        raise Forbidden("The access log is shown to the recipient, guardians, the director and the quality lead.")
    stmt = select(AuditEvent).where(AuditEvent.recipient_id == row.id, AuditEvent.institution_id == row.institution_id)
    events, next_cursor = paginate(session, stmt, model=AuditEvent, sort=sort, limit=limit, cursor=cursor)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    names = dict(session.exec(select(User.id, User.full_name).where(User.id.in_(actor_ids))).all()) if actor_ids else {}
    audit_care(
        session,
        principal,
        action="read",
        resource_type="recipient_access_log",
        resource_id=row.id,
        recipient_id=row.id,
        institution_id=row.institution_id,
    )
    return [
        AccessLogEntry.model_validate(e).model_copy(update={"actor_name": names.get(e.actor_id)}) for e in events
    ], next_cursor
