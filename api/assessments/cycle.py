"""The self-assessment part of the yearly cycle (api/cycles): assessments completed in the year
by template kind, findings, SWOT items; at least one completed self-assessment a year."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from api.cycles.schemas import CycleSection, Obligation
from api.models import Assessment, AssessmentFinding, AssessmentStatus, AssessmentTemplate, SwotItem


def cycle_provider(ctx: Any) -> tuple[CycleSection, list[Obligation]]:
    inst = ctx.institution.id
    in_year = (
        Assessment.institution_id == inst,
        Assessment.period_start >= ctx.start,
        Assessment.period_start <= ctx.end,
    )
    by_kind = dict(
        ctx.session.execute(
            sa.select(AssessmentTemplate.kind, sa.func.count(Assessment.id))
            .join(AssessmentTemplate, AssessmentTemplate.id == Assessment.template_id)
            .where(*in_year, Assessment.status == AssessmentStatus.completed.value)
            .group_by(AssessmentTemplate.kind)
        ).all()
    )
    completed = sum(int(n) for n in by_kind.values())
    findings = ctx.session.execute(
        sa.select(sa.func.count(AssessmentFinding.id))
        .join(Assessment, Assessment.id == AssessmentFinding.assessment_id)
        .where(*in_year)
    ).scalar_one()
    swot = ctx.session.execute(
        sa.select(sa.func.count(SwotItem.id)).where(SwotItem.institution_id == inst, SwotItem.year == ctx.year)
    ).scalar_one()
    figures = {
        "assessments_completed": completed,
        "findings": int(findings),
        "swot_items": int(swot),
        **{f"completed_{kind}": int(n) for kind, n in by_kind.items()},
    }
    return CycleSection(available=True, figures=figures), [
        Obligation(
            code=f"self_assessment_{ctx.year}",
            title_lt="Įsivertinimas atliktas",
            title_en="Self-assessment completed",
            due_date=ctx.end,
            status=ctx.status(ctx.end, completed > 0),
            evidence={"completed": completed},
        )
    ]
