"""Dates a plan owes: the annual plan's approval deadline and the next review.

The director approves the annual plan within N months after the institution's budget for the year
is approved (one month in Palanga, two in Utena): each institution records the budget approval date
and its N per year (`plan_approval_rules`). Plans are reviewed at a cadence per kind: the annual
plan monthly, the competence development plan at least twice a year; an institution may change it
(`plan_review_cadences`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from api.models import Plan, PlanApprovalRule, PlanKind, PlanReviewCadence
from api.plans.periods import add_months
from api.plans.schemas import ApprovalDeadline

#: Review cadence (months) of the kinds an institution has not configured; other kinds are not
#: reviewed on a schedule unless configured.
DEFAULT_REVIEW_MONTHS: dict[PlanKind, int] = {
    PlanKind.annual: 1,
    PlanKind.competence_development: 6,
}
#: The approval rule answers for these kinds.
KINDS_WITH_APPROVAL_DEADLINE = frozenset({PlanKind.annual})


def approval_deadline(
    rule: PlanApprovalRule | None, first_approved_at: datetime | None, as_of: date
) -> ApprovalDeadline | None:
    """The deadline under `rule`, judged by the day the plan was first approved (or `as_of`)."""
    if rule is None or rule.budget_approved_on is None:
        return None
    due = add_months(rule.budget_approved_on, rule.approve_within_months)
    judged_on = first_approved_at.date() if first_approved_at is not None else as_of
    days = max(0, (judged_on - due).days)
    return ApprovalDeadline(
        due_date=due,
        budget_approved_on=rule.budget_approved_on,
        approve_within_months=rule.approve_within_months,
        overdue=days > 0,
        days_overdue=days,
    )


def approval_deadlines(session: Session, plans: Iterable[Plan], as_of: date) -> dict[uuid.UUID, ApprovalDeadline]:
    """The deadline of every annual plan among `plans`, in two queries whatever their number.

    An amendment does not restart the clock: a series is judged by its first approval."""
    annual = [p for p in plans if p.kind in KINDS_WITH_APPROVAL_DEADLINE]
    if not annual:
        return {}
    keys = {(p.institution_id, p.period_start.year) for p in annual}
    rules = session.exec(
        select(PlanApprovalRule).where(
            sa.tuple_(PlanApprovalRule.institution_id, PlanApprovalRule.year).in_(list(keys))
        )
    ).all()
    by_key = {(r.institution_id, r.year): r for r in rules}
    first = dict(
        session.exec(
            select(Plan.series_id, sa.func.min(Plan.approved_at))
            .where(Plan.series_id.in_({p.series_id for p in annual}))
            .group_by(Plan.series_id)
        ).all()
    )
    out = {}
    for plan in annual:
        deadline = approval_deadline(
            by_key.get((plan.institution_id, plan.period_start.year)), first.get(plan.series_id), as_of
        )
        if deadline is not None:
            out[plan.id] = deadline
    return out


def review_interval(session: Session, institution_id: uuid.UUID, kind: PlanKind) -> int | None:
    row = session.exec(
        select(PlanReviewCadence).where(
            PlanReviewCadence.institution_id == institution_id, PlanReviewCadence.kind == kind
        )
    ).first()
    return row.interval_months if row is not None else DEFAULT_REVIEW_MONTHS.get(kind)


def next_review(after: date, interval_months: int | None, period_end: date) -> date | None:
    """The review due `interval_months` after `after`, unless that falls beyond the plan's period."""
    if not interval_months:
        return None
    due = add_months(after, interval_months)
    return due if due <= period_end else None
