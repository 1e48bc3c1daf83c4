from __future__ import annotations

import uuid

from sqlmodel import Session, select

from api.audit.service import record as audit
from api.crud import apply_patch, delete_or_conflict, flush_or_conflict
from api.errors import NotFound, ValidationFailed
from api.institutions.schemas import DepartmentCreate, DepartmentUpdate, InstitutionCreate, InstitutionUpdate
from api.models import Department, Institution, InstitutionKind, Municipality
from api.pagination import paginate
from api.security.principal import Principal
from api.tenancy import get_or_404, scoped
from api.text_search import contains_text


def list_institutions(
    session: Session,
    principal: Principal,
    *,
    municipality_id: uuid.UUID | None,
    kind: InstitutionKind | None,
    name: str | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[Institution], str | None]:
    stmt = scoped(select(Institution), Institution, principal)
    if municipality_id:
        stmt = stmt.where(Institution.municipality_id == municipality_id)
    if kind:
        stmt = stmt.where(Institution.kind == kind)
    if name:
        stmt = stmt.where(contains_text(Institution.name, name))
    return paginate(session, stmt, model=Institution, sort=sort, limit=limit, cursor=cursor)


def get_institution(session: Session, principal: Principal, institution_id: uuid.UUID) -> Institution:
    return get_or_404(session, Institution, institution_id, principal, what="institution")


def create_institution(session: Session, principal: Principal, data: InstitutionCreate) -> Institution:
    if session.get(Municipality, data.municipality_id) is None:
        raise ValidationFailed.for_field(
            "body.municipality_id", "no municipality with this id", "not_found", detail="Unknown municipality."
        )
    row = Institution(**data.model_dump())
    session.add(row)
    flush_or_conflict(session, "An institution with this code already exists.")
    audit(session, principal, action="create", resource_type="institution", resource_id=row.id, institution_id=row.id)
    return row


def update_institution(
    session: Session, principal: Principal, institution_id: uuid.UUID, patch: InstitutionUpdate, if_match: str
) -> Institution:
    row = get_institution(session, principal, institution_id)
    apply_patch(session, row, patch, if_match, conflict="An institution with this code already exists.")
    audit(session, principal, action="update", resource_type="institution", resource_id=row.id, institution_id=row.id)
    return row


def delete_institution(session: Session, principal: Principal, institution_id: uuid.UUID, if_match: str) -> None:
    row = get_institution(session, principal, institution_id)
    delete_or_conflict(session, row, if_match, conflict="The institution still has data that refers to it.")
    audit(session, principal, action="delete", resource_type="institution", resource_id=institution_id)


def list_departments(
    session: Session, principal: Principal, institution_id: uuid.UUID, *, sort: str, limit: int, cursor: str | None
) -> tuple[list[Department], str | None]:
    get_institution(session, principal, institution_id)
    stmt = scoped(select(Department), Department, principal).where(Department.institution_id == institution_id)
    return paginate(session, stmt, model=Department, sort=sort, limit=limit, cursor=cursor)


def get_department(
    session: Session, principal: Principal, institution_id: uuid.UUID, department_id: uuid.UUID
) -> Department:
    row = get_or_404(session, Department, department_id, principal, what="department")
    if row.institution_id != institution_id:
        raise NotFound("No department with this id.")
    return row


def create_department(
    session: Session, principal: Principal, institution_id: uuid.UUID, data: DepartmentCreate
) -> Department:
    get_institution(session, principal, institution_id)
    row = Department(institution_id=institution_id, **data.model_dump())
    session.add(row)
    flush_or_conflict(session, "A department with this name already exists in the institution.")
    audit(
        session,
        principal,
        action="create",
        resource_type="department",
        resource_id=row.id,
        institution_id=institution_id,
    )
    return row


def update_department(
    session: Session,
    principal: Principal,
    institution_id: uuid.UUID,
    department_id: uuid.UUID,
    patch: DepartmentUpdate,
    if_match: str,
) -> Department:
    row = get_department(session, principal, institution_id, department_id)
    apply_patch(
        session, row, patch, if_match, conflict="A department with this name already exists in the institution."
    )
    audit(
        session,
        principal,
        action="update",
        resource_type="department",
        resource_id=row.id,
        institution_id=institution_id,
    )
    return row


def delete_department(
    session: Session, principal: Principal, institution_id: uuid.UUID, department_id: uuid.UUID, if_match: str
) -> None:
    row = get_department(session, principal, institution_id, department_id)
    delete_or_conflict(session, row, if_match, conflict="The department still has data that refers to it.")
    audit(
        session,
        principal,
        action="delete",
        resource_type="department",
        resource_id=department_id,
        institution_id=institution_id,
    )
