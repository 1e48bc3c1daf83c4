"""Care-plan indicators, each one SQL aggregate over an institution and a period.

Each function returns `(numerator, denominator)`; the share is numerator / denominator when the
denominator is not zero. They read only statistics that survive anonymisation (goals, reviews,
plan dates, the participation flag), so erasing a recipient leaves the indicators true. Callers
(the indicators domain) are responsible for suppressing figures over too few people.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from api.models import Attainment, CareGoal, CarePlan, CarePlanStatus, CareReview
from api.types import start_of_day_utc, today


def _pair(row: sa.Row | None) -> tuple[int, int]:
    if row is None:
        return 0, 0
    return int(row[0] or 0), int(row[1] or 0)


def goals_achieved(session: Session, institution_id: uuid.UUID, period_start: date,
                   period_end: date) -> tuple[int, int]:
    """Goals due in the period (of plans past draft) that were achieved / all such goals.

    Discontinued goals are left out (the goal was given up, not failed); a goal carried forward
    into next month's ISPP is counted once, as its copy."""
    stmt = (
        sa.select(
            sa.func.sum(sa.case((CareGoal.attainment == Attainment.achieved.value, 1), else_=0)),
            sa.func.count(CareGoal.id),
        )
        .select_from(CareGoal)
        .join(CarePlan, CarePlan.id == CareGoal.care_plan_id)
        .where(
            CareGoal.institution_id == institution_id,
            CarePlan.status != CarePlanStatus.draft.value,
            CareGoal.carried_forward.is_(False),
            CareGoal.attainment != Attainment.discontinued.value,
            CareGoal.due_date >= period_start,
            CareGoal.due_date <= period_end,
        )
    )
    return _pair(session.execute(stmt).first())


def plans_reviewed_on_time(session: Session, institution_id: uuid.UUID, period_start: date, period_end: date,
                           *, as_of: date | None = None) -> tuple[int, int]:
    """Plans whose every review due in the period was held on time / plans with a review due in it.

    A review is due on the date the plan had scheduled. A recorded review is on time when held on or
    before that date; a scheduled review of an active plan not yet held counts as missed once its
    date is before `as_of` (default today) and not yet otherwise."""
    as_of = as_of or today()
    recorded = sa.select(
        CareReview.care_plan_id.label("plan_id"),
        sa.case((CareReview.review_date > CareReview.due_date, 1), else_=0).label("late"),
    ).where(
        CareReview.institution_id == institution_id,
        CareReview.due_date >= period_start,
        CareReview.due_date <= period_end,
    )
    pending = sa.select(CarePlan.id.label("plan_id"), sa.literal(1).label("late")).where(
        CarePlan.institution_id == institution_id,
        CarePlan.status == CarePlanStatus.active.value,
        CarePlan.next_review_date >= period_start,
        CarePlan.next_review_date <= period_end,
        CarePlan.next_review_date < as_of,
    )
    due = sa.union_all(recorded, pending).subquery("due")
    per_plan = sa.select(due.c.plan_id, sa.func.max(due.c.late).label("late")).group_by(due.c.plan_id).subquery()
    stmt = sa.select(
        sa.func.sum(sa.case((per_plan.c.late == 0, 1), else_=0)),
        sa.func.count(per_plan.c.plan_id),
    )
    return _pair(session.execute(stmt).first())


def plans_with_participation(session: Session, institution_id: uuid.UUID, period_start: date,
                             period_end: date) -> tuple[int, int]:
    """Plans activated in the period in which the recipient took part / all plans activated in it."""
    start = start_of_day_utc(period_start)
    end = start_of_day_utc(period_end + timedelta(days=1))
    stmt = sa.select(
        sa.func.sum(sa.case((CarePlan.participated.is_(True), 1), else_=0)),
        sa.func.count(CarePlan.id),
    ).where(
        CarePlan.institution_id == institution_id,
        CarePlan.activated_at >= start,
        CarePlan.activated_at < end,
    )
    return _pair(session.execute(stmt).first())
