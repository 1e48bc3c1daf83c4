"""Arranging care data directly in the database (the API itself is what the tests exercise)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from api.models import (
    Attainment,
    CareGoal,
    CareNeed,
    CarePlan,
    CarePlanKind,
    CarePlanStatus,
    CareReview,
    NeedDomain,
    NeedLevel,
    Recipient,
    RecipientGuardian,
    RecipientTeamMember,
)
from api.security.scopes import Role
from tests.factories import World


def make_recipient(
    session: Session,
    world: World,
    tenant: str = "a",
    *,
    team: tuple = (),
    guardians: tuple = (),
    linked_user: bool = True,
    **kw: Any,
) -> Recipient:
    """`linked_user`: linked to the tenant's recipient account, unless that account already reaches
    another record (an account links to one recipient only)."""
    t = getattr(world, tenant)
    account = t.users[Role.recipient].id
    if linked_user and session.exec(select(Recipient.id).where(Recipient.user_id == account)).first() is not None:
        linked_user = False
    row = Recipient(
        **{
            "institution_id": t.institution.id,
            "first_name": "Ona",
            "last_name": "Petraitienė",
            "birth_date": date(1940, 5, 1),
            "personal_code": "44005010000",
            "department_id": t.department.id,
            "key_worker_id": t.users[Role.social_worker].id,
            "user_id": account if linked_user else None,
            "admission_date": date(2025, 1, 10),
            **kw,
        }
    )
    session.add(row)
    session.flush()
    for user in team:
        session.add(RecipientTeamMember(recipient_id=row.id, user_id=user.id, institution_id=row.institution_id))
    for user in guardians if guardians else (t.users[Role.guardian],):
        session.add(RecipientGuardian(recipient_id=row.id, user_id=user.id, institution_id=row.institution_id))
    session.commit()
    return row


def make_plan(
    session: Session,
    recipient: Recipient,
    *,
    kind: CarePlanKind = CarePlanKind.isgp,
    status: CarePlanStatus = CarePlanStatus.draft,
    period_start: date = date(2026, 1, 1),
    period_end: date = date(2026, 12, 31),
    **kw: Any,
) -> CarePlan:
    row = CarePlan(
        institution_id=recipient.institution_id,
        recipient_id=recipient.id,
        kind=kind,
        status=status,
        period_start=period_start,
        period_end=period_end,
        **kw,
    )
    session.add(row)
    session.commit()
    return row


def make_goal(
    session: Session,
    plan: CarePlan,
    *,
    due_date: date = date(2026, 6, 30),
    attainment: Attainment = Attainment.not_started,
    domain: NeedDomain = NeedDomain.health,
    **kw: Any,
) -> CareGoal:
    need = CareNeed(
        institution_id=plan.institution_id,
        care_plan_id=plan.id,
        domain=domain,
        level=NeedLevel.moderate,
        description="Needs help walking",
    )
    session.add(need)
    session.flush()
    goal = CareGoal(
        institution_id=plan.institution_id,
        care_plan_id=plan.id,
        need_id=need.id,
        measure="Metres walked unaided",
        baseline="10",
        target="50",
        due_date=due_date,
        attainment=attainment,
        **kw,
    )
    session.add(goal)
    session.commit()
    return goal


def make_review(session: Session, plan: CarePlan, *, review_date: date, due_date: date | None) -> CareReview:
    row = CareReview(
        institution_id=plan.institution_id,
        care_plan_id=plan.id,
        review_date=review_date,
        due_date=due_date,
        notes="Discussed with Ona",
    )
    session.add(row)
    session.commit()
    return row


def activated(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
