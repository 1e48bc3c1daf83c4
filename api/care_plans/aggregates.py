"""Care-plan indicators, each one SQL aggregate over an institution and a period.

Each function returns a :class:`Share`, `(numerator, denominator)` with `.persons`: the number of
recipients the denominator's goals or plans belong to, which the privacy rule (api/privacy.py)
judges. The share is numerator / denominator when the denominator is not zero. They read only
statistics that survive anonymisation (goals, reviews, plan dates, the participation flag, the
plan's recipient id), so erasing a recipient leaves the indicators true. Callers (indicators,
cycles) suppress figures over too few persons.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from api.models import Attainment, CareGoal, CarePlan, CarePlanKind, CarePlanStatus, CareReview
from api.types import start_of_day_utc, today


class Share(tuple[int, int]):
    """(numerator, denominator), and the number of persons (recipients) behind the denominator."""

    persons: int

    def __new__(cls, numerator: int, denominator: int, persons: int) -> Share:
        share = super().__new__(cls, (numerator, denominator))
        share.persons = persons
        return share

    def __repr__(self) -> str:
        return f"Share({self[0]}, {self[1]}, persons={self.persons})"


def _share(row: sa.Row | None) -> Share:
    if row is None:
        return Share(0, 0, 0)
    return Share(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


def goals_achieved(session: Session, institution_id: uuid.UUID, period_start: date, period_end: date) -> Share:
    """Goals due in the period (of plans past draft) that were achieved / all such goals.

    Discontinued goals are left out (the goal was given up, not failed); a goal carried forward
    into next month's ISPP is counted once, as its copy."""
    stmt = (
        sa.select(
            sa.func.sum(sa.case((CareGoal.attainment == Attainment.achieved.value, 1), else_=0)),
            sa.func.count(CareGoal.id),
            sa.func.count(sa.distinct(CarePlan.recipient_id)),
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
    return _share(session.execute(stmt).first())


def plans_reviewed_on_time(
    session: Session, institution_id: uuid.UUID, period_start: date, period_end: date, *, as_of: date | None = None
) -> Share:
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
    stmt = (
        sa.select(
            sa.func.sum(sa.case((per_plan.c.late == 0, 1), else_=0)),
            sa.func.count(per_plan.c.plan_id),
            sa.func.count(sa.distinct(CarePlan.recipient_id)),
        )
        .select_from(per_plan)
        .join(CarePlan, CarePlan.id == per_plan.c.plan_id)
    )
    return _share(session.execute(stmt).first())


def plans_with_participation(
    session: Session, institution_id: uuid.UUID, period_start: date, period_end: date
) -> Share:
    """Plans activated in the period in which the recipient took part / all plans activated in it."""
    start = start_of_day_utc(period_start)
    end = start_of_day_utc(period_end + timedelta(days=1))
    stmt = sa.select(
        sa.func.sum(sa.case((CarePlan.participated.is_(True), 1), else_=0)),
        sa.func.count(CarePlan.id),
        sa.func.count(sa.distinct(CarePlan.recipient_id)),
    ).where(
        CarePlan.institution_id == institution_id,
        CarePlan.activated_at >= start,
        CarePlan.activated_at < end,
    )
    return _share(session.execute(stmt).first())


def reviews_overdue(session: Session, institution_id: uuid.UUID, as_of: date) -> Share:
    """Active plans whose next review is before `as_of` / all active plans (for the cycle view)."""
    stmt = sa.select(
        sa.func.sum(sa.case((CarePlan.next_review_date < as_of, 1), else_=0)),
        sa.func.count(CarePlan.id),
        sa.func.count(sa.distinct(CarePlan.recipient_id)),
    ).where(CarePlan.institution_id == institution_id, CarePlan.status == CarePlanStatus.active.value)
    return _share(session.execute(stmt).first())


def ispp_months(session: Session, institution_id: uuid.UUID, year: int, last_month: int) -> list[tuple[int, int]]:
    """For each month of `year` up to `last_month`: (ISPPs of the month past draft, their recipients).

    One query: a pair of conditional counts per month (a recipient with two ISPPs in a month, one
    replacing the other, counts once among the recipients)."""
    if last_month < 1:
        return []
    counted = (CarePlanStatus.active.value, CarePlanStatus.replaced.value, CarePlanStatus.closed.value)
    columns = []
    for month in range(1, last_month + 1):
        first = date(year, month, 1)
        after = date(year + month // 12, month % 12 + 1, 1)
        in_month = sa.and_(CarePlan.period_start < after, CarePlan.period_end >= first)
        columns += [
            sa.func.count(sa.case((in_month, CarePlan.id))),
            sa.func.count(sa.distinct(sa.case((in_month, CarePlan.recipient_id)))),
        ]
    row = session.execute(
        sa.select(*columns).where(
            CarePlan.institution_id == institution_id,
            CarePlan.kind == CarePlanKind.ispp.value,
            CarePlan.status.in_(counted),
            CarePlan.period_start < date(year + 1, 1, 1),
            CarePlan.period_end >= date(year, 1, 1),
        )
    ).one()
    return [(int(row[2 * i] or 0), int(row[2 * i + 1] or 0)) for i in range(last_month)]
