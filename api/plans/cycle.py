"""The planning part of the yearly cycle (api/cycles): the annual plan approved on time after the
budget, the plans reviewed at their cadence (annual monthly, competence twice a year), items done
on time, proposals answered and competence needs gathered. Aggregates only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from api.cycles.schemas import CycleSection, Obligation
from api.models import (
    CompetenceNeed,
    ItemStatus,
    Plan,
    PlanApprovalRule,
    PlanItem,
    PlanKind,
    PlanReview,
    Proposal,
    ProposalStatus,
)
from api.plans.aggregates import items_done_on_time
from api.plans.deadlines import review_interval
from api.plans.periods import add_months

REVIEWED_KINDS = {
    PlanKind.annual: ("Metinio veiklos plano peržiūra", "Annual activity plan review"),
    PlanKind.competence_development: ("Kompetencijų tobulinimo plano peržiūra", "Competence development plan review"),
}


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _count(ctx: Any, stmt: Any) -> int:
    return int(ctx.session.execute(stmt).scalar_one() or 0)


def _approval(ctx: Any, inst: Any) -> tuple[dict[str, Any], list[Obligation]]:
    first_approval = ctx.session.execute(sa.select(sa.func.min(Plan.approved_at)).where(
        Plan.institution_id == inst, Plan.kind == PlanKind.annual.value,
        Plan.period_start >= ctx.start, Plan.period_start <= ctx.end)).scalar_one()
    approved_on = first_approval.date() if first_approval is not None else None
    approved = approved_on is not None and approved_on <= ctx.as_of
    figures: dict[str, Any] = {"annual_plan_approved": approved}
    rule = ctx.session.exec(select(PlanApprovalRule).where(
        PlanApprovalRule.institution_id == inst, PlanApprovalRule.year == ctx.year)).first()
    if rule is None or rule.budget_approved_on is None:
        figures["approval_rule_recorded"] = False
        return figures, []
    due = add_months(rule.budget_approved_on, rule.approve_within_months)
    figures["approval_rule_recorded"] = True
    evidence: dict[str, Any] = {"budget_approved_on": rule.budget_approved_on.isoformat(),
                                "approve_within_months": rule.approve_within_months}
    if approved:
        evidence["approved_on"] = approved_on.isoformat()
        evidence["on_time"] = approved_on <= due
    return figures, [Obligation(
        code=f"annual_plan_approval_{ctx.year}", title_lt="Metinio veiklos plano patvirtinimas",
        title_en="Annual activity plan approved after the budget", due_date=due,
        status=ctx.status(due, approved), evidence=evidence)]


def _reviews(ctx: Any, inst: Any) -> list[Obligation]:
    out = []
    for kind, (title_lt, title_en) in REVIEWED_KINDS.items():
        interval = review_interval(ctx.session, inst, kind)
        has_plan = _count(ctx, sa.select(sa.func.count(Plan.id)).where(
            Plan.institution_id == inst, Plan.kind == kind.value, Plan.approved_at.is_not(None),
            Plan.period_start <= ctx.end, Plan.period_end >= ctx.start))
        if not interval or not has_plan:
            continue
        window_start = ctx.start
        while window_start <= ctx.end and window_start <= ctx.as_of:
            window_end = min(add_months(window_start, interval) - timedelta(days=1), ctx.end)
            held = _count(ctx, sa.select(sa.func.count(PlanReview.id)).join(Plan, Plan.id == PlanReview.plan_id).where(
                PlanReview.institution_id == inst, Plan.kind == kind.value,
                PlanReview.review_date >= window_start, PlanReview.review_date <= window_end))
            label = f"{window_start.isoformat()}…{window_end.isoformat()}"
            out.append(Obligation(
                code=f"{kind.value}_plan_review_{window_start.isoformat()}", title_lt=f"{title_lt} ({label})",
                title_en=f"{title_en} ({label})", due_date=window_end, status=ctx.status(window_end, held > 0),
                evidence={"reviews_held": held, "interval_months": interval}))
            window_start = add_months(window_start, interval)
    return out


def cycle_provider(ctx: Any) -> tuple[CycleSection, list[Obligation]]:
    inst = ctx.institution.id
    figures, obligations = _approval(ctx, inst)
    in_year = sa.and_(PlanItem.institution_id == inst, PlanItem.due_date >= ctx.start,
                      PlanItem.due_date <= ctx.end)
    on_time, counted = items_done_on_time(ctx.session, inst, ctx.start, ctx.until)
    received = (Proposal.institution_id == inst, Proposal.created_at >= _instant(ctx.start),
                Proposal.created_at < _instant(date(ctx.year + 1, 1, 1)))
    figures.update({
        "plans_approved": _count(ctx, sa.select(sa.func.count(Plan.id)).where(
            Plan.institution_id == inst, Plan.approved_at.is_not(None),
            Plan.period_start <= ctx.end, Plan.period_end >= ctx.start)),
        "items_due_in_year": _count(ctx, sa.select(sa.func.count(PlanItem.id)).where(in_year)),
        "items_done": _count(ctx, sa.select(sa.func.count(PlanItem.id)).where(
            in_year, PlanItem.status == ItemStatus.done.value)),
        "items_overdue": _count(ctx, sa.select(sa.func.count(PlanItem.id)).where(
            in_year, PlanItem.due_date < ctx.as_of,
            PlanItem.status.not_in([ItemStatus.done.value, ItemStatus.cancelled.value]))),
        "items_done_on_time": on_time, "items_counted_for_on_time": counted,
        "proposals_received": _count(ctx, sa.select(sa.func.count(Proposal.id)).where(*received)),
        "proposals_answered": _count(ctx, sa.select(sa.func.count(Proposal.id)).where(
            *received, Proposal.status.in_([ProposalStatus.accepted.value, ProposalStatus.rejected.value]))),
        "competence_needs": _count(ctx, sa.select(sa.func.count(CompetenceNeed.id)).where(
            CompetenceNeed.institution_id == inst, CompetenceNeed.year == ctx.year)),
    })
    return CycleSection(available=True, figures=figures), obligations + _reviews(ctx, inst)


__all__ = ["cycle_provider"]
