"""People's accounts. Who may create which role is part of the data model: a director manages the
accounts of their own institution; only a platform administrator creates administrators and
municipality analysts."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from api.audit.service import record as audit
from api.concurrency import check_if_match
from api.crud import flush_or_conflict
from api.errors import Conflict, Forbidden, NotFound, ValidationFailed
from api.models import Department, Institution, Municipality, RefreshToken, User
from api.pagination import paginate
from api.security.passwords import hash_password
from api.security.principal import Principal
from api.security.scopes import INSTITUTION_ROLES, Role
from api.tenancy import scoped
from api.text_search import contains_text
from api.types import utcnow
from api.users.schemas import UserCreate, UserUpdate
from api.users.visibility import audit_account_reads, readable_users

_DUPLICATE = "A user with this username already exists."


def _check_binding(
    session: Session,
    principal: Principal,
    *,
    role: Role,
    institution_id: uuid.UUID | None,
    municipality_id: uuid.UUID | None,
    department_id: uuid.UUID | None,
) -> None:
    if role is Role.feedback_device:
        raise ValidationFailed.for_field(
            "body.role", "feedback_device is a machine client role; create it under /api/v1/clients"
        )
    if not principal.is_platform_admin and role not in INSTITUTION_ROLES:
        raise Forbidden(f"Only a platform administrator may create or assign the role {role.value}.")
    if role is Role.platform_admin:
        if institution_id or municipality_id or department_id:
            raise ValidationFailed.for_field(
                "body.role", "a platform administrator belongs to no institution or municipality"
            )
        return
    if role is Role.municipality_analyst:
        if institution_id or department_id:
            raise ValidationFailed.for_field(
                "body.institution_id", "a municipality analyst belongs to a municipality, not an institution"
            )
        if municipality_id is None or session.get(Municipality, municipality_id) is None:
            raise ValidationFailed.for_field(
                "body.municipality_id", "an existing municipality is required for municipality_analyst"
            )
        return
    if municipality_id:
        raise ValidationFailed.for_field(
            "body.municipality_id", "institution roles take institution_id, not municipality_id"
        )
    if institution_id is None:
        raise ValidationFailed.for_field("body.institution_id", "institution_id is required for this role")
    if (
        session.exec(
            scoped(select(Institution.id).where(Institution.id == institution_id), Institution, principal)
        ).first()
        is None
    ):
        raise ValidationFailed.for_field("body.institution_id", "no institution with this id")
    if department_id is not None:
        dept = session.get(Department, department_id)
        if dept is None or dept.institution_id != institution_id:
            raise ValidationFailed.for_field("body.department_id", "no department with this id in the institution")


def list_users(
    session: Session,
    principal: Principal,
    *,
    role: Role | None,
    department_id: uuid.UUID | None,
    is_active: bool | None,
    q: str | None,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[User], str | None]:
    stmt = readable_users(principal)
    if role:
        stmt = stmt.where(User.role == role.value)
    if department_id:
        stmt = stmt.where(User.department_id == department_id)
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    if q:
        stmt = stmt.where(sa.or_(contains_text(User.username, q), contains_text(User.full_name, q)))
    rows, next_cursor = paginate(session, stmt, model=User, sort=sort, limit=limit, cursor=cursor)
    audit_account_reads(session, principal, rows, action="list")
    return rows, next_cursor


def get_user(session: Session, principal: Principal, user_id: uuid.UUID) -> User:
    """The account, if `principal` may see it (api.users.visibility); 404 otherwise."""
    row = session.exec(readable_users(principal).where(User.id == user_id)).first()
    if row is None:
        raise NotFound("No user with this id.")
    return row


def read_user(session: Session, principal: Principal, user_id: uuid.UUID) -> User:
    row = get_user(session, principal, user_id)
    audit_account_reads(session, principal, [row], action="read")
    return row


def create_user(session: Session, principal: Principal, data: UserCreate) -> User:
    institution_id = data.institution_id
    if institution_id is None and data.role in INSTITUTION_ROLES:
        institution_id = principal.institution_id
    _check_binding(
        session,
        principal,
        role=data.role,
        institution_id=institution_id,
        municipality_id=data.municipality_id,
        department_id=data.department_id,
    )
    row = User(
        username=data.username,
        password_hash=hash_password(data.password),
        full_name=data.full_name,
        email=data.email,
        role=data.role.value,
        institution_id=institution_id,
        department_id=data.department_id,
        municipality_id=data.municipality_id,
    )
    if session.exec(select(User.id).where(sa.func.lower(User.username) == data.username.lower())).first():
        raise Conflict(_DUPLICATE)
    session.add(row)
    flush_or_conflict(session, _DUPLICATE)
    audit(session, principal, action="create", resource_type="user", resource_id=row.id, institution_id=institution_id)
    return row


def update_user(session: Session, principal: Principal, user_id: uuid.UUID, patch: UserUpdate, if_match: str) -> User:
    row = get_user(session, principal, user_id)
    check_if_match(if_match, row.version)
    data = patch.model_dump(exclude_unset=True)
    if "role" in data or "department_id" in data:
        role = data.get("role") or Role(row.role)
        if not principal.is_platform_admin and Role(row.role) not in INSTITUTION_ROLES:
            raise Forbidden("Only a platform administrator may change this account.")
        _check_binding(
            session,
            principal,
            role=role,
            institution_id=row.institution_id,
            municipality_id=row.municipality_id,
            department_id=data.get("department_id", row.department_id),
        )
    before = _token_facts(row)
    if "password" in data:
        password = data.pop("password")
        if password is None:
            raise ValidationFailed.for_field("body.password", "password cannot be null")
        row.password_hash = hash_password(password)
    for key, value in data.items():
        if key in ("full_name", "is_active", "role") and value is None:
            raise ValidationFailed.for_field(f"body.{key}", f"{key} cannot be null")
        setattr(row, key, value.value if isinstance(value, Role) else value)
    if before != _token_facts(row):
        end_sessions(session, row)
    session.add(row)
    flush_or_conflict(session, _DUPLICATE)
    audit(
        session, principal, action="update", resource_type="user", resource_id=row.id, institution_id=row.institution_id
    )
    return row


def _token_facts(row: User) -> tuple:
    """What a user's tokens stand for: a change of any of these ends every sign-in of the user."""
    return (row.password_hash, row.is_active, row.role, row.institution_id, row.department_id, row.municipality_id)


def end_sessions(session: Session, row: User) -> None:
    """The user's access tokens stop at once (a new token generation: each request compares it) and
    their refresh tokens are revoked, so no sign-in outlives a change of password, activity, role
    or tenant."""
    row.token_generation += 1
    session.exec(
        sa.update(RefreshToken)
        .where(RefreshToken.user_id == row.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def delete_user(session: Session, principal: Principal, user_id: uuid.UUID, if_match: str) -> None:
    row = get_user(session, principal, user_id)
    check_if_match(if_match, row.version)
    if row.id == principal.subject_id:
        raise Forbidden("You cannot delete your own account.")
    if not principal.is_platform_admin and Role(row.role) not in INSTITUTION_ROLES:
        raise Forbidden("Only a platform administrator may delete this account.")
    session.delete(row)
    flush_or_conflict(session, "The user is still referenced; deactivate the account instead (is_active=false).")
    audit(
        session,
        principal,
        action="delete",
        resource_type="user",
        resource_id=user_id,
        institution_id=row.institution_id,
    )
