"""Who may see which recipient: the one readable-statement helper of the care domain.

Inside the institution (the tenant filter of `api.tenancy`), a recipient is visible to
* the director and the quality lead: every recipient of the institution;
* a department head: the recipients of their department (and those they work with);
* a social worker: the recipients whose key worker or team member they are;
* the recipient: their own record (the user account linked to it);
* a guardian: the recipients they are linked to.
Nobody else; municipalities and platform administrators never. Everything not readable is 404.

The user accounts of recipients and guardians follow the same rule (`account_visibility`): an
account of a recipient is visible to whoever may see that recipient, a guardian's to whoever may see
one of their wards. A department head sees the staff of their own department only; a platform
administrator the staff and municipal accounts, never people's.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from api.errors import NotFound
from api.models import CarePlan, Recipient, RecipientGuardian, RecipientTeamMember, User
from api.security.principal import Principal
from api.security.scopes import STAFF_ROLES, Role
from api.tenancy import scoped

#: Roles that see every recipient of their institution.
INSTITUTION_WIDE = frozenset({Role.director, Role.quality_lead})
#: Roles that may read a recipient's access log (besides the recipient and guardians themselves).
ACCESS_LOG_ROLES = frozenset({Role.director, Role.quality_lead, Role.recipient, Role.guardian})
#: Roles that link user accounts to recipients (the recipient's own login, guardians): a link opens
#: the recipient's care data to the account, so it is not for those who merely work with them.
LINKING_ROLES = INSTITUTION_WIDE
#: Roles of the accounts of the people served: seen as the recipients they belong to are.
PERSON_ACCOUNT_ROLES = (Role.recipient.value, Role.guardian.value)


def _assigned(principal: Principal, *, department_id: uuid.UUID | None = None) -> sa.ColumnElement[bool]:
    # A UNION of index lookups (key worker, team membership, department) rather than an OR, which
    # would make the database filter every recipient of the institution.
    parts = [
        select(Recipient.id).where(Recipient.key_worker_id == principal.subject_id),
        select(RecipientTeamMember.recipient_id).where(RecipientTeamMember.user_id == principal.subject_id),
    ]
    if department_id is not None:
        parts.append(select(Recipient.id).where(Recipient.department_id == department_id))
    return Recipient.id.in_(sa.union(*parts))


def visibility_condition(principal: Principal) -> sa.ColumnElement[bool]:
    """The row-level rule on `Recipient` for `principal` (to be combined with the tenant filter)."""
    if principal.kind != "user" or principal.institution_id is None:
        return sa.false()
    role = principal.role
    if role in INSTITUTION_WIDE:
        return sa.true()
    if role is Role.department_head:
        return _assigned(principal, department_id=principal.department_id)
    if role is Role.social_worker:
        return _assigned(principal)
    if role is Role.recipient:
        return Recipient.user_id == principal.subject_id
    if role is Role.guardian:
        linked = select(RecipientGuardian.recipient_id).where(RecipientGuardian.user_id == principal.subject_id)
        return Recipient.id.in_(linked)
    return sa.false()


def readable_recipients(principal: Principal, statement=None):
    """`statement` (default `select(Recipient)`) limited to the recipients `principal` may see."""
    stmt = statement if statement is not None else select(Recipient)
    return scoped(stmt, Recipient, principal).where(visibility_condition(principal))


def readable_recipient_ids(principal: Principal) -> sa.ScalarSelect:
    return readable_recipients(principal, select(Recipient.id)).scalar_subquery()


def readable_care_plans(principal: Principal, statement=None):
    """`statement` (default `select(CarePlan)`) limited to plans of recipients `principal` may see."""
    stmt = statement if statement is not None else select(CarePlan)
    return scoped(stmt, CarePlan, principal).where(CarePlan.recipient_id.in_(readable_recipient_ids(principal)))


def assigned_recipient_ids(principal: Principal) -> Any:
    """Recipients whose key worker or team member the principal is (a worker's own caseload)."""
    return readable_recipients(principal, select(Recipient.id)).where(_assigned(principal)).scalar_subquery()


def get_recipient_or_404(session: Session, principal: Principal, recipient_id: uuid.UUID) -> Recipient:
    row = session.exec(readable_recipients(principal).where(Recipient.id == recipient_id)).first()
    if row is None:
        raise NotFound("No recipient with this id.")
    return row


def get_care_plan_or_404(session: Session, principal: Principal, care_plan_id: uuid.UUID) -> CarePlan:
    row = session.exec(readable_care_plans(principal).where(CarePlan.id == care_plan_id)).first()
    if row is None:
        raise NotFound("No care plan with this id.")
    return row


def _visible_person_accounts(principal: Principal) -> sa.ColumnElement[bool]:
    visible = readable_recipient_ids(principal)
    own_records = select(Recipient.user_id).where(Recipient.id.in_(visible), Recipient.user_id.is_not(None))
    wards = select(RecipientGuardian.user_id).where(RecipientGuardian.recipient_id.in_(visible))
    return sa.or_(
        sa.and_(User.role == Role.recipient.value, User.id.in_(own_records)),
        sa.and_(User.role == Role.guardian.value, User.id.in_(wards)),
    )


def account_visibility(principal: Principal) -> sa.ColumnElement[bool]:
    """The row-level rule on `User` for `principal` (to be combined with the tenant filter)."""
    person = User.role.in_(PERSON_ACCOUNT_ROLES)
    if principal.is_platform_admin:
        return sa.not_(person)
    if principal.kind != "user" or principal.institution_id is None:
        return sa.false()
    if principal.role in INSTITUTION_WIDE:
        return sa.true()
    own = User.id == principal.subject_id
    if principal.role is Role.department_head and principal.department_id is not None:
        staff = sa.and_(User.role.in_([r.value for r in STAFF_ROLES]), User.department_id == principal.department_id)
        return sa.or_(own, staff, _visible_person_accounts(principal))
    return sa.or_(own, _visible_person_accounts(principal))
