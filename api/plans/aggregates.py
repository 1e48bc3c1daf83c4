"""Plan indicators, computed in SQL for the indicators domain (`api.indicators.sources`)."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from api.models import ItemStatus, Plan, PlanItem, PlanStatus

#: The revisions whose items count: in force or completed. Drafts and amendments still being
#: prepared are not commitments yet; a superseded revision is counted through the one replacing it.
COUNTED = (PlanStatus.approved.value, PlanStatus.closed.value)


def items_done_on_time(
    session: Session, institution_id: uuid.UUID, period_start: date, period_end: date
) -> tuple[int, int]:
    """(numerator, denominator): items of the institution's approved or closed plans due within
    [period_start, period_end], cancelled ones left out / those of them done on or before their due
    date (`completed_on <= due_date`)."""
    on_time = sa.and_(PlanItem.status == ItemStatus.done.value, PlanItem.completed_on <= PlanItem.due_date)
    stmt = (
        sa.select(sa.func.sum(sa.case((on_time, 1), else_=0)), sa.func.count(PlanItem.id))
        .select_from(PlanItem)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(
            PlanItem.institution_id == institution_id,
            PlanItem.due_date >= period_start,
            PlanItem.due_date <= period_end,
            PlanItem.status != ItemStatus.cancelled.value,
            Plan.status.in_(COUNTED),
        )
    )
    row = session.execute(stmt).first()
    if row is None:
        return 0, 0
    return int(row[0] or 0), int(row[1] or 0)
