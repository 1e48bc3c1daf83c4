"""Which accounts a caller may see, and the audit of reads of the accounts of the people served.

The accounts of recipients and guardians are personal data of the people served: visible only to
those who may see the recipient (`api.care_plans.access.account_visibility`), and every read of
one is recorded like a read of the recipient, naming the recipient(s) it belongs to, so that it
shows in their access log.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, select

from api.audit.service import record_many
from api.care_plans.access import PERSON_ACCOUNT_ROLES, account_visibility
from api.models import Recipient, RecipientGuardian, User
from api.security.principal import Principal
from api.tenancy import scoped


def readable_users(principal: Principal, statement=None):
    """`statement` (default `select(User)`) limited to the accounts `principal` may see."""
    stmt = statement if statement is not None else select(User)
    return scoped(stmt, User, principal).where(account_visibility(principal))


def audit_account_reads(session: Session, principal: Principal, users: Sequence[User], *, action: str) -> None:
    """One event per (account, recipient it belongs to) served; an account linked to no recipient
    yet is recorded once without one."""
    people = {u.id: u for u in users if u.role in PERSON_ACCOUNT_ROLES}
    if not people:
        return
    ids = list(people)
    links: dict[uuid.UUID, set[uuid.UUID]] = {uid: set() for uid in people}
    for uid, rid in session.exec(select(Recipient.user_id, Recipient.id).where(Recipient.user_id.in_(ids))).all():
        links[uid].add(rid)
    for uid, rid in session.exec(
        select(RecipientGuardian.user_id, RecipientGuardian.recipient_id).where(RecipientGuardian.user_id.in_(ids))
    ).all():
        links[uid].add(rid)
    record_many(
        session,
        principal,
        action=action,
        resource_type="user",
        resources=[(uid, rid, people[uid].institution_id) for uid in people for rid in (sorted(links[uid]) or [None])],
    )
