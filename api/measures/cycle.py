"""The improvement part of the yearly cycle (api/cycles): measures of the year by status, their
measured effects, and those carried into the next year's plan."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from api.cycles.schemas import CycleSection, Obligation
from api.models import ImprovementMeasure, MeasureStatus


def cycle_provider(ctx: Any) -> tuple[CycleSection, list[Obligation]]:
    inst = ctx.institution.id
    of_year = (ImprovementMeasure.institution_id == inst, ImprovementMeasure.year == ctx.year)
    by_status = {
        str(k): int(n)
        for k, n in ctx.session.execute(
            sa.select(ImprovementMeasure.status, sa.func.count(ImprovementMeasure.id))
            .where(*of_year)
            .group_by(ImprovementMeasure.status)
        ).all()
    }
    overdue = ctx.session.execute(
        sa.select(sa.func.count(ImprovementMeasure.id)).where(
            *of_year,
            ImprovementMeasure.due_date < ctx.as_of,
            ImprovementMeasure.status.in_(
                [MeasureStatus.proposed.value, MeasureStatus.approved.value, MeasureStatus.in_progress.value]
            ),
        )
    ).scalar_one()
    carried = ctx.session.execute(
        sa.select(sa.func.count(ImprovementMeasure.id)).where(
            *of_year, ImprovementMeasure.carried_into_plan_item_id.is_not(None)
        )
    ).scalar_one()
    figures = {
        "measures": sum(by_status.values()),
        "overdue": int(overdue),
        "carried_into_next_plan": int(carried),
        **{f"status_{s.value}": by_status.get(s.value, 0) for s in MeasureStatus},
    }
    obligations = []
    if overdue:
        obligations.append(
            Obligation(
                code=f"improvement_measures_{ctx.year}",
                title_lt="Tobulinimo priemonės laiku",
                title_en="Improvement measures on time",
                due_date=ctx.until,
                status="overdue",
                evidence={"overdue": int(overdue)},
            )
        )
    return CycleSection(available=True, figures=figures), obligations
