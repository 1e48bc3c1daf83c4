"""The planning part of an institution's yearly cycle (`api.cycles`): counts only, and the seeds'
planning obligations — the annual plan approved within the rule's months after the budget, reviewed
monthly after its approval, and the competence development plan reviewed in each half-year."""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from sqlmodel import select

from api.cycles.schemas import CycleSection, Obligation
from api.models import (
    CompetenceNeed,
    CompetenceNeedStatus,
    Plan,
    PlanApprovalRule,
    PlanKind,
    PlanReview,
    PlanStatus,
    Proposal,
    ProposalStatus,
)
from api.plans.aggregates import items_done_on_time
from api.plans.periods import add_months
from api.types import start_of_day_utc

IN_FORCE = (PlanStatus.approved.value, PlanStatus.closed.value)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _current(ctx, kind: PlanKind) -> tuple[Plan | None, date | None, list[date]]:
    """The year's plan of `kind` (its latest revision not superseded), the day its series was first
    approved, and the days it was reviewed (any revision)."""
    plan = ctx.session.exec(
        select(Plan)
        .where(
            Plan.institution_id == ctx.institution.id,
            Plan.kind == kind,
            Plan.period_start == date(ctx.year, 1, 1),
            Plan.status != PlanStatus.superseded,
        )
        .order_by(Plan.revision.desc())
    ).first()
    if plan is None:
        return None, None, []
    revisions = select(Plan.id).where(Plan.series_id == plan.series_id)
    first = ctx.session.exec(select(sa.func.min(Plan.approved_at)).where(Plan.series_id == plan.series_id)).one()
    reviews = ctx.session.exec(select(PlanReview.review_date).where(PlanReview.plan_id.in_(revisions))).all()
    return plan, first.date() if first else None, list(reviews)


def cycle_provider(ctx) -> tuple[CycleSection, list[Obligation]]:
    session, inst_id, year = ctx.session, ctx.institution.id, ctx.year
    annual, annual_approved_on, annual_reviews = _current(ctx, PlanKind.annual)
    if annual_approved_on is not None and annual_approved_on > ctx.as_of:
        annual_approved_on = None  # judged as of a day before the approval
    _, competence_approved_on, competence_reviews = _current(ctx, PlanKind.competence_development)
    done, due = items_done_on_time(session, inst_id, ctx.start, ctx.until)
    # Proposals for the year's plans: meant for it, or received in it without a year named.
    received_in_year = sa.and_(
        Proposal.plan_year.is_(None),
        Proposal.created_at >= start_of_day_utc(ctx.start),
        Proposal.created_at < start_of_day_utc(date(year + 1, 1, 1)),
    )
    proposals = dict(
        session.exec(
            select(Proposal.status, sa.func.count(Proposal.id))
            .where(
                Proposal.institution_id == inst_id,
                sa.or_(Proposal.plan_year == year, received_in_year),
            )
            .group_by(Proposal.status)
        ).all()
    )
    needs = dict(
        session.exec(
            select(CompetenceNeed.status, sa.func.count(CompetenceNeed.id))
            .where(CompetenceNeed.institution_id == inst_id, CompetenceNeed.year == year)
            .group_by(CompetenceNeed.status)
        ).all()
    )
    reviews_overdue = session.exec(
        select(sa.func.count(Plan.id)).where(
            Plan.institution_id == inst_id, Plan.status == PlanStatus.approved, Plan.next_review_due < ctx.as_of
        )
    ).one()
    figures: dict[str, int | bool] = {
        "items_due": due,
        "items_done_on_time": done,
        "plan_reviews_overdue_now": int(reviews_overdue),
        "proposals": sum(proposals.values()),
        "proposals_accepted": proposals.get(ProposalStatus.accepted, 0),
        "proposals_rejected": proposals.get(ProposalStatus.rejected, 0),
        "proposals_open": proposals.get(ProposalStatus.received, 0)
        + proposals.get(ProposalStatus.under_consideration, 0),
        "competence_needs": sum(needs.values()),
        "competence_needs_planned": needs.get(CompetenceNeedStatus.planned, 0),
    }
    if annual is not None:
        figures["annual_plan_approved"] = annual_approved_on is not None
    obligations: list[Obligation] = []
    rule = session.exec(
        select(PlanApprovalRule).where(PlanApprovalRule.institution_id == inst_id, PlanApprovalRule.year == year)
    ).first()
    if rule is not None and rule.budget_approved_on is not None:
        deadline = add_months(rule.budget_approved_on, rule.approve_within_months)
        obligations.append(
            Obligation(
                code=f"annual_plan_approval_{year}",
                title_lt="Metinio veiklos plano patvirtinimas",
                title_en="Annual activity plan approved",
                due_date=deadline,
                status=ctx.status(deadline, annual_approved_on is not None),
                evidence={
                    "budget_approved_on": rule.budget_approved_on.isoformat(),
                    "approve_within_months": rule.approve_within_months,
                    "approved_on": annual_approved_on.isoformat() if annual_approved_on else None,
                    "on_time": annual_approved_on is not None and annual_approved_on <= deadline,
                },
            )
        )
    if annual_approved_on is not None and annual_approved_on.year == year:
        for month in range(annual_approved_on.month + 1, 13):
            first, last = date(year, month, 1), _month_end(year, month)
            held = sum(1 for d in annual_reviews if first <= d <= last)
            obligations.append(
                Obligation(
                    code=f"annual_plan_review_{year}_{month:02d}",
                    title_lt="Metinio plano peržiūra",
                    title_en="Annual plan review",
                    due_date=last,
                    status=ctx.status(last, held > 0),
                    evidence={"reviews": held},
                )
            )
    if competence_approved_on is not None:
        for half, (first, last) in enumerate(
            ((date(year, 1, 1), date(year, 6, 30)), (date(year, 7, 1), date(year, 12, 31))), start=1
        ):
            held = sum(1 for d in competence_reviews if first <= d <= last)
            obligations.append(
                Obligation(
                    code=f"competence_plan_review_{year}_h{half}",
                    title_lt="Kompetencijų tobulinimo plano peržiūra",
                    title_en="Competence development plan review",
                    due_date=last,
                    status=ctx.status(last, held > 0),
                    evidence={"reviews": held},
                )
            )
    return CycleSection(available=True, figures=figures), obligations
